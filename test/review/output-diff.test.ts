import { ClusterSpec } from '../../constructs';
import { hasChanges, reportJson, reportMarkdown } from '../../review/diff-report';
import { Change, diffOutputs, DiffReport, valueChanges } from '../../review/output-diff';
import { landingAllocatable, poolAllocatable } from '../../stacks/summary';
import { renderEnvironments, renderModel } from '../../synth/synthesize';
import { clusterSpec, entryPool, generalPool, gpuPool, tenantSpec } from '../fixtures/cluster-spec';

type Files = Map<string, string>;

/** The diff of two models' synths, the base's files edited first where a test needs an output no model gives. */
function diffOf(base: readonly ClusterSpec[], head: readonly ClusterSpec[], editBase: (files: Files) => void = () => undefined): DiffReport {
  const baseFiles: Files = new Map(renderEnvironments(base).files.map(f => [f.path, f.content]));
  editBase(baseFiles);
  const { rendering, clusters } = renderModel(head);
  const cluster = (env: string) => clusters.find(c => c.name === env);
  return diffOutputs(baseFiles, new Map(rendering.files.map(f => [f.path, f.content])), {
    landingAllocatable: (env, tenant) => { const c = cluster(env); return c && landingAllocatable(c, tenant); },
    poolAllocatable: (env, pool) => { const c = cluster(env); return c && poolAllocatable(c, pool); },
  });
}

/** The changes of environment `test` in these areas. */
function changesOf(report: DiffReport, ...areas: Change['area'][]): Change[] {
  return report.environments.find(env => env.name === 'test')!.changes.filter(change => areas.length === 0 || areas.includes(change.area));
}

const BASE = clusterSpec({ tenants: [tenantSpec()] });
const withTenant = (overrides: Parameters<typeof tenantSpec>[0]) => clusterSpec({ tenants: [tenantSpec(overrides)] });

