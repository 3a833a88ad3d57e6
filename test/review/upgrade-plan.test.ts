import { existsSync } from 'fs';
import { join } from 'path';
import { ClusterSpec, ProductionCluster } from '../../constructs';
import { planMarkdown, UPGRADE_DATA, UpgradeData, upgradePlan } from '../../review/upgrade-plan';
import { chartKubeVersions } from '../../scripts/chart-kube-versions';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { renderModel } from '../../synth/synthesize';

/** The plan of `spec` to `to`, the target model rendered as the command renders it. */
function planOf(spec: ClusterSpec, to: string, data?: UpgradeData) {
  const current = renderModel([spec]).clusters[0] as ProductionCluster;
  return upgradePlan(spec, current, to, undefined, data);
}

const at = (env: string, version: string): ClusterSpec => ({ ...REFERENCE_ENVIRONMENTS.find(spec => spec.name === env)!, kubernetesVersion: version });
const failing = (plan: ReturnType<typeof planOf>) => plan.checks.filter(check => !check.ok).map(check => `${check.check}: ${check.detail}`);

describe('an upgrade plan of one minor, for every environment', () => {
  test.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name] as const))('%s: 1.35.8 → 1.36.4 passes every check and gets the runbook in order', env => {
    const plan = planOf(at(env, '1.35.8'), '1.36.4');
    expect(failing(plan)).toEqual([]);
    expect(plan.checks.map(check => check.check).filter(name => !name.startsWith('chart '))).toEqual(['version', 'model', 'kubespray', 'APIs']);
    const sections = plan.runbook.split('\n').filter(line => line.startsWith('## '));
    expect(sections).toEqual(['## 0. Before', '## 1. Control plane (kubeadm)', '## 2. Node pools, one node at a time', '## 1–2 with Kubespray', '## 3. Add-ons', '## Pod Security versions']);
    // The first control plane node applies the upgrade; the others follow it.
    const spec = REFERENCE_ENVIRONMENTS.find(s => s.name === env)!;
    expect(plan.runbook).toContain(`1. On ${env}-control-plane-1: install kubeadm 1.36.4, then \`kubeadm upgrade plan v1.36.4\` and \`kubeadm upgrade apply v1.36.4\``);
    if ((spec.controlPlane.count ?? 1) > 1) expect(plan.runbook).toContain(`2. On ${env}-control-plane-2: install kubeadm 1.36.4, then \`kubeadm upgrade node\`.`);
    // Every pool, in the spec's order, after the control plane.
    const pools = spec.nodePools.map(pool => plan.runbook.indexOf(`Pool ${pool.name} (`));
    expect(pools.every(index => index > plan.runbook.indexOf('## 2.'))).toBe(true);
    expect([...pools].sort((a, b) => a - b)).toEqual(pools);
    expect(plan.runbook).toContain('`ansible-playbook -i inventory/hosts.yaml --become upgrade-cluster.yml -e kube_version=1.36.4 -e serial=1`');
    expect(plan.runbook).toContain('pod-security.kubernetes.io/*-version` labels move v1.35 → v1.36');
    expect(plan.runbook).toContain('kubectl -n kube-system create job --from=cronjob/etcd-backup etcd-backup-before-upgrade');
  });

  test('add-ons are upgraded after the nodes, in the order they install', () => {
    const spec = at('prod', '1.35.8');
    const plan = planOf(spec, '1.36.4');
    const cluster = renderModel([{ ...spec, kubernetesVersion: '1.36.4' }]).clusters[0];
    expect(plan.runbook).toContain(`They install in this order: ${cluster.addons.map(a => a.releaseName).join(', ')}.`);
    expect(plan.runbook.indexOf('## 3. Add-ons')).toBeGreaterThan(plan.runbook.indexOf('## 2. Node pools'));
  });

  test('names the etcd version each topology needs: kubeadm moves stacked etcd, dedicated members first', () => {
    expect(planOf(at('staging', '1.35.8'), '1.36.4').runbook).toContain('3. The etcd kubeadm runs as a static pod is upgraded with the control plane: 3.6.6-0 → 3.6.8-0.');
    expect(planOf(at('prod', '1.35.8'), '1.36.4').runbook).toContain('3. The etcd members are dedicated hosts: 3.6.6-0 → 3.6.8-0; upgrade each member to 3.6.8 or newer first');
  });

  test('a patch release keeps the Pod Security versions where they are', () => {
    const plan = planOf(at('dev', '1.36.3'), '1.36.4');
    expect(failing(plan)).toEqual([]);
    expect(plan.runbook).not.toContain('## Pod Security versions');
  });
});

