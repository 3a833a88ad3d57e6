import { Testing } from 'cdk8s';
import { ChartValueKeys, MetricsServer, MetricsServerProps, unknownValueKeys, Versions } from '../../../constructs';
import keys from '../../../constructs/addons/chart-values/metrics-server.keys.json';
import { problemsOf } from '../../helpers/objects';

function metricsServer(props: Partial<MetricsServerProps> = {}): MetricsServer {
  return new MetricsServer(Testing.chart(), 'metrics', { kubeletServingCertificates: true, ...props });
}

function problems(props: Partial<MetricsServerProps>): string[] {
  return problemsOf(chart => new MetricsServer(chart, 'metrics', { kubeletServingCertificates: true, ...props }));
}

const DEFAULT_ARGS = [
  '--cert-dir=/tmp',
  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
  '--kubelet-use-node-status-port',
  '--metric-resolution=15s',
];

describe('MetricsServer values', () => {
  test('installs the pinned chart in kube-system with all values by default', () => {
    const release = metricsServer().release;
    expect(release.chart).toEqual(Versions.charts.metricsServer);
    expect(release.releaseName).toBe('metrics-server');
    expect(release.namespace).toBe('kube-system');
    expect(release.namespaceLabels).toEqual({});
    expect(release.dependsOn).toEqual([]);
    expect(release.values).toEqual({
      replicas: 1,
      defaultArgs: DEFAULT_ARGS,
      args: [],
      podDisruptionBudget: { enabled: false },
      resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '400Mi' } },
      priorityClassName: 'system-cluster-critical',
    });
  });

  test('prefers the nodes\' InternalIP and sets the metric resolution', () => {
    const args = metricsServer({ metricResolution: '30s' }).release.values.defaultArgs as string[];
    expect(args[1]).toBe('--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname');
    expect(args.filter(a => a.startsWith('--metric-resolution'))).toEqual(['--metric-resolution=30s']);
    expect(args).toEqual([...DEFAULT_ARGS.slice(0, 3), '--metric-resolution=30s']);
  });

  test('skips TLS verification only when asked', () => {
    expect(metricsServer({ kubeletServingCertificates: false }).release.values.args).toEqual([]);
    expect(metricsServer({ kubeletServingCertificates: false, kubeletInsecureTls: false }).release.values.args).toEqual([]);
    expect(metricsServer({ kubeletServingCertificates: false, kubeletInsecureTls: true }).release.values.args).toEqual(['--kubelet-insecure-tls']);
  });

  test.each<[number | undefined, object]>([
    [undefined, { enabled: false }],
    [1, { enabled: false }],
    [2, { enabled: true, minAvailable: 1 }],
    [3, { enabled: true, minAvailable: 1 }],
  ])('with %p replicas sets the disruption budget %p', (replicas, budget) => {
    const values = metricsServer({ replicas }).release.values;
    expect(values.replicas).toBe(replicas ?? 1);
    expect(values.podDisruptionBudget).toEqual(budget);
  });

  test('takes custom resources, with or without limits', () => {
    expect(metricsServer({ resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } } }).release.values.resources)
      .toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } });
    expect(metricsServer({ resources: { requests: { cpu: '50m', memory: '64Mi' } } }).release.values.resources)
      .toEqual({ requests: { cpu: '50m', memory: '64Mi' } });
  });

  test('merges raw values last and depends on what it is given', () => {
    const first = metricsServer().release;
    const release = metricsServer({ dependsOn: [first], rawValues: { args: ['--v=2'], podDisruptionBudget: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } } }).release;
    expect(release.values.args).toEqual(['--v=2']);
    expect(release.values.podDisruptionBudget).toEqual({ enabled: false, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(release.dependsOn).toEqual([first]);
  });

  test.each<[string, Partial<MetricsServerProps>]>([
    ['the defaults', {}],
    ['two replicas', { replicas: 2 }],
    ['insecure TLS', { kubeletServingCertificates: false, kubeletInsecureTls: true }],
    ['custom resources', { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } } }],
    ['raw values', { rawValues: { serviceMonitor: { enabled: true }, hostNetwork: { enabled: true }, tolerations: [{ operator: 'Exists' }] } }],
  ])('sets only values the chart knows, with %s', (_, props) => {
    expect(unknownValueKeys(metricsServer(props).release.values, (keys as ChartValueKeys).keys)).toEqual([]);
    expect(problems(props)).toEqual([]);
  });
});

