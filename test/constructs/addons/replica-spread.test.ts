import { Testing } from 'cdk8s';
import { HelmAddon, KubePrometheusStack, MetricsServer, NginxEntry, NginxEntryProps } from '../../../constructs';
import { helmTemplate } from '../../helpers/helm';

// Replicated add-ons rendered by their real charts: replicas spread over nodes, and drained one at a time.
jest.setTimeout(120_000);

const render = (release: HelmAddon) => helmTemplate(release, '1.36.4');
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The workload's pod labels, after checking that its spread selects exactly its own pods. */
function expectSpreadOverNodes(workload: Record<string, any>): Record<string, string> {
  const pod = workload.spec.template;
  const [spread, ...others] = pod.spec.topologySpreadConstraints;
  expect(others).toEqual([]);
  expect(spread).toMatchObject({
    maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', matchLabelKeys: ['pod-template-hash'],
    // Tainted nodes the pods do not tolerate are no domain: an empty one would keep a replica Pending.
    nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Honor',
  });
  expect(matches(spread.labelSelector.matchLabels, pod.metadata.labels)).toBe(true);
  expect(spread.labelSelector.matchLabels).toEqual(workload.spec.selector.matchLabels);
  return pod.metadata.labels;
}

/** The one budget of the workload's pods, exactly: the API server refuses one with both minAvailable and maxUnavailable. */
function expectBudget(objects: Record<string, any>[], podLabels: Record<string, string>, budget: Record<string, number>): void {
  const budgets = objects.filter(o => o.kind === 'PodDisruptionBudget' && matches(o.spec.selector.matchLabels, podLabels));
  expect(budgets).toHaveLength(1);
  const { selector, unhealthyPodEvictionPolicy, ...limits } = budgets[0].spec;
  expect(limits).toEqual(budget);
}

describe('metrics-server', () => {
  const server = (replicas: number) => new MetricsServer(Testing.chart(), 'metrics-server', { replicas, kubeletServingCertificates: true }).release;

  test('two replicas on two nodes, one left through a drain', () => {
    const objects = render(server(2));
    const labels = expectSpreadOverNodes(objects.find(o => o.kind === 'Deployment')!);
    expectBudget(objects, labels, { minAvailable: 1 });
  });

  test('one replica: no spread, no budget that would block a drain', () => {
    const objects = render(server(1));
    expect(objects.find(o => o.kind === 'Deployment')!.spec.template.spec).not.toHaveProperty('topologySpreadConstraints');
    expect(objects.some(o => o.kind === 'PodDisruptionBudget')).toBe(false);
  });
});

describe('Prometheus and Alertmanager', () => {
  const stack = (replicas: number) => new KubePrometheusStack(Testing.chart(), 'monitoring', {
    prometheus: { replicas }, alertmanager: { replicas: replicas + 1 }, controlPlane: { externalEtcdAddresses: [] },
  }).release;

  test('replicas on different nodes (required anti-affinity), each drained one at a time', () => {
    const objects = render(stack(2));
    for (const kind of ['Prometheus', 'Alertmanager']) {
      const spec = objects.find(o => o.kind === kind)!.spec;
      const [term] = spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(term.topologyKey).toBe('kubernetes.io/hostname');
      const name = kind.toLowerCase();
      expect(term.labelSelector.matchExpressions).toContainEqual({ key: 'app.kubernetes.io/name', operator: 'In', values: [name] });
      const budget = objects.find(o => o.kind === 'PodDisruptionBudget' && o.spec.selector.matchLabels['app.kubernetes.io/name'] === name)!;
      const { selector, unhealthyPodEvictionPolicy, ...limits } = budget.spec;
      // One replica at a time: 2 Prometheus, 3 Alertmanager.
      expect({ kind, limits }).toEqual({ kind, limits: { minAvailable: kind === 'Prometheus' ? 1 : 2 } });
    }
  });

  test('a single Prometheus keeps the chart\'s preferred anti-affinity, and no budget', () => {
    const objects = render(stack(1));
    expect(objects.find(o => o.kind === 'Prometheus')!.spec.affinity.podAntiAffinity).not.toHaveProperty('requiredDuringSchedulingIgnoredDuringExecution');
    expect(objects.some(o => o.kind === 'PodDisruptionBudget' && o.spec.selector.matchLabels['app.kubernetes.io/name'] === 'prometheus')).toBe(false);
  });
});

describe.each(['nginx', 'ingress-nginx'] as const)('the %s entry as a Deployment', controller => {
  const entry = (props: Partial<NginxEntryProps>) => new NginxEntry(Testing.chart(), 'entry', {
    controller, namespace: 'nginx-entry', kind: 'deployment',
    entryNodes: { poolLabel: { 'prodk8s.io/node-pool': 'entry' }, taints: [], count: 3 }, exposure: { nodePorts: { http: 30080, https: 30443 } },
    ...props,
  }).release;

  test('spreads its replicas over the entry nodes and keeps all but one through a drain', () => {
    const objects = render(entry({ replicas: 3 }));
    const labels = expectSpreadOverNodes(objects.find(o => o.kind === 'Deployment')!);
    expectBudget(objects, labels, controller === 'nginx' ? { maxUnavailable: 1 } : { minAvailable: 1 });
  });

  test('a single replica gets neither', () => {
    const objects = render(entry({ replicas: 1 }));
    expect(objects.find(o => o.kind === 'Deployment')!.spec.template.spec).not.toHaveProperty('topologySpreadConstraints');
    expect(objects.some(o => o.kind === 'PodDisruptionBudget')).toBe(false);
  });
});
