import type { CertificateLifecycleSpec } from '../nodes/certificate-lifecycle';
import type { EtcdBackupSpec } from './etcd-backup';
import type { OperationsSpec } from './operations-access';
import type { ChartValues } from '../addons/chart-values';
import type { ContainerResources } from '../core/resources';
import type { KubePrometheusStackProps } from '../addons/kube-prometheus-stack';
import type { LogPipelineProps } from '../addons/log-pipeline';
import type { CustomPluginMonitor } from '../addons/node-problem-detector';
import type { EntryController } from '../entry/nginx-entry';
import type { RouteSpec } from '../entry/tenant-routes';
import type { GitOpsEngine } from '../gitops/gitops-releases';
import type { WorkloadSpec } from '../tenancy/tenant-workload';
import { HostSetSpec } from '../nodes/host-set';
import { KubeletProfile } from '../nodes/kubelet-profile';
import { NodeSku } from '../nodes/node-sku';
import type { NodePoolSpec } from '../nodes/node-pool';
import { PodSecurityProfile } from '../tenancy/pod-security';
import { PriorityClassSpec } from '../tenancy/priority-classes';
import { TenantOptions } from '../tenancy/tenant';
import type { TerraformBackendSpec } from './terraform-backend';
import type { OidcSpec } from '../nodes/api-server-hardening';
import type { StorageSpec } from '../storage/storage-classes';

/**
 * One environment's cluster as plain data: what `ProductionCluster` renders
 * and validates as a whole.
 */
export interface ClusterSpec {
  /** Name of the environment and its cluster (`dev`, `staging`, `prod`): a DNS-1123 label. */
  readonly name: string;
  /** Exact Kubernetes version, such as `1.36.4`, within `Versions.kubernetes`. */
  readonly kubernetesVersion: string;
  /** The cluster's address plan. */
  readonly networking: NetworkingSpec;
  /** The control plane nodes, their API endpoint and etcd. */
  readonly controlPlane: ControlPlaneSpec;
  /**
   * The pod network plugin.
   * @default Calico with VXLAN encapsulation
   */
  readonly cni?: CniSpec;
  /**
   * kube-proxy's mode.
   * @default { mode: 'iptables' }
   */
  readonly kubeProxy?: KubeProxySpec;
  /**
   * The cluster's PriorityClasses; tenants' priority budgets refer to them.
   * @default none
   */
  readonly priorityClasses?: readonly PriorityClassSpec[];
  /**
   * Pod Security levels of every tenant that sets none.
   * @default 'restricted' in every mode
   */
  readonly podSecurity?: PodSecurityProfile;
  /** The worker node pools, the entry pool among them; a tenant may be pinned to one. */
  readonly nodePools: readonly NodePoolSpec[];
  /**
   * The cluster's entry for external traffic.
   * @default { namespace: 'nginx-entry' }
   */
  readonly entry?: EntrySpec;
  /** The teams that share the cluster, one namespace each. */
  readonly tenants: readonly TenantSpec[];
  /**
   * The StorageClasses that volumes come from, each provided by the model (NFS through its CSI driver) or
   * declared external; every class Prometheus, Alertmanager or a quota names must be one of them.
   * @default none: nothing may ask for a volume
   */
  readonly storage?: StorageSpec;
  /**
   * Who the API server takes users and groups from, beyond client certificates: an OpenID Connect issuer
   * (structured authentication). The tenants' admin users and groups must then carry its prefixes.
   * @default client certificates only
   */
  readonly authentication?: AuthenticationSpec;
  /**
   * How deployment tools (Terraform's Helm provider) reach the cluster.
   * @default kubeconfig `~/.kube/config`, context named after the environment
   */
  readonly access?: ClusterAccessSpec;
  /**
   * Where Terraform keeps the state of the add-on releases (see `TerraformBackendSpec`).
   * @default a local state file beside the output folder, `.terraform-state/<env>.tfstate`
   */
  readonly terraform?: TerraformSpec;
  /**
   * Where the nodes pull images from.
   * @default every registry directly
   */
  readonly images?: ImagesSpec;
  /**
   * Extended resources a SKU declares that something outside the model advertises (a vendor's device
   * plugin or operator, installed separately): an external prerequisite. Those the model provides
   * (`nvidia.com/gpu`, by NVIDIA's device plugin) need no entry.
   * @default none
   */
  readonly externalExtendedResources?: readonly string[];
  /**
   * Which node installers to render files for.
   * @default both kubeadm and Kubespray
   */
  readonly outputs?: OutputsSpec;
  /**
   * A production cluster: shortcuts that weaken security need an explicit opt-in.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The add-ons beyond the pod network and the entry, each a pinned Helm release.
   * @default every add-on with its defaults
   */
  readonly addons?: AddonsSpec;
  /**
   * Settings of the alert rules derived from the model.
   * @default a tenant is warned at 90% of a quota
   */
  readonly alerts?: AlertsSpec;
  /**
   * Backups of the cluster's state.
   * @default none: synth warns, as a lost control plane would lose the cluster
   */
  readonly backups?: BackupsSpec;
  /**
   * The platform's on-call engineers: a namespace for their debugging pods, a toolbox image, and rights to debug
   * any pod and node that no tenant has.
   * @default none
   */
  readonly operations?: OperationsSpec;
  /**
   * The GitOps engine whose objects install the add-ons, written with the manifests.
   * @default Flux in `flux-system`
   */
  readonly gitops?: GitOpsSpec;
}

