import { ProductionCluster, RuleGroup, ruleFileGroup } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { clusterSpec, generalPool, gpuPool, tenantSpec } from '../../fixtures/cluster-spec';
import { problemsOf, synthObjects } from '../../helpers/objects';
import { promtool } from '../../helpers/promtool';

function clusterOf(spec = clusterSpec()): ProductionCluster {
  let cluster: ProductionCluster | undefined;
  synthObjects(chart => { cluster = new ProductionCluster(chart, 'cluster', spec); });
  return cluster!;
}

const ruleFile = (groups: readonly RuleGroup[]) => ({ groups: groups.map(ruleFileGroup) });

/** The same rules without annotations: `promtool test rules` would otherwise compare every rendered text. */
const behaviourFile = (groups: readonly RuleGroup[]) => ({
  groups: groups.map(ruleFileGroup).map(group => ({
    ...group, rules: (group.rules as any[]).map(({ annotations, ...rule }) => rule),
  })),
});

describe('the generated alert rules', () => {
  test.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('%s: promtool check rules accepts every group', (_, spec) => {
    const groups = clusterOf(spec).alertGroups;
    expect(groups.map(g => g.name)).toEqual(['prodk8s.node-problems', 'prodk8s.node-pressure', 'prodk8s.tenancy', 'prodk8s.certificates', 'prodk8s.etcd-backup', 'prodk8s.logging']);
    const output = promtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': ruleFile(groups) });
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('promtool check rules refuses a broken expression, so the check can fail', () => {
    const broken: RuleGroup = { name: 'broken', rules: [{ alert: 'X', expr: 'sum(', for: '1m', severity: 'warning', summary: 's', description: 'd', runbook: 'r' }] };
    expect(() => promtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': ruleFile([broken]) })).toThrow(/promtool check rules rules.yaml failed/);
  });

  test('every alert has a severity, a summary, a description and a runbook in the troubleshooting order', () => {
    for (const group of clusterOf().alertGroups) {
      for (const rule of group.rules) {
        expect(['critical', 'warning', 'info']).toContain(rule.severity);
        expect(rule.summary.length).toBeGreaterThan(10);
        expect(rule.description).toMatch(/\{\{ \$labels\.(node|namespace|replicaset|cronjob) \}\}/);
        // A workload's troubleshooting order; the certificates' and the backups' runbooks are their own.
        if (!['prodk8s.certificates', 'prodk8s.etcd-backup'].includes(group.name)) {
          expect(rule.runbook).toMatch(/kubectl describe pod[\s\S]*kubectl logs[\s\S]*--previous[\s\S]*events[\s\S]*describe node[\s\S]*network/);
        } else expect(rule.runbook).toMatch(/^1\. /);
      }
    }
  });

  test('alert on every condition node-problem-detector sets, custom checks included', () => {
    const alerts = clusterOf().alertGroups[0].rules.map(r => r.alert);
    expect(alerts).toEqual([
      'NodeCperHardwareErrorFatal', 'NodeKernelDeadlock', 'NodeXfsShutdown', 'NodeReadonlyFilesystem',
      'NodeFrequentContainerdRestart', 'NodeFrequentDockerRestart', 'NodeFrequentKubeletRestart', 'NodeContainerRuntimeUnhealthy',
      'NodeTimeNotSynchronized',
      'NodeKernelOops', 'NodeKernelOOMKilling', 'NodeKernelTaskHung', 'NodeKernelIOError', 'NodeKernelExt4Error',
    ]);
  });

  test('derive each pool\'s thresholds from its eviction settings', () => {
    const cluster = clusterOf(clusterSpec({
      nodePools: [generalPool({ kubelet: { evictionSoft: { 'memory.available': '1Gi', 'nodefs.available': '20%' }, evictionSoftGracePeriod: { 'memory.available': '1m', 'nodefs.available': '1m' } } }), gpuPool()],
    }));
    const rules = cluster.alertGroups[1].rules.filter(r => r.labels?.pool);
    const expr = (alert: string, pool: string) => rules.find(r => r.alert === alert && r.labels!.pool === pool)!.expr;
    // general: soft 1Gi = 1073741824 bytes, warned at 1.5×; soft nodefs 20%, warned at 25%.
    expect(expr('NodeMemoryNearEviction', 'general')).toBe('node_memory_MemAvailable_bytes{node=~"test-general-[1-3]"} < 1610612736');
    expect(expr('NodeMemoryEvicting', 'general')).toBe('node_memory_MemAvailable_bytes{node=~"test-general-[1-3]"} < 1073741824');
    expect(expr('NodeDiskNearEviction', 'general')).toContain('< 25');
    expect(expr('NodeDiskEvicting', 'general')).toMatch(/ < 20$/);
    // gpu: the hard default 500Mi = 524288000 bytes.
    expect(expr('NodeMemoryEvicting', 'gpu')).toBe('node_memory_MemAvailable_bytes{node=~"test-gpu-[1-2]"} < 524288000');
    expect(expr('NodeMemoryNearEviction', 'gpu')).toMatch(/ < 786432000$/);
    expect(expr('NodeDiskEvicting', 'gpu')).toMatch(/ < 10$/);
  });

  test('warn tenants at the quota share of the spec', () => {
    const rule = clusterOf(clusterSpec({ alerts: { quotaUsageShare: 0.8 } })).alertGroups[2].rules[0];
    expect(rule.expr).toBe('kube_resourcequota{namespace=~"team-a",type="used"} / ignoring(type) (kube_resourcequota{namespace=~"team-a",type="hard"} > 0) > 0.8');
    expect(rule.description).toContain('more than 80%');
  });

  test.each([[0], [1.5], [-0.1]])('refuse a quota share of %p', share => {
    const problems = problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ alerts: { quotaUsageShare: share } })));
    expect(problems).toEqual([`[test/cluster] alerts.quotaUsageShare = ${share}: must be a share of the quota above 0 and at most 1, such as 0.9`]);
  });
});

