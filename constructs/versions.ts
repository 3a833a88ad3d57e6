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
} as const;
