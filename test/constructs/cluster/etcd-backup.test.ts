import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { Testing } from 'cdk8s';
import { ClusterSpec, etcdBackupAlerts, EtcdBackupSpec, isCronSchedule, ProductionCluster, warningsOf } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';
import { promtool } from '../../helpers/promtool';

const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const fileOf = (path: string) => files.find(f => f.path === path)!.content;
const cronJobOf = (env: string) => parseAllDocuments(fileOf(`${env}/manifests/10-kube-system.yaml`)).map(d => d.toJS())
  .find(o => o.kind === 'CronJob' && o.metadata.name === 'etcd-backup');
const DESTINATION = { bucket: 'etcd-backups', endpoint: 'https://minio.example.com', credentialsSecret: 'etcd-backup-s3' };
const withBackup = (etcd: Partial<EtcdBackupSpec>, overrides: Partial<ClusterSpec> = {}) =>
  clusterSpec({ backups: { etcd: { destination: DESTINATION, ...etcd } as EtcdBackupSpec }, ...overrides });

describe('the etcd backup CronJob', () => {
  test.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name] as const))('%s: a valid CronJob on a control plane node, in kube-system', env => {
    const job = cronJobOf(env);
    expect(schemaError(job)).toBeUndefined();
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    expect(pod).toMatchObject({ hostNetwork: true, restartPolicy: 'Never', nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } });
    expect(pod.tolerations).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' });
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(['client-certificate', 'snapshot']);
    expect(pod.initContainers[1].image).toMatch(/\/etcd:3\.6\.8-0$/);
    // Credentials come from the Secret, never a value.
    const ship = pod.containers[0];
    expect(ship.env.find((e: { name: string }) => e.name === 'RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'etcd-backup-s3', key: 'secret-access-key' } });
    for (const script of [pod.initContainers[0].command[2], ship.command[2]]) expect(spawnSync('sh', ['-n'], { input: script }).status).toBe(0);
  });

  test('takes the model\'s schedule and keeps its number of snapshots; reaches stacked etcd on the node, dedicated at its first member', () => {
    const prod = cronJobOf('prod');
    expect(prod.spec.schedule).toBe('15 */4 * * *');
    expect(prod.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain('tail -n +7');
    expect(prod.spec.jobTemplate.spec.template.spec.initContainers[1].command).toContain('--endpoints=https://10.30.0.21:2379');
    const staging = cronJobOf('staging');
    expect(staging.spec.schedule).toBe('0 */6 * * *');
    expect(staging.spec.jobTemplate.spec.template.spec.initContainers[1].command).toContain('--endpoints=https://127.0.0.1:2379');
    // staging takes its images from its registry.
    expect(staging.spec.jobTemplate.spec.template.spec.initContainers.map((c: { image: string }) => c.image))
      .toEqual(['registry.staging.example.com/k8s/rclone/rclone:1.75.1', 'registry.staging.example.com/k8s/etcd:3.6.8-0']);
  });

  test('its scripts pick the installer\'s client certificate, then name, prune and ship the snapshot', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-etcd-backup-'));
    try {
      const pod = cronJobOf('dev').spec.jobTemplate.spec.template.spec;
      const root = (path: string) => join(folder, path);
      // A Kubespray control plane node: its etcd certificates under /etc/ssl/etcd/ssl.
      for (const dir of ['host/pki', 'host/ssl/etcd/ssl', 'certificates', 'backups', 'bin']) mkdirSync(root(dir), { recursive: true });
      for (const name of ['ca.pem', 'node-cp1.pem', 'node-cp1-key.pem']) writeFileSync(root(`host/ssl/etcd/ssl/${name}`), name);
      const inFolder = (script: string) => script.replace(/\/(host|certificates|backups)\b/g, `${folder}/$1`);
      const certificates = spawnSync('sh', ['-c', inFolder(pod.initContainers[0].command[2])], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', NODE_NAME: 'cp1' } });
      expect(certificates.status).toBe(0);
      expect(readdirSync(root('certificates')).sort()).toEqual(['ca.crt', 'client.crt', 'client.key']);
      expect(readFileSync(root('certificates/client.key'), 'utf8')).toBe('node-cp1-key.pem');
      // Three older snapshots and a new one: dev keeps two.
      for (const time of ['20260101T000000Z', '20260102T000000Z', '20260103T000000Z']) writeFileSync(root(`backups/etcd-cp1-${time}.db`), time);
      writeFileSync(root('backups/snapshot.partial'), 'new');
      writeFileSync(root('bin/rclone'), `#!/bin/sh\necho "$@" > ${folder}/rclone-args\n`);
      chmodSync(root('bin/rclone'), 0o755);
      spawnSync('touch', ['-d', '2026-01-01', ...['20260101T000000Z', '20260102T000000Z', '20260103T000000Z'].map(t => root(`backups/etcd-cp1-${t}.db`))]);
      const ship = pod.containers[0];
      const env = Object.fromEntries(ship.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
      const shipped = spawnSync('sh', ['-c', inFolder(ship.command[2])], { encoding: 'utf8', env: { ...env, PATH: `${root('bin')}:/usr/bin:/bin`, NODE_NAME: 'cp1' } });
      expect(shipped.status).toBe(0);
      const kept = readdirSync(root('backups')).sort();
      expect(kept).toHaveLength(2);
      expect(kept.some(name => /^etcd-cp1-\d{8}T\d{6}Z\.db$/.test(name) && readFileSync(root(`backups/${name}`), 'utf8') === 'new')).toBe(true);
      expect(readFileSync(join(folder, 'rclone-args'), 'utf8')).toMatch(/^copyto --s3-no-check-bucket \S+\/backups\/etcd-cp1-\d{8}T\d{6}Z\.db backup:etcd-backups\/dev\/etcd-cp1-\d{8}T\d{6}Z\.db\n$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the etcd backup spec', () => {
  const problems = (etcd: Partial<EtcdBackupSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', withBackup(etcd)));

  test.each([
    [{ schedule: 'every six hours' }, 'backups.etcd.schedule = "every six hours": must be a cron expression of five fields (minute hour day-of-month month day-of-week), such as "0 */6 * * *"'],
    [{ schedule: '0 */6 * *' }, 'backups.etcd.schedule = "0 */6 * *": must be a cron expression of five fields (minute hour day-of-month month day-of-week), such as "0 */6 * * *"'],
    [{ keep: 0 }, 'backups.etcd.keep = 0: must be a whole number, one or more: the newest snapshot is always kept'],
    [{ maxAge: '1d' }, 'backups.etcd.maxAge = "1d": must be minutes or hours, such as 13h'],
    [{ destination: { ...DESTINATION, endpoint: 'http://minio.example.com' } }, 'backups.etcd.destination.endpoint = "http://minio.example.com": must be an https:// URL: snapshots hold every Secret of the cluster'],
    [{ destination: { ...DESTINATION, bucket: 'Etcd_Backups' } }, 'backups.etcd.destination.bucket = "Etcd_Backups": must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens'],
    [{ destination: { ...DESTINATION, credentialsSecret: '' } }, 'backups.etcd.destination.credentialsSecret = "": must name a Secret in kube-system (keys access-key-id, secret-access-key): a destination needs credentials, which stay out of the model'],
  ])('refuses %j', (etcd, message) => {
    expect(problems(etcd)).toEqual([`[test/cluster] ${message}`]);
  });

  test('names the credentials Secret and the bucket as prerequisites', () => {
    const cluster = new ProductionCluster(Testing.chart(), 'cluster', withBackup({}));
    expect(cluster.prerequisites.filter(p => p.usedBy === 'backups.etcd')).toEqual([
      { kind: 'Bucket', name: 'etcd-backups/test', usedBy: 'backups.etcd',
        holds: ['a lifecycle rule: how long snapshots are kept', 'at https://minio.example.com', 'writable with those credentials'] },
      { kind: 'Secret', name: 'etcd-backup-s3', namespace: 'kube-system', holds: ['access-key-id', 'secret-access-key'], usedBy: 'backups.etcd' },
    ]);
  });

  test('its absence is a warning: a lost control plane would lose the cluster', () => {
    expect(warningsOf(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ backups: undefined })))).toContain(
      '[test/cluster] backups.etcd is not set: etcd is not backed up, so a lost control plane would lose the cluster\'s state');
    expect(warningsOf(new ProductionCluster(Testing.chart(), 'cluster', withBackup({}))).join('\n')).not.toContain('backups.etcd');
  });
});

test('isCronSchedule reads five fields as the CronJob controller does', () => {
  for (const valid of ['0 */6 * * *', '15 3 * * mon-fri', '*/5 * * * *', '0 0 1,15 * *', '0 12 * jan-mar 0', '@daily', '0 0 * * 7']) {
    expect({ valid, ok: isCronSchedule(valid) }).toEqual({ valid, ok: true });
  }
  for (const invalid of ['', '* * * *', '* * * * * *', '60 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 * 13 *', '0 0 * * 8', '5-1 * * * *', '*/0 * * * *', '@weekdays', 3]) {
    expect({ invalid, ok: isCronSchedule(invalid) }).toEqual({ invalid, ok: false });
  }
});

describe('the etcd backup alerts (promtool test rules)', () => {
  const run = (tests: unknown[]) => promtool(['test', 'rules', 'tests.yaml'], {
    'rules.yaml': { groups: [{ name: 'etcd-backup', rules: etcdBackupAlerts({ maxAge: '2h' }).rules.map(r => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity } })) }] },
    'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
  });

  test('fire when the last success is older than the limit, or there is none for as long', () => {
    const series = 'kube_cronjob_status_last_successful_time{namespace="kube-system",cronjob="etcd-backup"}';
    expect(run([{
      interval: '1m',
      // The last success at 0: fresh for two hours, then too old.
      input_series: [{ series, values: '0x200' }],
      alert_rule_test: [
        { eval_time: '1h59m', alertname: 'EtcdBackupTooOld', exp_alerts: [] },
        { eval_time: '2h15m', alertname: 'EtcdBackupTooOld', exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'kube-system', cronjob: 'etcd-backup' } }] },
        { eval_time: '2h15m', alertname: 'EtcdBackupNeverSucceeded', exp_alerts: [] },
      ],
    }, {
      interval: '1m',
      input_series: [{ series: 'up{job="kube-state-metrics"}', values: '1x200' }],
      alert_rule_test: [
        { eval_time: '1h', alertname: 'EtcdBackupNeverSucceeded', exp_alerts: [] },
        { eval_time: '2h5m', alertname: 'EtcdBackupNeverSucceeded', exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'kube-system', cronjob: 'etcd-backup' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });
});

describe('the restore runbook of each environment', () => {
  test('restores every member of prod\'s dedicated etcd under its own name, for kubeadm and for Kubespray', () => {
    const runbook = fileOf('prod/etcd-restore.md');
    expect(runbook).toContain('Members: prod-etcd-1 (10.30.0.21), prod-etcd-2 (10.30.0.22), prod-etcd-3 (10.30.0.23); etcd on dedicated hosts.');
    expect(runbook).toContain('     members=$members,prod-etcd-3=https://10.30.0.23:2380\n');
    expect(runbook).toContain('--name prod-etcd-2 --initial-cluster "$members" \\\n');
    expect(runbook).toContain('     members=$members,etcd3=https://10.30.0.23:2380\n');
    expect(runbook).toContain('--initial-advertise-peer-urls https://10.30.0.21:2380');
    expect(runbook).toContain('`example-prod-etcd-backups/prod` (AWS S3, eu-central-1)');
  });

  test('stops stacked etcd as a static pod on the control plane nodes of staging', () => {
    const runbook = fileOf('staging/etcd-restore.md');
    expect(runbook).toContain('mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/');
    expect(runbook).toContain('--name staging-control-plane-3 --initial-cluster "$members" \\\n');
  });

  test('its commands are shell the shell reads', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const blocks = [...fileOf(`${env}/etcd-restore.md`).matchAll(/```sh\n([\s\S]*?)```/g)].map(match => match[1]);
      // The container command, and a restore per member for kubeadm and for Kubespray.
      const controlPlane = REFERENCE_ENVIRONMENTS.find(e => e.name === env)!.controlPlane;
      expect(blocks.length).toBe(1 + 2 * (controlPlane.etcd?.count ?? controlPlane.count)!);
      for (const block of blocks) expect(spawnSync('sh', ['-n'], { input: block }).status).toBe(0);
    }
  });
});