describe('the alerts fire on synthetic series, and only above their thresholds (promtool test rules)', () => {
  const cluster = clusterOf(clusterSpec({ tenants: [tenantSpec(), tenantSpec({ name: 'team-b' })] }));
  const run = (tests: unknown[]) => promtool(['test', 'rules', 'tests.yaml'], {
    'rules.yaml': behaviourFile(cluster.alertGroups),
    'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
  });

  test('node-problem-detector conditions and kernel events', () => {
    expect(run([{
      interval: '1m',
      input_series: [
        { series: 'kube_node_status_condition{condition="KernelDeadlock",status="true",node="n1"}', values: '0 0 1x10' },
        { series: 'kube_node_status_condition{condition="TimeNotSynchronized",status="true",node="n2"}', values: '1x10' },
        { series: 'kube_node_status_condition{condition="ReadonlyFilesystem",status="true",node="n3"}', values: '0x10' },
        { series: 'problem_counter{reason="OOMKilling",node="n4"}', values: '0 0 0 1 1 1' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'NodeKernelDeadlock', exp_alerts: [] },
        { eval_time: '5m', alertname: 'NodeKernelDeadlock', exp_alerts: [{ exp_labels: { severity: 'critical', condition: 'KernelDeadlock', status: 'true', node: 'n1' } }] },
        { eval_time: '5m', alertname: 'NodeTimeNotSynchronized', exp_alerts: [{ exp_labels: { severity: 'warning', condition: 'TimeNotSynchronized', status: 'true', node: 'n2' } }] },
        { eval_time: '5m', alertname: 'NodeReadonlyFilesystem', exp_alerts: [] },
        { eval_time: '2m', alertname: 'NodeKernelOOMKilling', exp_alerts: [] },
        { eval_time: '4m', alertname: 'NodeKernelOOMKilling', exp_alerts: [{ exp_labels: { severity: 'warning', reason: 'OOMKilling', node: 'n4' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('memory and disk near eviction, per pool, before the kubelet evicts', () => {
    // general (hard 500Mi = 524288000 B): warned below 786432000 B. test-gpu-1 has plenty; n9 is in no pool.
    expect(run([{
      interval: '1m',
      input_series: [
        { series: 'node_memory_MemAvailable_bytes{node="test-general-1"}', values: '700000000x10' },
        { series: 'node_memory_MemAvailable_bytes{node="test-general-2"}', values: '500000000x10' },
        { series: 'node_memory_MemAvailable_bytes{node="test-general-3"}', values: '800000000x10' },
        { series: 'node_memory_MemAvailable_bytes{node="n9"}', values: '1x10' },
        { series: 'node_filesystem_avail_bytes{node="test-gpu-1",mountpoint="/",fstype="ext4"}', values: '12x15' },
        { series: 'node_filesystem_size_bytes{node="test-gpu-1",mountpoint="/",fstype="ext4"}', values: '100x15' },
        { series: 'node_filesystem_avail_bytes{node="test-gpu-2",mountpoint="/",fstype="ext4"}', values: '20x15' },
        { series: 'node_filesystem_size_bytes{node="test-gpu-2",mountpoint="/",fstype="ext4"}', values: '100x15' },
      ],
      alert_rule_test: [
        { eval_time: '6m', alertname: 'NodeMemoryNearEviction', exp_alerts: [
          { exp_labels: { severity: 'warning', pool: 'general', node: 'test-general-1' } },
          { exp_labels: { severity: 'warning', pool: 'general', node: 'test-general-2' } },
        ] },
        { eval_time: '6m', alertname: 'NodeMemoryEvicting', exp_alerts: [
          { exp_labels: { severity: 'critical', pool: 'general', node: 'test-general-2' } },
        ] },
        { eval_time: '11m', alertname: 'NodeDiskNearEviction', exp_alerts: [
          { exp_labels: { severity: 'warning', pool: 'gpu', node: 'test-gpu-1', mountpoint: '/', fstype: 'ext4' } },
        ] },
        { eval_time: '11m', alertname: 'NodeDiskEvicting', exp_alerts: [] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('pressure conditions and NotReady', () => {
    expect(run([{
      interval: '1m',
      input_series: [
        { series: 'kube_node_status_condition{condition="MemoryPressure",status="true",node="n1"}', values: '1x5' },
        { series: 'kube_node_status_condition{condition="Ready",status="true",node="n2"}', values: '0x10' },
        { series: 'kube_node_status_condition{condition="Ready",status="true",node="n3"}', values: '1x10' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'NodeMemoryPressure', exp_alerts: [{ exp_labels: { severity: 'critical', condition: 'MemoryPressure', status: 'true', node: 'n1' } }] },
        { eval_time: '4m', alertname: 'NodeNotReady', exp_alerts: [] },
        { eval_time: '6m', alertname: 'NodeNotReady', exp_alerts: [{ exp_labels: { severity: 'critical', condition: 'Ready', status: 'true', node: 'n2' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('quota use above 90% of a tenant\'s quota, never for quotas of 0 or other namespaces', () => {
    const quota = (namespace: string, resource: string, type: string) =>
      `kube_resourcequota{namespace="${namespace}",resource="${resource}",resourcequota="compute",type="${type}"}`;
    expect(run([{
      interval: '1m',
      input_series: [
        { series: quota('team-a', 'requests.cpu', 'used'), values: '1.9x20' },
        { series: quota('team-a', 'requests.cpu', 'hard'), values: '2x20' },
        { series: quota('team-b', 'requests.cpu', 'used'), values: '1.5x20' },
        { series: quota('team-b', 'requests.cpu', 'hard'), values: '2x20' },
        { series: quota('team-b', 'services.nodeports', 'used'), values: '0x20' },
        { series: quota('team-b', 'services.nodeports', 'hard'), values: '0x20' },
        { series: quota('kube-system', 'requests.cpu', 'used'), values: '10x20' },
        { series: quota('kube-system', 'requests.cpu', 'hard'), values: '10x20' },
        { series: 'kube_pod_status_unschedulable{namespace="team-b",pod="p1"}', values: '1x20' },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'TenantQuotaNearlyFull', exp_alerts: [] },
        { eval_time: '16m', alertname: 'TenantQuotaNearlyFull', exp_alerts: [
          { exp_labels: { severity: 'warning', namespace: 'team-a', resource: 'requests.cpu', resourcequota: 'compute' } },
        ] },
        { eval_time: '11m', alertname: 'TenantPodsUnschedulable', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'team-b' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('a wrong expectation fails, so these tests can fail', () => {
    expect(() => run([{
      interval: '1m',
      input_series: [{ series: 'kube_node_status_condition{condition="KernelDeadlock",status="true",node="n1"}', values: '0x10' }],
      alert_rule_test: [{ eval_time: '5m', alertname: 'NodeKernelDeadlock', exp_alerts: [{ exp_labels: { severity: 'critical', node: 'n1' } }] }],
    }])).toThrow(/promtool test rules tests.yaml failed:[\s\S]*FAILED:[\s\S]*NodeKernelDeadlock/);
  });
});