describe('MetricsServer checks', () => {
  const CERTIFICATES = 'kubeletInsecureTls = true: the kubelets have serving certificates signed by the cluster CA (serverTLSBootstrap): verify them instead';
  const PRODUCTION = 'kubeletInsecureTls = true: is refused in production unless acceptInsecureKubeletTlsInProduction is set too';

  test('refuses insecure TLS while the kubelets have serving certificates', () => {
    expect(problems({ kubeletServingCertificates: true, kubeletInsecureTls: true })).toEqual([`[test/metrics] ${CERTIFICATES}`]);
  });

  test('refuses insecure TLS in production unless accepted', () => {
    expect(problems({ kubeletServingCertificates: false, kubeletInsecureTls: true, production: true })).toEqual([`[test/metrics] ${PRODUCTION}`]);
    expect(problems({ kubeletServingCertificates: false, kubeletInsecureTls: true, production: true, acceptInsecureKubeletTlsInProduction: false }))
      .toEqual([`[test/metrics] ${PRODUCTION}`]);
  });

  test('reports both reasons when both apply', () => {
    expect(problems({ kubeletServingCertificates: true, kubeletInsecureTls: true, production: true }))
      .toEqual([`[test/metrics] ${CERTIFICATES}`, `[test/metrics] ${PRODUCTION}`]);
  });

  test('allows insecure TLS without serving certificates outside production, or when accepted in production', () => {
    expect(problems({ kubeletServingCertificates: false, kubeletInsecureTls: true })).toEqual([]);
    expect(problems({ kubeletServingCertificates: false, kubeletInsecureTls: true, production: false })).toEqual([]);
    expect(problems({ kubeletServingCertificates: false, kubeletInsecureTls: true, production: true, acceptInsecureKubeletTlsInProduction: true })).toEqual([]);
  });

  test('does not mind production settings while TLS is verified', () => {
    expect(problems({ kubeletServingCertificates: true, production: true })).toEqual([]);
  });

  test.each<[string, Partial<MetricsServerProps>, string[]]>([
    ['no replicas', { replicas: 0 }, ['replicas = 0: must be a whole number, one or more']],
    ['a fractional replica count', { replicas: 1.5 }, ['replicas = 1.5: must be a whole number, one or more']],
    ['a resolution without a unit', { metricResolution: '15' }, ['metricResolution = "15": must be a duration of at least 10s, such as 15s: metrics-server refuses to start below it']],
    ['a resolution in hours', { metricResolution: '1h' }, ['metricResolution = "1h": must be a duration of at least 10s, such as 15s: metrics-server refuses to start below it']],
    ['a resolution below what metrics-server accepts', { metricResolution: '5s' }, ['metricResolution = "5s": must be a duration of at least 10s, such as 15s: metrics-server refuses to start below it']],
    ['a compound resolution', { metricResolution: '1m30s' }, ['metricResolution = "1m30s": must be a duration of at least 10s, such as 15s: metrics-server refuses to start below it']],
    ['a CPU request that is no quantity', { resources: { requests: { cpu: '1 core', memory: '64Mi' } } },
      ['resources.requests.cpu = "1 core": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi']],
    ['a memory request with a space', { resources: { requests: { cpu: '100m', memory: '64 Mi' } } },
      ['resources.requests.memory = "64 Mi": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi']],
    ['a CPU limit that is no quantity', { resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 'two' } } },
      ['resources.limits.cpu = "two": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi']],
    ['a negative memory limit', { resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '-1Gi' } } },
      ['resources.limits.memory = "-1Gi": must not be negative']],
  ])('refuses %s', (_, props, messages) => {
    expect(problems(props)).toEqual(messages.map(m => `[test/metrics] ${m}`));
  });

  test('accepts resolutions in seconds and minutes', () => {
    expect(problems({ metricResolution: '30s' })).toEqual([]);
    expect(problems({ metricResolution: '1m' })).toEqual([]);
  });
});
