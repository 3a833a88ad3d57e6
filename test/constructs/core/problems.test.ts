import { App, Chart, Testing } from 'cdk8s';
import { ClusterSpec, kubeadmInitDocuments, kubeProxyConfiguration, kubesprayInventory, ProductionCluster, requireValid, SynthError } from '../../../constructs';
import { markValid, renderValidated } from '../../../constructs/core/problems';
import { nodeFiles } from '../../../stacks/node-files';
import { environmentSummary } from '../../../stacks/summary';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';

const clusterOf = (spec: ClusterSpec) => new ProductionCluster(Testing.chart(), 'cluster', spec);

describe('renderers refuse an invalid model with its problems', () => {
  // A version that passes a pattern but not semver used to crash the renderers.
  const bad = () => clusterOf(clusterSpec({ kubernetesVersion: '1.36.04' }));
  const message = '[test/cluster] kubernetesVersion = "1.36.04"';

  test.each([
    ['nodeFiles', (c: ProductionCluster) => nodeFiles(c)],
    ['environmentSummary', (c: ProductionCluster) => environmentSummary(c)],
    ['kubeadmInitDocuments', (c: ProductionCluster) => kubeadmInitDocuments(c.nodeLayer)],
    ['kubeProxyConfiguration', (c: ProductionCluster) => kubeProxyConfiguration(c.nodeLayer)],
    ['kubesprayInventory', (c: ProductionCluster) => kubesprayInventory(c.nodeLayer)],
  ])('%s', (_, render) => {
    const cluster = bad();
    expect(() => render(cluster)).toThrow(SynthError);
    expect(() => render(cluster)).toThrow(message);
  });

  test('and render a valid one', () => {
    expect(nodeFiles(clusterOf(clusterSpec())).length).toBeGreaterThan(0);
  });
});

describe('requireValid', () => {
  test('validates a tree once, and again after constructs were added to it', () => {
    const cluster = clusterOf(clusterSpec());
    const validate = jest.spyOn(cluster.node, 'validate');
    requireValid(cluster);
    requireValid(cluster);
    expect(validate).toHaveBeenCalledTimes(1);
    cluster.addTenant(tenantSpec({ name: 'Bad_Name' }));
    expect(() => requireValid(cluster)).toThrow('[test/cluster/tenants/Bad_Name] name = "Bad_Name"');
  });

  test('trusts a tree validated as part of a larger one', () => {
    const cluster = clusterOf(clusterSpec());
    markValid(cluster);
    const validate = jest.spyOn(cluster.node, 'validate');
    requireValid(cluster);
    expect(validate).not.toHaveBeenCalled();
  });

  test('neither validates nor counts a tree while a synth renders it, and does both again after', () => {
    const cluster = clusterOf(clusterSpec());
    markValid(cluster);
    const findAll = jest.spyOn(cluster.node, 'findAll');
    expect(renderValidated([cluster], () => {
      requireValid(cluster);
      return 'rendered';
    })).toBe('rendered');
    expect(findAll).not.toHaveBeenCalled();
    cluster.addTenant(tenantSpec({ name: 'Bad_Name' }));
    expect(() => requireValid(cluster)).toThrow('[test/cluster/tenants/Bad_Name] name = "Bad_Name"');
  });

  test('takes the tree for what it is again when rendering fails', () => {
    const cluster = clusterOf(clusterSpec());
    expect(() => renderValidated([cluster], () => {
      throw new Error('disk full');
    })).toThrow('disk full');
    cluster.addTenant(tenantSpec({ name: 'Bad_Name' }));
    expect(() => requireValid(cluster)).toThrow('[test/cluster/tenants/Bad_Name] name = "Bad_Name"');
  });
});

describe('warnings in a user\'s own cdk8s app', () => {
  let emit: jest.SpyInstance;
  beforeEach(() => {
    emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('are emitted as process warnings when the app synthesizes, each once', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new ProductionCluster(new Chart(app, 'platform'), 'cluster', clusterSpec({ kubeProxy: { mode: 'ipvs' } }));
    app.synth();
    app.synth();
    expect(emit.mock.calls).toEqual([[expect.stringContaining('[platform/cluster] kubeProxy.mode = "ipvs": deprecated since Kubernetes 1.35'), 'ProdK8sWarning']]);
  });

  test('are not emitted again where prodk8s collects and prints them itself', () => {
    const { collectWarnings } = require('../../../constructs') as typeof import('../../../constructs');
    const app = new App({ outdir: Testing.app().outdir });
    new ProductionCluster(new Chart(app, 'platform'), 'cluster', clusterSpec({ kubeProxy: { mode: 'ipvs' } }));
    expect(collectWarnings(app)).toHaveLength(1);
    app.synth();
    expect(emit).not.toHaveBeenCalled();
  });
});