describe('prodk8s diff of two synths', () => {
  test('reports no change for the same model, and says so', () => {
    const report = diffOf([BASE], [BASE]);
    expect(report.environments).toEqual([{ name: 'test', status: 'unchanged', changes: [] }]);
    expect(hasChanges(report)).toBe(false);
    expect(reportMarkdown(report)).toBe('## prodk8s diff\n\n| environment | changes | risks |\n|---|---|---|\n| test | none |  |\n');
  });

  test('reports a tenant added or removed as one change, not the objects in its namespace', () => {
    const added = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec(), tenantSpec({ name: 'team-b', admins: { groups: ['team-b-admins'] } })] })]);
    expect(changesOf(added, 'tenants', 'quotas', 'rbac', 'network', 'limits', 'objects')).toEqual([{ area: 'tenants', subject: 'tenant team-b', after: 'added' }]);
    const removed = diffOf([clusterSpec({ tenants: [tenantSpec(), tenantSpec({ name: 'team-b' })] })], [BASE]);
    expect(changesOf(removed, 'tenants', 'quotas', 'rbac', 'network', 'limits', 'objects')).toEqual([
      { area: 'tenants', subject: 'tenant team-b', before: 'removed', note: 'its namespace and everything in it are deleted' },
    ]);
  });

  test('gives a quota change with its share of the allocatable the tenant can land on', () => {
    const report = diffOf([BASE], [withTenant({ quota: { requests: { cpu: '3', memory: '4Gi' }, limits: { memory: '8Gi' }, pods: 20 } })]);
    // 3 general nodes × 7810m = 23430m: 2 → 8.5%, 3 → 12.8%.
    expect(changesOf(report, 'quotas')).toEqual([{
      area: 'quotas', subject: 'ResourceQuota team-a/compute', field: 'requests.cpu', before: '2', after: '3',
      note: '8.5% → 12.8% of 23430m allocatable it can land on',
    }]);
    expect(changesOf(report).some(change => change.risk)).toBe(false);
  });

  test('marks a lower Pod Security level as a risk, a higher one not', () => {
    const lower = diffOf([BASE], [withTenant({ podSecurity: { enforce: 'baseline' } })]);
    expect(changesOf(lower, 'pod-security')).toEqual([{
      area: 'pod-security', subject: 'namespace team-a', field: 'enforce', before: 'restricted', after: 'baseline',
      risk: 'weakens isolation: pods the `restricted` level refused are admitted',
    }]);
    const higher = diffOf([withTenant({ podSecurity: { enforce: 'baseline' } })], [BASE]);
    expect(changesOf(higher, 'pod-security')).toEqual([{ area: 'pod-security', subject: 'namespace team-a', field: 'enforce', before: 'baseline', after: 'restricted' }]);
  });

  test('marks a new admin as a risk, an admin removed not', () => {
    const added = diffOf([BASE], [withTenant({ admins: { groups: ['team-a-admins', 'contractors'] } })]);
    expect(changesOf(added, 'rbac')).toEqual([{
      area: 'rbac', subject: 'RoleBinding team-a/namespace-admin', field: 'subject', after: 'Group contractors', note: 'gets ClusterRole namespace-admin', risk: 'a new admin',
    }]);
    const removed = diffOf([withTenant({ admins: { groups: ['team-a-admins', 'contractors'] } })], [BASE]);
    expect(changesOf(removed, 'rbac')).toEqual([{ area: 'rbac', subject: 'RoleBinding team-a/namespace-admin', field: 'subject', before: 'Group contractors' }]);
  });

  test('marks new egress as a risk, egress removed not', () => {
    const egress = [{ cidr: '192.0.2.0/24', ports: [{ port: 443 }] }];
    const added = diffOf([BASE], [withTenant({ egress })]);
    expect(changesOf(added, 'egress')).toEqual([{
      area: 'egress', subject: 'NetworkPolicy team-a/allow-egress', field: 'allows', after: 'egress to 192.0.2.0/24 on TCP 443', risk: 'new egress: more traffic allowed',
    }]);
    // The policy goes, and the namespace's default deny still isolates its egress.
    const removed = diffOf([withTenant({ egress })], [BASE]);
    expect(changesOf(removed, 'egress', 'network')).toEqual([
      { area: 'egress', subject: 'NetworkPolicy team-a/allow-egress', field: 'allows', before: 'egress to 192.0.2.0/24 on TCP 443' },
      { area: 'network', subject: 'NetworkPolicy team-a/allow-egress', before: 'removed' },
    ]);
  });

  test('marks a broader role and a NetworkPolicy removed as risks', () => {
    const report = diffOf([BASE], [BASE], files => {
      const path = 'test/manifests/02-cluster.yaml';
      files.set(path, files.get(path)!.replace(/\n +- deletecollection\n/, '\n'));
      // A policy that isolated the monitoring namespace, which no policy of the head isolates.
      files.set('test/manifests/10-team-a.yaml', `${files.get('test/manifests/10-team-a.yaml')}---\napiVersion: networking.k8s.io/v1\n`
        + 'kind: NetworkPolicy\nmetadata:\n  name: deny-all-extra\n  namespace: monitoring\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n');
    });
    const changes = changesOf(report, 'rbac', 'network');
    expect(changes.find(change => change.area === 'rbac')).toMatchObject({ subject: 'ClusterRole namespace-admin', field: 'allows', risk: 'broader role: whoever is bound to it may do more' });
    expect(changes.find(change => change.area === 'rbac')!.after).toMatch(/^deletecollection /);
    expect(changes.find(change => change.area === 'network' && change.before === 'removed')).toEqual({
      area: 'network', subject: 'NetworkPolicy monitoring/deny-all-extra', before: 'removed', risk: 'weakens isolation: Ingress of the namespace no longer isolated',
    });
  });

  test('marks a change of an immutable field as replacing the object', () => {
    const storage = (share: string): ClusterSpec => clusterSpec({
      tenants: [tenantSpec()],
      storage: { classes: [{ name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs.example.com', share } }], defaultClass: 'nfs' },
    });
    const report = diffOf([storage('/exports/a')], [storage('/exports/b')]);
    expect(changesOf(report, 'objects')).toEqual([{
      area: 'objects', subject: 'StorageClass nfs', field: 'parameters.share', before: '/exports/a', after: '/exports/b', risk: 'replaces the object: parameters cannot change',
    }]);
  });

  test('notes that a kubelet change restarts the pool\'s kubelets, with the allocatable it gives', () => {
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], nodePools: [generalPool({ kubelet: { systemReserved: { cpu: '200m', memory: '512Mi' } } }), gpuPool()] })]);
    const kubelet = changesOf(report, 'kubelet');
    expect(kubelet).toContainEqual({
      area: 'kubelet', subject: 'kubelet of pool general', field: 'KubeletConfiguration.systemReserved.cpu', before: '100m', after: '200m',
      note: 'restarts the kubelets of pool general; allocatable per node 7710m / 28110Mi / 110',
    });
    // The bootstrap of the pool's nodes carries the same kubelet patch: a new node gets it.
    expect(changesOf(report, 'nodes')).toContainEqual(expect.objectContaining({ subject: 'pool general', field: 'bootstrap' }));
  });

  test('reports nodes added to a pool once, and their Kubespray hosts as whole entries', () => {
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], nodePools: [generalPool({ count: 4 }), gpuPool()] })]);
    expect(changesOf(report, 'nodes')).toContainEqual({ area: 'nodes', subject: 'pool general', field: 'nodes', after: 'test-general-4', note: 'added' });
    const hosts = changesOf(report, 'kubespray').filter(change => change.subject === 'hosts.yaml');
    expect(hosts.find(change => change.field === 'all.hosts.test-general-4')!.after).toContain('ip: 10.0.1.13');
    expect(hosts.every(change => !change.field!.startsWith('all.hosts.test-general-4.'))).toBe(true);
  });

  test('gives add-on value paths old → new, and a chart version change', () => {
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], addons: { ...clusterSpec().addons, metricsServer: { replicas: 3 } } })], files => {
      const path = 'test/terraform/cdk.tf.json';
      files.set(path, files.get(path)!.replace('"version": "3.13.1"', '"version": "3.12.2"'));
    });
    const addons = changesOf(report, 'add-ons');
    expect(addons[0]).toEqual({ area: 'add-ons', subject: 'release metrics-server', field: 'version', before: '3.12.2', after: '3.13.1' });
    expect(addons).toContainEqual({ area: 'add-ons', subject: 'release metrics-server', field: 'values replicas', before: '1', after: '3' });
    // More than one replica: a PodDisruptionBudget comes with them.
    expect(addons).toContainEqual({ area: 'add-ons', subject: 'release metrics-server', field: 'values podDisruptionBudget.enabled', before: 'false', after: 'true' });
    expect(addons.every(change => change.subject === 'release metrics-server')).toBe(true);
  });

  test('reports alert rules whose threshold changed, with the expressions', () => {
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], nodePools: [generalPool({ kubelet: { evictionHard: { 'memory.available': '1Gi' } } }), gpuPool()] })]);
    const alert = changesOf(report, 'alerts').find(change => change.subject === 'alert NodeMemoryEvicting (general)')!;
    expect(alert).toEqual({
      area: 'alerts', subject: 'alert NodeMemoryEvicting (general)', field: 'expr',
      before: 'node_memory_MemAvailable_bytes{node=~"test-general-[1-3]"} < 524288000', after: 'node_memory_MemAvailable_bytes{node=~"test-general-[1-3]"} < 1073741824',
    });
    // Not again among the Prometheus stack's values, which carry the same rules.
    expect(changesOf(report, 'add-ons').filter(change => (change.field ?? '').includes('additionalPrometheusRulesMap'))).toEqual([]);
  });

  test('reports container limits and PriorityClass budgets', () => {
    const spec = (cpu: string, pods: number) => clusterSpec({
      priorityClasses: [{ name: 'high', value: 1000 }],
      tenants: [tenantSpec({ limits: { defaultRequest: { cpu, memory: '128Mi' } }, priorityQuotas: [{ priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods }] })],
    });
    const report = diffOf([spec('100m', 5)], [spec('200m', 8)]);
    expect(changesOf(report, 'limits')).toEqual([
      { area: 'limits', subject: 'LimitRange team-a/defaults', field: 'spec.limits[0].defaultRequest.cpu', before: '100m', after: '200m' },
    ]);
    expect(changesOf(report, 'quotas')).toEqual([{
      area: 'quotas', subject: 'ResourceQuota team-a/priority-high', field: 'pods', before: '5', after: '8', note: '1.5% → 2.4% of 330 allocatable it can land on',
    }]);
  });

  test('reports kubeadm and Kubespray settings, noting when they take effect', () => {
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], kubeProxy: { mode: 'nftables' } })]);
    expect(changesOf(report, 'kubeadm')).toEqual([
      { area: 'kubeadm', subject: 'kube-proxy.yaml', field: 'KubeProxyConfiguration.mode', before: 'iptables', after: 'nftables',
        note: 'kube-proxy: update its ConfigMap in kube-system and restart its pods' },
      { area: 'kubeadm', subject: 'kubeadm-init.yaml', field: 'KubeProxyConfiguration.mode', before: 'iptables', after: 'nftables',
        note: 'kube-proxy: update its ConfigMap in kube-system and restart its pods' },
    ]);
    expect(changesOf(report, 'kubespray')).toContainEqual({
      area: 'kubespray', subject: 'group_vars/all/k8s-cluster.yml', field: 'kube_proxy_mode', before: 'iptables', after: 'nftables',
      note: 'takes effect at the next cluster.yml (or upgrade-cluster.yml) run',
    });
  });

  test('reports alert rules added and removed with a pool', () => {
    const pools = (...extra: ReturnType<typeof entryPool>[]) => clusterSpec({ tenants: [tenantSpec()], nodePools: [generalPool(), gpuPool(), ...extra] });
    const added = changesOf(diffOf([pools()], [pools(entryPool())]), 'alerts');
    expect(added).toContainEqual({ area: 'alerts', subject: 'alert NodeMemoryEvicting (entry)', after: 'node_memory_MemAvailable_bytes{node=~"test-entry-[1-2]"} < 524288000', note: 'added' });
    const removed = changesOf(diffOf([pools(entryPool())], [pools()]), 'alerts');
    expect(removed.map(change => change.note)).toEqual(removed.map(() => 'removed'));
    expect(removed.length).toBe(added.length);
  });

  test('reports environments added and removed', () => {
    const report = diffOf([BASE], [clusterSpec({ name: 'other' })]);
    expect(report.environments).toEqual([
      { name: 'other', status: 'added', changes: [{ area: 'environments', subject: 'environment other', after: 'added' }] },
      { name: 'test', status: 'removed', changes: [{ area: 'environments', subject: 'environment test', before: 'removed' }] },
    ]);
  });

  test('groups the same change in several namespaces', () => {
    // One node more: the quota of every platform namespace admits more pods.
    const report = diffOf([BASE], [clusterSpec({ tenants: [tenantSpec()], nodePools: [generalPool({ count: 4 }), gpuPool()] })]);
    const quota = changesOf(report, 'quotas').find(change => change.subject.startsWith('ResourceQuota system-critical in '))!;
    expect(quota.subject).toBe('ResourceQuota system-critical in calico-system, kube-system, logging, node-problem-detector, nvidia-device-plugin');
  });
});