/** The cluster's add-ons and their settings. */
export interface AddonsSpec {
  /**
   * The approver of the kubelets' serving certificates, which the node layer always asks for; always installed.
   * @default names and addresses of the model's nodes only
   */
  readonly kubeletCsrApprover?: KubeletCsrApproverSpec;
  /**
   * NVIDIA's device plugin, installed on the pools whose SKU declares `nvidia.com/gpu`.
   * @default installed when a pool has GPUs
   */
  readonly nvidiaDevicePlugin?: NvidiaDevicePluginSpec;
  /**
   * The NFS CSI driver, installed when a StorageClass has provisioner `nfs`.
   * @default installed when needed
   */
  readonly nfsCsiDriver?: NfsCsiDriverSpec;
  /** metrics-server, for HPAs and `kubectl top`. */
  readonly metricsServer?: MetricsServerSpec;
  /** node-problem-detector on every node. */
  readonly nodeProblemDetector?: NodeProblemDetectorSpec;
  /** The Prometheus operator stack. */
  readonly monitoring?: MonitoringSpec;
  /**
   * Taint a node NoSchedule while node-problem-detector reports a problem on it, through SIG Node's Node
   * Readiness Controller.
   * @default off: the alerts and their runbooks only
   */
  readonly nodeProblemTaints?: NodeProblemTaintsSpec;
  /**
   * The log pipeline: Fluent Bit on every node ships the containers', the kubelet's, containerd's and the API
   * server's audit logs to Loki, each record labelled with environment, node pool, namespace and tenant.
   * @default none: synth warns, as logs then live on the nodes only, and go with them
   */
  readonly logging?: LoggingSpec;
}

// The rest comes from the model: the labels, the audit log, the endpoints, the registry.
export type LoggingSpec = Pick<LogPipelineProps, 'namespace' | 'retention' | 'store' | 'agent'>;

export interface KubeletCsrApproverSpec {
  readonly rawValues?: ChartValues;
}

export interface NodeProblemTaintsSpec {
  /** @default node-problem-detector's critical conditions */
  readonly conditions?: readonly string[];
  /** @default false */
  readonly dryRun?: boolean;
  readonly rawValues?: ChartValues;
}

export interface MetricsServerSpec {
  /**
   * Without metrics-server, HPAs on cpu or memory and `kubectl top` have no data.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * @default 2 with more than one control plane node (HA), else 1
   */
  readonly replicas?: number;
  /** @default '15s' */
  readonly metricResolution?: string;
  /** @default requests of 100m cpu and 200Mi memory, a 400Mi memory limit */
  readonly resources?: ContainerResources;
  /**
   * Skip verifying the kubelets' serving certificates. Refused while the node layer issues them (always,
   * through serverTLSBootstrap), and in production without `acceptInsecureKubeletTlsInProduction`.
   * @default false
   */
  readonly kubeletInsecureTls?: boolean;
  /** @default false */
  readonly acceptInsecureKubeletTlsInProduction?: boolean;
  readonly rawValues?: ChartValues;
}