describe('an unsafe path is refused with the reason, and no runbook', () => {
  test.each([
    ['skips a minor', '1.34.11', '1.36.4', 'version: 1.34.11 → 1.36.4: skips 1 minor version; upgrade one minor at a time (1.34 → 1.35)'],
    ['goes down', '1.36.4', '1.35.8', 'version: 1.36.4 → 1.35.8: a downgrade; Kubernetes does not support going back (restore an etcd snapshot instead)'],
    ['stays', '1.36.4', '1.36.4', 'version: 1.36.4 → 1.36.4: already there'],
    ['names no exact version', '1.36.4', '1.37', 'version: --to "1.37": must be an exact version such as 1.36.4'],
  ])('%s', (_, from, to, reason) => {
    const plan = planOf(at('dev', from), to);
    expect(failing(plan)).toEqual([reason]);
    expect(plan.runbook).toBe('');
    expect(planMarkdown(plan)).toContain('1 check failed: no runbook for this path.');
  });

  test('targets a minor the model does not support, or a patch the Kubespray pin has no checksums for', () => {
    expect(failing(planOf(at('dev', '1.36.4'), '1.37.0'))).toEqual([
      'model: the model is not valid at 1.37.0: [dev/cluster] kubernetesVersion = "1.37.0": must be a supported Kubernetes minor, 1.30 to 1.36',
      'kubespray: the pinned Kubespray (46dbdd39) has no checksums for 1.37.0; no recorded Kubespray release has either: '
      + 'set outputs.kubespray to false for the kubeadm path alone',
    ]);
    const pin = failing(planOf(at('dev', '1.36.4'), '1.36.5'));
    expect(pin).toHaveLength(2);
    expect(pin[0]).toMatch(/^model: the model is not valid at 1\.36\.5: \[dev\/cluster\] kubernetesVersion = "1\.36\.5": .*Kubespray/);
    expect(pin[1]).toBe('kubespray: the pinned Kubespray (46dbdd39) has no checksums for 1.36.5; no recorded Kubespray release has either: '
      + 'set outputs.kubespray to false for the kubeadm path alone');
  });

  test('names the Kubespray release that installs a target the pin does not', () => {
    const data: UpgradeData = { ...UPGRADE_DATA, kubesprayReleases: { ...UPGRADE_DATA.kubesprayReleases, 'v2.32.1': ['1.36.5'], 'v2.33.0': ['1.36.5', '1.37.0'] } };
    expect(failing(planOf(at('dev', '1.36.4'), '1.36.5', data))[1]).toBe('kubespray: the pinned Kubespray (46dbdd39) has no checksums for 1.36.5; '
      + 'Kubespray v2.33.0 has: pin it (Versions.kubespray), or set outputs.kubespray to false for the kubeadm path alone');
    // As recorded: v2.31.0 installs 1.35.4, v2.28.1 1.30.14.
    expect(UPGRADE_DATA.kubesprayReleases['v2.31.0']).toContain('1.35.4');
    expect(UPGRADE_DATA.kubesprayReleases['v2.28.1']).toContain('1.30.14');
  });

  test('a chart whose kubeVersion refuses the target, from the recorded constraints', () => {
    const data: UpgradeData = { ...UPGRADE_DATA, chartKubeVersions: { ...UPGRADE_DATA.chartKubeVersions, 'metrics-server-3.13.1': '<1.36.0-0' } };
    expect(failing(planOf(at('dev', '1.35.8'), '1.36.4', data))).toEqual([
      'chart metrics-server-3.13.1: kubeVersion <1.36.0-0 refuses 1.36.4: pin a chart version that admits both',
    ]);
  });

  test('a rendered object of an API version the target no longer serves', () => {
    const data: UpgradeData = { ...UPGRADE_DATA, removedApis: [...UPGRADE_DATA.removedApis, { in: '1.36', apiVersion: 'batch/v1', kinds: ['CronJob'] }] };
    expect(failing(planOf(at('dev', '1.35.8'), '1.36.4', data))).toEqual([
      'APIs: CronJob etcd-backup (batch/v1, removed in 1.36): move them to a served API version first',
    ]);
    // A removal after the target does not count.
    const later: UpgradeData = { ...UPGRADE_DATA, removedApis: [{ in: '1.37', apiVersion: 'batch/v1', kinds: ['CronJob'] }] };
    expect(failing(planOf(at('dev', '1.35.8'), '1.36.4', later))).toEqual([]);
  });
});

test('the recorded kubeVersion constraints are the charts\' own, as the cache holds them', () => {
  const cache = process.env.PRODK8S_CHARTS ?? join(__dirname, '../../../shared/charts');
  if (!existsSync(cache)) throw new Error(`no chart cache at ${cache}`);
  expect(UPGRADE_DATA.chartKubeVersions).toEqual(chartKubeVersions(cache));
  expect(UPGRADE_DATA.chartKubeVersions['kube-prometheus-stack-88.5.3']).toBe('>=1.25.0-0');
});
