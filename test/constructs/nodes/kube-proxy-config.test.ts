import { Testing } from 'cdk8s';
import { ClusterSpec, collectWarnings, kubeProxyConfiguration, ProductionCluster } from '../../../constructs';
import { clusterSpec } from '../../fixtures/cluster-spec';

function clusterOf(overrides: Partial<ClusterSpec>) {
  const chart = Testing.chart();
  return { chart, cluster: new ProductionCluster(chart, 'cluster', clusterSpec(overrides)) };
}

describe('kubeProxyConfiguration', () => {
  test('runs iptables by default, with the pod CIDR as cluster CIDR and metrics reachable for scraping', () => {
    expect(kubeProxyConfiguration(clusterOf({}).cluster.nodeLayer)).toEqual({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
      clusterCIDR: '10.244.0.0/16',
      metricsBindAddress: '0.0.0.0:10249',
    });
  });

  test('runs nftables when asked', () => {
    expect(kubeProxyConfiguration(clusterOf({ kubeProxy: { mode: 'nftables' } }).cluster.nodeLayer).mode).toBe('nftables');
  });

  test('configures IPVS, and warns that it is deprecated since Kubernetes 1.35', () => {
    const { chart, cluster } = clusterOf({ kubeProxy: { mode: 'ipvs', ipvsScheduler: 'lc', ipvsStrictArp: true } });
    expect(kubeProxyConfiguration(cluster.nodeLayer).ipvs).toEqual({ scheduler: 'lc', strictARP: true });
    expect(collectWarnings(chart)).toEqual([
      '[test/cluster] kubeProxy.mode = "ipvs": deprecated since Kubernetes 1.35 and planned to be off by default in 1.40; prefer nftables',
    ]);
  });

  test('does not warn about IPVS before Kubernetes 1.35', () => {
    const { chart } = clusterOf({ kubernetesVersion: '1.34.11', kubeProxy: { mode: 'ipvs' } });
    expect(collectWarnings(chart)).toEqual([]);
  });
});