describe('the report', () => {
  const report = diffOf([BASE], [withTenant({ admins: { groups: ['team-a-admins', 'contractors'] }, quota: { requests: { cpu: '3', memory: '4Gi' }, limits: { memory: '8Gi' }, pods: 20 } })]);

  test('as Markdown for a pull request: a line per environment, the risks first, a table of the changes', () => {
    expect(reportMarkdown(report)).toBe([
      '## prodk8s diff',
      '',
      '| environment | changes | risks |',
      '|---|---|---|',
      '| test | 2 | 1 |',
      '',
      '### test',
      '',
      '**1 risk:**',
      '',
      '- **risk**: a new admin: RoleBinding team-a/namespace-admin subject added `Group contractors`',
      '',
      '| | area | what | change | note |',
      '|---|---|---|---|---|',
      '| **risk** | rbac | RoleBinding team-a/namespace-admin `subject` | added `Group contractors` | gets ClusterRole namespace-admin |',
      '| | quotas | ResourceQuota team-a/compute `requests.cpu` | `2` → `3` | 8.5% → 12.8% of 23430m allocatable it can land on |',
      '',
    ].join('\n'));
  });

  test('as JSON for tools, with the same changes', () => {
    expect(JSON.parse(reportJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(hasChanges(report)).toBe(true);
  });
});

describe('valueChanges', () => {
  test('compares maps by key, named lists by name, plain lists as sets, and a new subtree once', () => {
    expect(valueChanges(
      { a: 1, list: ['x', 'y'], containers: [{ name: 'app', image: 'a:1' }], gone: { deep: { x: 1 } } },
      { a: 2, list: ['y', 'z'], containers: [{ name: 'app', image: 'a:2' }], fresh: { one: 1, two: 2 } },
    )).toEqual([
      { path: 'a', before: '1', after: '2' },
      { path: 'containers[name=app].image', before: 'a:1', after: 'a:2' },
      { path: 'fresh', after: 'one: 1, two: 2' },
      { path: 'gone', before: 'deep.x: 1' },
      { path: 'list[x]', before: 'x' },
      { path: 'list[z]', after: 'z' },
    ]);
  });
});

test('the entry pool and GPU pools do not change the report of an unchanged model', () => {
  const spec = clusterSpec({ nodePools: [generalPool(), gpuPool(), entryPool()], tenants: [tenantSpec({ routes: [{ host: 'a.example.com', service: 'web', port: 80 }] })] });
  expect(hasChanges(diffOf([spec], [spec]))).toBe(false);
});