export interface NvidiaDevicePluginSpec {
  /** Raw values of the nvidia-device-plugin chart, merged last. */
  readonly rawValues?: ChartValues;
}

export interface NfsCsiDriverSpec {
  /** Raw values of the csi-driver-nfs chart, merged last. */
  readonly rawValues?: ChartValues;
}

export interface NodeProblemDetectorSpec {
  /** @default the time-sync check */
  readonly customPluginMonitors?: readonly CustomPluginMonitor[];
  readonly rawValues?: ChartValues;
}

// The registry is the cluster's (`images.registry`), for every add-on alike.
export type MonitoringSpec = Omit<KubePrometheusStackProps, 'controlPlane' | 'dependsOn' | 'imageRegistry'>;

/** Settings of the generated alert rules. */
export interface AlertsSpec {
  /**
   * Share of a tenant's quota (of any resource) above which the tenant is warned.
   * @default 0.9
   */
  readonly quotaUsageShare?: number;
}

/** How GitOps installs the add-ons. */
export interface GitOpsSpec {
  /** `flux` (HelmRepository/OCIRepository + HelmRelease) or `argocd` (an Application per add-on). */
  readonly engine: GitOpsEngine;
  /**
   * Namespace of the engine.
   * @default 'flux-system' or 'argocd'
   */
  readonly namespace?: string;
}

/** The node installers a cluster is rendered for. */
export interface OutputsSpec {
  /**
   * kubeadm configuration in `dist/<env>/node/`.
   * @default true
   */
  readonly kubeadm?: boolean;
  /**
   * A Kubespray inventory in `dist/<env>/kubespray/`; the Kubernetes version must then be one the pinned Kubespray release installs.
   * @default true
   */
  readonly kubespray?: boolean;
}

/** How deployment tools reach the cluster. Never a credential: only where to find one at deploy time. */
/** The API server's sources of users and groups. */
export interface AuthenticationSpec {
  readonly oidc?: OidcSpec;
}

/** Where the nodes pull images from. */
export interface ImagesSpec {
  /**
   * Pull-through mirrors by upstream registry, tried in order before the registry itself:
   * `{ 'registry.k8s.io': ['https://mirror.internal:5000'], 'docker.io': ['https://hub-cache.internal'] }`.
   * containerd applies them to every image the node pulls (kubeadm's, the add-ons', the tenants'), so no image
   * reference changes; Kubespray gets the same as `containerd_registries_mirrors`. No credentials: a mirror
   * that needs them takes them from containerd's own configuration.
   * @default none
   */
  readonly mirrors?: Readonly<Record<string, readonly string[]>>;
  /**
   * The one registry every image is pulled from, for clusters that reach no upstream registry and have no
   * pull-through mirror: a host with an optional port and path, such as `registry.internal:5000` or
   * `harbor.example.com/k8s`. Each image keeps its upstream path and tag under it
   * (`registry.k8s.io/pause:3.10.2` → `registry.internal:5000/pause:3.10.2`), as registry-copying tools lay
   * them out: kubeadm's `imageRepository`, the sandbox image, kube-vip, Kubespray's `*_image_repo`, every
   * add-on chart's images and the tenants' workloads (those already on this registry's host stay as they are).
   * Not with `mirrors`, which serve the upstream references instead.
   * @default each image from its own registry
   */
  readonly registry?: string;
}

/** The Terraform stack of the add-ons. */
export interface TerraformSpec {
  /** @default `{ type: 'local' }`: a state file beside the output folder */
  readonly backend?: TerraformBackendSpec;
}

