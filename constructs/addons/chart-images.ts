import { ImageRegistry } from '../core/image-registry';
import { Versions } from '../versions';
import { ChartValues } from './chart-values';

/** The values that put every image a chart can deploy under one registry. */
export type ChartImageValues = (registry: ImageRegistry) => ChartValues;

/**
 * Where each pinned chart sets its images, as its values.yaml has them at
 * that version: the values that move every image it can deploy, features
 * turned off included, under `images.registry` with upstream paths kept.
 * Charts with one registry setting get just that (every image they render
 * follows it); the others get each repository moved. The helm template tests
 * render the charts with these values and find no image outside the registry.
 */
export const ChartImages: { readonly [chart in keyof typeof Versions.charts]: ChartImageValues } = {
  calicoCrds: () => ({}),
  tigeraOperator: registry => ({
    tigeraOperator: { registry: registry.registry },
    calicoctl: { image: registry.image('quay.io/calico/ctl') },
    // The operator's own images (calico/node, calico/typha, …) come from the Installation; its registry ends with a slash.
    installation: { registry: `${registry.registry}/` },
  }),
  flannel: registry => ({
    flannel: {
      image: { repository: registry.image('ghcr.io/flannel-io/flannel') },
      flannel_cni: { image: { repository: registry.image('ghcr.io/flannel-io/flannel-cni-plugin') } },
    },
    netpol: { image: { repository: registry.image('registry.k8s.io/networking/kube-network-policies') } },
  }),
  metricsServer: registry => ({
    image: { repository: registry.image('registry.k8s.io/metrics-server/metrics-server') },
    addonResizer: { image: { repository: registry.image('registry.k8s.io/autoscaling/addon-resizer') } },
  }),
  kubeletCsrApprover: registry => ({
    image: { repository: registry.image('ghcr.io/postfinance/kubelet-csr-approver') },
  }),
  nodeProblemDetector: registry => ({
    image: { repository: registry.image('registry.k8s.io/node-problem-detector/node-problem-detector') },
  }),
  // Every image of the stack and of its sub-charts (Grafana, kube-state-metrics, node-exporter) follows global.imageRegistry.
  kubePrometheusStack: registry => ({ global: { imageRegistry: registry.registry } }),
  nginxIngress: registry => ({
    controller: {
      image: { repository: registry.image('nginx/nginx-ingress') },
      appprotect: {
        enforcer: { image: { repository: registry.image('private-registry.nginx.com/nap/waf-enforcer') } },
        configManager: { image: { repository: registry.image('private-registry.nginx.com/nap/waf-config-mgr') } },
        ipIntelligence: { image: { repository: registry.image('private-registry.nginx.com/nap/waf-ip-intelligence') } },
      },
    },
  }),
  ingressNginx: registry => ({ global: { image: { registry: registry.registry } } }),
  // The sidecars are <baseRepo><repository>; the driver's own repository is a full one.
  csiDriverNfs: registry => ({
    image: { baseRepo: registry.registry, nfs: { repository: registry.image('registry.k8s.io/sig-storage/nfsplugin') } },
  }),
  rookCeph: registry => ({
    image: { repository: registry.image('docker.io/rook/ceph') },
    // The Ceph-CSI images, which Rook hands to the CSI operator in its image-set ConfigMap.
    csi: Object.fromEntries(Object.entries({
      cephcsi: 'quay.io/cephcsi/cephcsi', registrar: 'registry.k8s.io/sig-storage/csi-node-driver-registrar',
      provisioner: 'registry.k8s.io/sig-storage/csi-provisioner', snapshotter: 'registry.k8s.io/sig-storage/csi-snapshotter',
      attacher: 'registry.k8s.io/sig-storage/csi-attacher', resizer: 'registry.k8s.io/sig-storage/csi-resizer', csiAddons: 'quay.io/csiaddons/k8s-sidecar',
    }).map(([name, upstream]) => [name, { repository: registry.image(upstream) }])),
    'ceph-csi-operator': { controllerManager: { manager: { image: { repository: registry.image('quay.io/cephcsi/ceph-csi-operator') } } } },
  }),
  // Its images are those of Rook's image-set ConfigMap.
  cephCsiDrivers: () => ({}),
  // Every Ceph daemon, the toolbox included, runs the Ceph image.
  rookCephCluster: registry => ({ cephImage: { repository: registry.image('quay.io/ceph/ceph') } }),
  nvidiaDevicePlugin: registry => ({
    // gpu-feature-discovery runs the same image; node-feature-discovery is a sub-chart.
    image: { repository: registry.image('nvcr.io/nvidia/k8s-device-plugin') },
    nfd: { image: { repository: registry.image('registry.k8s.io/nfd/node-feature-discovery') } },
  }),
  fluentBit: registry => ({
    image: { repository: registry.image('cr.fluentbit.io/fluent/fluent-bit') },
    testFramework: { image: { repository: registry.image('busybox') } },
    hotReload: { image: { repository: registry.image('ghcr.io/jimmidyson/configmap-reload') } },
  }),
  // Every image follows global.imageRegistry, but Docker Hub's official memcached keeps its library/ path.
  loki: registry => ({ global: { imageRegistry: registry.registry }, memcached: { image: { repository: 'library/memcached' } } }),
  nodeReadinessController: registry => ({
    image: { repository: registry.image('registry.k8s.io/node-readiness-controller/node-readiness-controller') },
  }),
};
