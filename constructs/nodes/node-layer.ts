import type { CniSpec, KubeProxySpec } from '../cluster/cluster-spec';
import { Cidr } from '../core/cidr';
import { ImageRegistry } from '../core/image-registry';
import type { OidcSpec } from './api-server-hardening';
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
  /** Pull-through mirrors by upstream registry host. */
  readonly registryMirrors: Readonly<Record<string, readonly string[]>>;
  /** The one registry every image is pulled from, upstream paths kept; none pulls each image from its own registry. */
  readonly imageRegistry?: ImageRegistry;
  /** The OpenID Connect issuer the API server trusts, if any. */
  readonly oidc?: OidcSpec;
}

/** The address containerd pulls from a registry at: Docker Hub's images are served by registry-1.docker.io. */
export function registryServer(registry: string): string {
  return registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;
}

/** A NodePort the model uses, and where in the spec. */
export interface NodePortUse {
  readonly field: string;
  readonly port: number;
}

/**
 * Kernel modules every node loads before the kubelet starts: containerd's
 * overlay snapshotter, and br_netfilter, so that bridged pod traffic passes
 * iptables (and the bridge sysctls below exist).
 */
export const KERNEL_MODULES = ['overlay', 'br_netfilter'] as const;

/**
 * The kernel parameters a node needs to route pod traffic: forwarding (kubeadm's
 * preflight refuses a node without IPv4 forwarding) and bridged traffic through
 * iptables; IPv6 forwarding too for an IPv6 pod network. Kubespray sets them itself.
 */
export function hostNetworkSysctls(layer: Pick<NodeLayer, 'podCidr'>): Record<string, string> {
  return {
    'net.bridge.bridge-nf-call-ip6tables': '1',
    'net.bridge.bridge-nf-call-iptables': '1',
    'net.ipv4.ip_forward': '1',
    ...(Cidr.tryParse(layer.podCidr)?.family === 'ipv6' ? { 'net.ipv6.conf.all.forwarding': '1' } : {}),
  };
}

/** The pods every node of the cluster holds together, by their kubelets' `maxPods`. */
export function clusterPodCapacity(layer: Pick<NodeLayer, 'controlPlane' | 'pools'>): number {
  return [layer.controlPlane.nodes, ...layer.pools].reduce((pods, pool) => pods + pool.hosts.length * pool.kubelet.maxPods, 0);
}

/** The container runtime's socket: containerd, as kubeadm and Kubespray install it. */
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

/**
 * Refuses to render the files of an invalid model: throws a `SynthError` with
 * every problem of the cluster the layer belongs to (a bad version string,
 * say, would otherwise surface as a crash in the middle of a renderer).
 */
export function requireValidLayer(layer: NodeLayer): void {
  if (checkedLayers.has(layer)) return;
  requireValid(layer.controlPlane.node.scope ?? layer.controlPlane);
  checkedLayers.add(layer);
}

/**
 * Layers whose cluster was valid when they were taken: a layer is a view of
 * its cluster at one moment (`ProductionCluster.nodeLayer` makes a new one
 * each time), and the node files render dozens of documents from one.
 */
const checkedLayers = new WeakSet<NodeLayer>();
