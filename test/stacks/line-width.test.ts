import { ClusterSpec } from '../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { MAX_LINE_LENGTH } from '../../stacks/summary';
import { renderEnvironments } from '../../synth/synthesize';
import { clusterSpec, entryPool, generalPool, gpuPool } from '../fixtures/cluster-spec';

/** Every line longer than the limit, as `path:line: length`. */
function longLines(specs: readonly ClusterSpec[]): string[] {
  return renderEnvironments(specs).files.flatMap(file => file.content.split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.length > MAX_LINE_LENGTH)
    .map(({ line, index }) => `${file.path}:${index + 1}: ${line.length}`));
}

describe(`no generated line is longer than ${MAX_LINE_LENGTH} characters`, () => {
  test('in the reference environments: every file, the Terraform values and the summaries included', () => {
    expect(longLines(REFERENCE_ENVIRONMENTS)).toEqual([]);
  });

  test('in the other shapes of output: Argo CD, Flannel, ingress-nginx, a long environment name', () => {
    const pools = { nodePools: [generalPool(), gpuPool(), entryPool()] };
    expect(longLines([
      clusterSpec({ ...pools, name: 'argo', gitops: { engine: 'argocd' } }),
      clusterSpec({ ...pools, name: 'flannel', cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true } }),
      clusterSpec({ ...pools, name: 'legacy-entry', entry: { namespace: 'nginx-entry', controller: 'ingress-nginx' } }),
      clusterSpec({ name: 'a-long-environment-name-of-the-platform' }),
    ])).toEqual([]);
  });

  test('the check can fail: a long line is found', () => {
    const long = 'x'.repeat(MAX_LINE_LENGTH + 1);
    expect(longLines([clusterSpec({ addons: { metricsServer: { rawValues: { podAnnotations: { note: long } } } } })]).length).toBeGreaterThan(0);
  });
});
