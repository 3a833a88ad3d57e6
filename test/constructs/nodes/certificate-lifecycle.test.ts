import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { load } from 'js-yaml';
import { Testing } from 'cdk8s';
import {
  CERTIFICATE_RENEWAL_CALENDAR, CERTIFICATE_RENEWAL_SCRIPT, certificateAlerts, certificateRenewalScript, ProductionCluster,
} from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { promtool } from '../../helpers/promtool';
import { shellCommands } from '../../helpers/shell';

const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const fileOf = (path: string) => files.find(f => f.path === path)!.content;
type WrittenFile = { path: string; permissions: string; content: string };
const cloudInit = (path: string) => (load(fileOf(path).replace(/^#cloud-config\n/, '')) as { write_files: WrittenFile[] }).write_files;

describe('the control plane\'s certificate lifetimes', () => {
  const problems = (certificates: unknown) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({
    controlPlane: { ...clusterSpec().controlPlane, certificates } as never,
  })));

  test('are kubeadm\'s defaults unless set, in the ClusterConfiguration and Kubespray\'s variables', () => {
    const init = (load(fileOf('dev/node/kubeadm-init.yaml').replace(/^---\n(#.*\n)*/, '').split('\n---\n')[1]) ?? {}) as Record<string, unknown>;
    const cluster = fileOf('dev/node/kubeadm-init.yaml').split('\n---\n').map(d => load(d) as Record<string, unknown>).find(d => d?.kind === 'ClusterConfiguration')!;
    expect(init).toBeDefined();
    expect(cluster).toMatchObject({ certificateValidityPeriod: '8760h', caCertificateValidityPeriod: '87600h' });
    const kubespray = load(fileOf('dev/kubespray/inventory/group_vars/all/k8s-cluster.yml')) as Record<string, unknown>;
    expect(kubespray).toMatchObject({
      kube_cert_validity_period: '8760h', kube_ca_cert_validity_period: '87600h',
      auto_renew_certificates: true, auto_renew_certificates_systemd_calendar: CERTIFICATE_RENEWAL_CALENDAR,
    });
  });

  test.each([
    [{ validity: '1y' }, 'controlPlane.certificates.validity = "1y": must be whole hours, such as 8760h'],
    [{ validity: '720h' }, 'controlPlane.certificates.validity = "720h": must be at least 1776h: the monthly renewal renews what ends within 37 days'],
    [{ validity: '17520h', caValidity: '8760h' }, 'controlPlane.certificates.caValidity = "8760h": must be at least validity (17520h): a certificate cannot outlive its CA'],
    [{ caValidity: 'ten years' }, 'controlPlane.certificates.caValidity = "ten years": must be whole hours, such as 87600h'],
  ])('refuse %j', (certificates, message) => {
    expect(problems(certificates)).toEqual([`[test/cluster/control-plane] ${message}`]);
  });

  test('accept any lifetime from twice the renewal window up, the CA\'s no shorter', () => {
    expect(problems({ validity: '2160h', caValidity: '2160h' })).toEqual([]);
  });
});

describe('the monthly renewal on every kubeadm control plane node', () => {
  const controlPlaneFiles = files.map(f => f.path).filter(p => /\/node\/control-plane\/cloud-init-/.test(p));

  test('is written, enabled after kubeadm and run once, on every control plane node and no worker', () => {
    expect(controlPlaneFiles.length).toBe(7);
    for (const path of controlPlaneFiles) {
      const written = cloudInit(path);
      expect(written.find(f => f.path === CERTIFICATE_RENEWAL_SCRIPT)).toMatchObject({ permissions: '0755', content: certificateRenewalScript() });
      expect(written.map(f => f.path)).toEqual(expect.arrayContaining(['/etc/systemd/system/prodk8s-certs-renew.service', '/etc/systemd/system/prodk8s-certs-renew.timer']));
      const script = shellCommands(written.find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content);
      const kubeadm = script.findIndex(line => /^kubeadm (init|join) /.test(line));
      const enable = script.indexOf('systemctl daemon-reload && systemctl enable --now prodk8s-certs-renew.timer && systemctl start prodk8s-certs-renew.service');
      expect(enable).toBeGreaterThan(kubeadm);
    }
    expect(cloudInit('prod/node/pools/general/cloud-init-prod-general-1.yaml').some(f => f.path.includes('certs-renew'))).toBe(false);
  });

  test('its units pass systemd-analyze verify and its script sh -n', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-units-'));
    try {
      const written = cloudInit(controlPlaneFiles[0]);
      const script = join(folder, 'prodk8s-certs-renew');
      writeFileSync(script, written.find(f => f.path === CERTIFICATE_RENEWAL_SCRIPT)!.content);
      chmodSync(script, 0o755);
      expect(spawnSync('sh', ['-n', script]).status).toBe(0);
      // The service points at the script's copy: verify checks that its command exists.
      for (const unit of ['prodk8s-certs-renew.service', 'prodk8s-certs-renew.timer']) {
        writeFileSync(join(folder, unit), written.find(f => f.path === `/etc/systemd/system/${unit}`)!.content.replace(CERTIFICATE_RENEWAL_SCRIPT, script));
      }
      const verify = (...units: string[]) => spawnSync('systemd-analyze', ['verify', ...units], { cwd: folder, encoding: 'utf8' });
      expect(verify('prodk8s-certs-renew.timer', 'prodk8s-certs-renew.service')).toMatchObject({ status: 0, stderr: '' });
      // The check can fail: a timer with a calendar systemd cannot read.
      writeFileSync(join(folder, 'broken.timer'), '[Timer]\nOnCalendar=monthly-ish\n\n[Install]\nWantedBy=timers.target\n');
      expect(verify('broken.timer').status).not.toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('runs as kubeadm and crictl answer: renews only what ends within 37 days, and records every end date', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-renew-'));
    try {
      const bin = join(folder, 'bin');
      const log = join(folder, 'calls');
      spawnSync('mkdir', ['-p', bin]);
      const fake = (name: string, body: string) => {
        writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
        chmodSync(join(bin, name), 0o755);
      };
      const run = (ends: string) => {
        fake('kubeadm', `[ "$1 $2" = "certs check-expiration" ] && printf '${ends}'; true`);
        fake('crictl', 'echo pod-1');
        writeFileSync(log, '');
        const script = certificateRenewalScript().replace('metrics=/var/lib/prodk8s/metrics', `metrics=${folder}/metrics`);
        const result = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
        return { result, calls: require('fs').readFileSync(log, 'utf8') as string, metrics: require('fs').readFileSync(join(folder, 'metrics/control-plane-certificates.prom'), 'utf8') as string };
      };
      const far = 'apiserver false 2099-01-01T00:00:00Z\\nca true 2099-06-01T00:00:00Z\\n';
      const quiet = run(far);
      expect(quiet.result.status).toBe(0);
      expect(quiet.calls).not.toContain('certs renew');
      expect(quiet.metrics).toBe(
        'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="apiserver",authority="false"} 4070908800\n'
        // 2099-06-01 is 151 days after 2099-01-01 (no leap day in 2099): 4070908800 + 151 × 86400.
        + 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="ca",authority="true"} 4083955200\n');
      const soon = new Date(Date.now() + 10 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const due = run(`apiserver false ${soon}\\nca true 2099-06-01T00:00:00Z\\n`);
      expect(due.result.status).toBe(0);
      expect(due.calls).toContain('kubeadm certs renew all');
      expect(due.calls).toContain('crictl rmp -f pod-1');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the certificate alerts (promtool test rules)', () => {
  const run = (tests: unknown[]) => promtool(['test', 'rules', 'tests.yaml'], {
    'rules.yaml': { groups: [{ name: 'certificates', rules: certificateAlerts().rules.map(r => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity } })) }] },
    'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
  });
  const day = 86400;

  test('fire on a certificate the renewal left within 30 days, one within a week, a CA within a year, and a renewal 40 days silent', () => {
    // A sample every 4 minutes: Prometheus looks 5 minutes back for the latest one.
    expect(run([{
      interval: '4m',
      input_series: [
        // At t = 0 the series are already what they are: end dates in seconds since the epoch.
        { series: 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="apiserver",authority="false",node="cp1"}', values: `${20 * day}x40` },
        { series: 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="etcd-server",authority="false",node="cp1"}', values: `${5 * day}x40` },
        { series: 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="front-proxy-client",authority="false",node="cp1"}', values: `${60 * day}x40` },
        { series: 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="ca",authority="true",node="cp1"}', values: `${300 * day}x40` },
        { series: 'prodk8s_control_plane_certificate_expiry_timestamp_seconds{certificate="etcd-ca",authority="true",node="cp1"}', values: `${3000 * day}x40` },
        { series: 'node_textfile_mtime_seconds{file="/host/root/var/lib/prodk8s/metrics/control-plane-certificates.prom",node="cp1"}', values: '0x40' },
      ],
      alert_rule_test: [
        { eval_time: '2h', alertname: 'ControlPlaneCertificateExpiring', exp_alerts: [
          { exp_labels: { severity: 'warning', certificate: 'apiserver', authority: 'false', node: 'cp1' } },
          { exp_labels: { severity: 'warning', certificate: 'etcd-server', authority: 'false', node: 'cp1' } },
        ] },
        { eval_time: '2h', alertname: 'ControlPlaneCertificateExpiringSoon', exp_alerts: [
          { exp_labels: { severity: 'critical', certificate: 'etcd-server', authority: 'false', node: 'cp1' } },
        ] },
        { eval_time: '2h', alertname: 'ControlPlaneCertificateAuthorityExpiring', exp_alerts: [
          { exp_labels: { severity: 'warning', certificate: 'ca', authority: 'true', node: 'cp1' } },
        ] },
        // Written at time 0: at 2 h it is fresh.
        { eval_time: '2h', alertname: 'ControlPlaneCertificateRenewalStale', exp_alerts: [] },
      ],
    }, {
      interval: '4m',
      input_series: [
        // 42 days of samples, the file never written again.
        { series: 'node_textfile_mtime_seconds{file="/host/root/var/lib/prodk8s/metrics/control-plane-certificates.prom",node="cp1"}', values: '0x15200' },
      ],
      alert_rule_test: [
        { eval_time: '39d', alertname: 'ControlPlaneCertificateRenewalStale', exp_alerts: [] },
        { eval_time: '42d', alertname: 'ControlPlaneCertificateRenewalStale', exp_alerts: [{ exp_labels: { severity: 'warning', node: 'cp1',
          file: '/host/root/var/lib/prodk8s/metrics/control-plane-certificates.prom' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });
});

test('node-exporter reads the renewal\'s metrics: its textfile collector on the host\'s directory', () => {
  const cluster = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec());
  expect((cluster.addonSet.monitoring.release.values as any)['prometheus-node-exporter'].extraArgs)
    .toEqual(['--collector.textfile.directory=/host/root/var/lib/prodk8s/metrics']);
});
