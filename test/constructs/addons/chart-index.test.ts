import { CHART_INDEX, HelmAddon, HelmChart, Versions } from '../../../constructs';
import { unservedChart } from '../../../constructs/addons/chart-index';
import { bearerChallenge, newestFirst, versionsInIndex } from '../../../scripts/chart-index';
import { problemsOf } from '../../helpers/objects';

describe('the recorded chart index', () => {
  test.each(Object.entries(Versions.charts))('serves the pinned %s', (_, chart) => {
    expect(unservedChart(chart)).toBeUndefined();
    expect(CHART_INDEX[chart.repository]?.charts[chart.name]).toContain(chart.version);
  });

  test('says where each repository\'s versions were read, and which could not be read from an index', () => {
    for (const served of Object.values(CHART_INDEX)) expect(served.source).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(Object.entries(CHART_INDEX).filter(([, served]) => !served.verified).map(([repository]) => repository).sort())
      .toEqual(['https://charts.rook.io/release', 'https://docs.tigera.io/calico/charts', 'https://flannel-io.github.io/flannel/', 'https://grafana.github.io/helm-charts']);
  });
});

describe('a pin its repository does not serve', () => {
  const pin = (chart: Partial<HelmChart>) => problemsOf(scope => new HelmAddon(scope, 'addon', {
    chart: { ...Versions.charts.metricsServer, ...chart }, releaseName: 'metrics-server', namespace: 'kube-system', values: {},
  }));

  test('fails synth with what the repository serves', () => {
    expect(pin({ version: '3.13.9' })).toEqual([
      '[test/addon] chart.version = "3.13.9": must be a version its repository serves: https://kubernetes-sigs.github.io/metrics-server/ does not serve '
      + 'metrics-server 3.13.9 (recorded: 3.13.1, 3.13.0, 3.12.2, 3.12.1, 3.12.0, …); refresh constructs/addons/chart-index.json with scripts/chart-index.ts if it was published since',
    ]);
  });

  test('what the index cannot tell is not checked: another repository, another chart of a recorded one, a version older than those recorded', () => {
    expect(pin({ repository: 'https://charts.example.com', version: '9.9.9' })).toEqual([]);
    expect(pin({ repository: 'https://prometheus-community.github.io/helm-charts', name: 'prometheus-node-exporter', version: '4.56.1' })).toEqual([]);
    expect(pin({ version: '3.0.0' })).toEqual([]);
    expect(unservedChart({ ...Versions.charts.metricsServer, repository: 'https://kubernetes-sigs.github.io/metrics-server' })).toBeUndefined();
  });
});

describe('the refresh script\'s readers', () => {
  test('read a chart\'s versions from an index.yaml, newest first', () => {
    const index = 'apiVersion: v1\nentries:\n  demo:\n    - version: 1.2.0\n    - version: 1.10.0\n    - version: v0.9.0\n  other:\n    - version: 5.0.0\n';
    expect(versionsInIndex(index, 'demo')).toEqual(['1.10.0', '1.2.0', 'v0.9.0']);
    expect(versionsInIndex(index, 'missing')).toEqual([]);
    expect(newestFirst(['latest', '0.5.0', 'v0.5.0', 'sha256-abc'])).toEqual(['0.5.0', 'v0.5.0', 'latest', 'sha256-abc']);
  });

  test('read a registry\'s bearer challenge', () => {
    expect(bearerChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:nginx/charts/nginx-ingress:pull"')).toEqual({
      realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:nginx/charts/nginx-ingress:pull',
    });
  });
});