export interface ClusterAccessSpec {
  /**
   * Path of the kubeconfig file on the deploying machine; `~` is the user's home.
   * @default '~/.kube/config'
   */
  readonly kubeconfigPath?: string;
  /**
   * Context of the kubeconfig to use.
   * @default the environment's name
   */
  readonly kubeContext?: string;
}

/** The address plan of a cluster. */
export interface NetworkingSpec {
  /** Network of the pods, such as `10.244.0.0/16`. */
  readonly podCidr: string;
  /** Network of the Services' cluster IPs, such as `10.96.0.0/12`; at most a /12 for IPv4. */
  readonly serviceCidr: string;
  /**
   * DNS domain of the Services.
   * @default 'cluster.local'
   */
  readonly dnsDomain?: string;
  /**
   * Prefix length of the pod range each node gets from `podCidr`.
   * @default 24
   */
  readonly nodeCidrMaskSize?: number;
  /**
   * The ports Services of type NodePort may use, `first-last`.
   * @default '30000-32767'
   */
  readonly nodePortRange?: string;
}

/** The control plane: its nodes, the endpoint clients use, and etcd. */
export interface ControlPlaneSpec extends HostSetSpec {
  /** What one control plane machine offers. */
  readonly sku: NodeSku;
  /**
   * Virtual IP or load balancer in front of the API servers; required with more than one control plane node.
   * @default the first control plane node's address (a single API server)
   */
  readonly endpoint?: ApiEndpointSpec;
  /**
   * Dedicated etcd machines.
   * @default etcd runs on the control plane nodes (stacked)
   */
  readonly etcd?: HostSetSpec;
  /**
   * More names and addresses for the API server's certificate.
   * @default the endpoint and the control plane nodes only
   */
  readonly certSANs?: readonly string[];
  /**
   * Kubelet settings of the control plane nodes.
   * @default the prodk8s kubelet defaults
   */
  readonly kubelet?: KubeletProfile;
  /**
   * Kernel parameters of the control plane nodes.
   * @default only those the hardened kubelet requires
   */
  readonly sysctls?: Readonly<Record<string, string>>;
  /**
   * Lifetimes of the control plane's certificates and CAs; renewed monthly either way.
   * @default a year, and ten years for the CAs (kubeadm's defaults)
   */
  readonly certificates?: CertificateLifecycleSpec;
}

/** Where clients reach the API servers, and what provides that address. */
export interface ApiEndpointSpec {
  /** IP address or DNS name. */
  readonly address: string;
  /**
   * @default 6443
   */
  readonly port?: number;
  /**
   * What serves the address: `kube-vip`, a virtual IP that kube-vip (a static pod on every control plane node,
   * ARP and leader election) holds on one of them at a time; `external`, a load balancer or DNS name the
   * environment provides before `kubeadm init` (a prerequisite, stated in SUMMARY.md).
   * @default 'kube-vip' for an IP address, 'external' for a DNS name
   */
  readonly provider?: ApiEndpointProvider;
  /**
   * The network the control plane nodes share (CIDR), in which kube-vip announces the virtual IP by ARP.
   * Required with kube-vip: the address must lie in it, as every control plane node must, and be no node's.
   */
  readonly network?: string;
  /**
   * The interface kube-vip announces the address on.
   * @default the interface of the default route, as kube-vip finds it
   */
  readonly interface?: string;
}

export type ApiEndpointProvider = 'kube-vip' | 'external';

export type PodNetworkEncapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None';
export type FlannelBackend = 'vxlan' | 'host-gw' | 'wireguard';

