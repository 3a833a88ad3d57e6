import type { CniSpec, KubeProxySpec } from '../cluster/cluster-spec';
import { requireValid } from '../core/problems';
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
  /** Every NodePort the model uses, with the spec field that asks for it. */
  readonly nodePorts: readonly NodePortUse[];
  readonly controlPlane: ControlPlane;
  /** The worker pools, entry pool included, in spec order. */
  readonly pools: readonly NodePool[];
  readonly kubeProxy: Required<Pick<KubeProxySpec, 'mode'>> & KubeProxySpec;
  readonly cni: CniSpec;
  /** Admission plugins the API server must run beyond its defaults. */
  readonly admissionPlugins: readonly string[];
}

/** A NodePort the model uses, and where in the spec. */
export interface NodePortUse {
  readonly field: string;
  readonly port: number;
}

/** The container runtime's socket: containerd, as kubeadm and Kubespray install it. */
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

/**
 * Refuses to render the files of an invalid model: throws a `SynthError` with
 * every problem of the cluster the layer belongs to (a bad version string,
 * say, would otherwise surface as a crash in the middle of a renderer).
 */
export function requireValidLayer(layer: NodeLayer): void {
  requireValid(layer.controlPlane.node.scope ?? layer.controlPlane);
}
