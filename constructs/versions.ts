/** Every version prodk8s depends on, in one place and exact. */
export const Versions = {
  /**
   * Kubernetes minor versions the generated kubeadm, kubelet and kube-proxy
   * configuration supports, oldest first. kubeadm's API is v1beta3 below 1.31
   * and v1beta4 from it.
   */
  kubernetes: { oldestMinor: '1.30', newestMinor: '1.36', kubeadmV1beta4From: '1.31.0' },
  /**
   * The Kubespray the inventory is written for: master of 2026-08-21 (the 2.32
   * line), and the exact Kubernetes versions it has checksums for, hence installs.
   */
  kubespray: {
    commit: '46dbdd3994b32640bcd806b0097f50e8fdf1d514',
    kubernetes: [
      '1.34.0', '1.34.1', '1.34.2', '1.34.3', '1.34.4', '1.34.5', '1.34.6', '1.34.7', '1.34.8', '1.34.9', '1.34.10', '1.34.11',
      '1.35.0', '1.35.1', '1.35.2', '1.35.3', '1.35.4', '1.35.5', '1.35.6', '1.35.7', '1.35.8',
      '1.36.0', '1.36.1', '1.36.2', '1.36.3', '1.36.4',
    ],
  },
  /**
   * The sandbox (pause) image kubeadm expects for each Kubernetes minor (its
   * constants; Kubespray's pod_infra_supported_versions at the pinned commit
   * agree from 1.34), pinned in containerd's configuration by the node bootstrap.
   */
  /** kube-vip, which holds a control plane's virtual IP: the version Kubespray installs at the pinned commit. */
  kubeVip: { image: 'ghcr.io/kube-vip/kube-vip', version: 'v1.0.3' },
  /** Rancher's local-path provisioner (node-local volumes) and the helper image that creates the directories. */
  localPathProvisioner: { provisioner: 'docker.io/rancher/local-path-provisioner:v0.0.37', helper: 'docker.io/library/busybox:1.37.0' },
  /**
   * The etcd image kubeadm pins for each Kubernetes minor (its constants): the backups' etcdctl. Distroless: no shell.
   */
  etcdImages: { '1.30': '3.5.12-0', '1.31': '3.5.15-0', '1.32': '3.5.16-0', '1.33': '3.5.21-0', '1.34': '3.6.4-0', '1.35': '3.6.6-0', '1.36': '3.6.8-0' },
  pauseImages: { '1.30': '3.9', '1.31': '3.10', '1.32': '3.10', '1.33': '3.10', '1.34': '3.10.1', '1.35': '3.10.1', '1.36': '3.10.2' },
  /**
   * Every Helm chart an add-on installs, exact. The value keys each accepts
   * at its version are in `addons/chart-values/<name>.keys.json`.
   */
  charts: {
    calicoCrds: { repository: 'https://docs.tigera.io/calico/charts', name: 'crd.projectcalico.org.v1', version: 'v3.32.1' },
    tigeraOperator: { repository: 'https://docs.tigera.io/calico/charts', name: 'tigera-operator', version: 'v3.32.1' },
    flannel: { repository: 'https://flannel-io.github.io/flannel/', name: 'flannel', version: 'v0.28.9' },
    metricsServer: { repository: 'https://kubernetes-sigs.github.io/metrics-server/', name: 'metrics-server', version: '3.13.1' },
    kubeletCsrApprover: { repository: 'https://postfinance.github.io/kubelet-csr-approver', name: 'kubelet-csr-approver', version: '1.2.14' },
    nodeProblemDetector: { repository: 'oci://ghcr.io/deliveryhero/helm-charts', name: 'node-problem-detector', version: '2.4.1' },
    kubePrometheusStack: { repository: 'https://prometheus-community.github.io/helm-charts', name: 'kube-prometheus-stack', version: '88.5.3' },
    nginxIngress: { repository: 'oci://ghcr.io/nginx/charts', name: 'nginx-ingress', version: '2.6.4' },
    ingressNginx: { repository: 'https://kubernetes.github.io/ingress-nginx', name: 'ingress-nginx', version: '4.15.1' },
    csiDriverNfs: { repository: 'https://kubernetes-csi.github.io/csi-driver-nfs', name: 'csi-driver-nfs', version: '4.13.4' },
    // Ceph through Rook: the operator, the Ceph-CSI drivers (Rook 1.20 leaves them to their own chart, at the
    // version its tests install) and the cluster.
    rookCeph: { repository: 'https://charts.rook.io/release', name: 'rook-ceph', version: 'v1.20.6' },
    cephCsiDrivers: { repository: 'https://ceph.github.io/ceph-csi-operator', name: 'ceph-csi-drivers', version: '1.0.4' },
    rookCephCluster: { repository: 'https://charts.rook.io/release', name: 'rook-ceph-cluster', version: 'v1.20.6' },
    // The log pipeline: Fluent Bit on every node, Loki as the store.
    fluentBit: { repository: 'https://fluent.github.io/helm-charts', name: 'fluent-bit', version: '0.58.1' },
    loki: { repository: 'https://grafana.github.io/helm-charts', name: 'loki', version: '7.3.0' },
    nvidiaDevicePlugin: { repository: 'https://nvidia.github.io/k8s-device-plugin', name: 'nvidia-device-plugin', version: '0.20.0' },
    // SIG Node's Node Readiness Controller: chart 0.5.0 as registry.k8s.io serves it, promoted on 2026-08-20 and
    // built from main at or after 4ff905d (the v0.5.0 tag builds a chart versioned 0.1.0); see addons/chart-index.json.
    nodeReadinessController: { repository: 'oci://registry.k8s.io/node-readiness-controller/charts', name: 'node-readiness-controller', version: '0.5.0' },
  },
} as const;