/** The pod network plugin. */
export interface CniSpec {
  /** Calico enforces NetworkPolicy; Flannel does not. */
  readonly plugin: 'calico' | 'flannel';
  /**
   * Calico's encapsulation. `None` routes pod traffic unencapsulated: with BGP, or with per-node routes
   * in the VPC where a cloud network does not carry VXLAN or IP-in-IP between nodes.
   * @default 'VXLAN'
   */
  readonly calicoEncapsulation?: PodNetworkEncapsulation;
  /**
   * Whether Calico runs BGP (bird). Off with `None` means the network routes each node's pod range itself.
   * @default on for IPIP and None, off for VXLAN
   */
  readonly calicoBgp?: boolean;
  /**
   * Flannel's backend.
   * @default 'vxlan'
   */
  readonly flannelBackend?: FlannelBackend;
  /**
   * Calico: source-NAT of pod traffic that leaves the pod network.
   * @default true
   */
  readonly natOutgoing?: boolean;
  /**
   * Calico: prefix length of the address blocks handed to nodes.
   * @default 26
   */
  readonly blockSize?: number;
  /**
   * MTU of the pod interfaces.
   * @default detected by the plugin
   */
  readonly mtu?: number;
  /**
   * Flannel does not enforce NetworkPolicy, so the tenants' isolation would exist on paper only. Set this to
   * accept that knowingly; otherwise Flannel with tenants is an error.
   * @default false
   */
  readonly acceptUnenforcedNetworkPolicies?: boolean;
  /**
   * Raw values of the plugin's chart (tigera-operator or flannel), merged last.
   * @default none
   */
  readonly rawValues?: ChartValues;
}

export type KubeProxyMode = 'iptables' | 'nftables' | 'ipvs';

/** kube-proxy's configuration. */
export interface KubeProxySpec {
  /**
   * `iptables`, `nftables` (GA since Kubernetes 1.33) or `ipvs` (deprecated since 1.35).
   * @default 'iptables'
   */
  readonly mode?: KubeProxyMode;
  /**
   * IPVS scheduler, with mode `ipvs`.
   * @default 'rr'
   */
  readonly ipvsScheduler?: 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'sh' | 'dh' | 'sed' | 'nq';
  /**
   * Strict ARP, with mode `ipvs`; MetalLB in layer 2 needs it.
   * @default false
   */
  readonly ipvsStrictArp?: boolean;
}

/** The cluster's entry for external traffic. */
export interface EntrySpec {
  /** Namespace of the entry's controller; tenants accept connections from it. */
  readonly namespace: string;
  /**
   * The controller: F5's NGINX Ingress Controller, or the community ingress-nginx (retired in March 2026: a warning).
   * @default 'nginx'
   */
  readonly controller?: EntryController;
  /**
   * The IngressClass of the tenants' routes.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * A DaemonSet on every entry node, or a Deployment of `replicas` pods.
   * @default 'daemonset'
   */
  readonly kind?: 'daemonset' | 'deployment';
  /** @default one per entry node, with kind deployment */
  readonly replicas?: number;
  /** @default the chart's */
  readonly resources?: ContainerResources;
  /** Raw values of the controller's chart, merged last. */
  readonly rawValues?: ChartValues;
  /**
   * NodePorts of the entry's Service, where a load balancer in front of the entry nodes sends traffic. The
   * controller stays in the pod network, so the tenants' NetworkPolicies can tell its traffic by namespace.
   * @default http 30080, https 30443
   */
  readonly nodePorts?: EntryNodePorts;
}

/** The NodePorts an entry is reached on; both lie in `networking.nodePortRange`. */
export interface EntryNodePorts {
  readonly http: number;
  readonly https: number;
}

/** A tenant as an environment declares it. */
export interface TenantSpec extends TenantOptions {
  /**
   * HTTP routes from the cluster's entry to the tenant's Services, rendered as Ingresses. Tenants cannot
   * create Ingresses themselves: a route is declared here, where a host cannot be taken twice.
   * @default none
   */
  readonly routes?: readonly RouteSpec[];
  /**
   * Deployments of the tenant that the platform runs for it, each with its Service and, optionally, a
   * HorizontalPodAutoscaler.
   * @default none
   */
  readonly workloads?: readonly WorkloadSpec[];
  /**
   * Name of a node pool that the tenant's pods are pinned to.
   * @default the tenant's pods run on any node without taints
   */
  readonly nodePool?: string;
}

/** Backups of the cluster's state. */
export interface BackupsSpec {
  /** Scheduled etcd snapshots, shipped to object storage, alerted on, with a restore runbook per environment. */
  readonly etcd?: EtcdBackupSpec;
}
