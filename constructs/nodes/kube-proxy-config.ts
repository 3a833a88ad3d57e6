import { compact } from './kubelet-configuration';
import { NodeLayer, requireValidLayer } from './node-layer';

/** The KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) of the cluster. */
export function kubeProxyConfiguration(layer: NodeLayer): Record<string, unknown> {
  requireValidLayer(layer);
  const { mode, ipvsScheduler, ipvsStrictArp } = layer.kubeProxy;
  return compact({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode,
    clusterCIDR: layer.podCidr,
    // Serve metrics beyond localhost so that Prometheus can scrape them.
    metricsBindAddress: '0.0.0.0:10249',
    ipvs: mode === 'ipvs' ? { scheduler: ipvsScheduler ?? 'rr', strictARP: ipvsStrictArp ?? false } : undefined,
  });
}
