import type { CniSpec, KubeProxySpec } from '../cluster/cluster-spec';
import { ControlPlane } from './control-plane';
import { NodePool } from './node-pool';

/** Everything the node installers' files are rendered from, with every default filled in. */
export interface NodeLayer {
  readonly clusterName: string;
  /** Exact version, such as `1.36.4`. */
  readonly kubernetesVersion: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly dnsDomain: string;
  readonly nodeCidrMaskSize: number;
  /** `first-last`. */
  readonly nodePortRange: string;
  readonly controlPlane: ControlPlane;
  /** The worker pools, entry pool included, in spec order. */
  readonly pools: readonly NodePool[];
  readonly kubeProxy: Required<Pick<KubeProxySpec, 'mode'>> & KubeProxySpec;
  readonly cni: CniSpec;
  /** Admission plugins the API server must run beyond its defaults. */
  readonly admissionPlugins: readonly string[];
}

/** The container runtime's socket: containerd, as kubeadm and Kubespray install it. */
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
