import { TaintSpec } from '../core/taint';
import { PodSecurityProfile } from '../tenancy/pod-security';
import { PriorityClassSpec } from '../tenancy/priority-classes';
import { TenantOptions } from '../tenancy/tenant';

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
  /**
   * Node pools, by name; a tenant may be pinned to one.
   * @default none
   */
  readonly nodePools?: readonly NodePoolSpec[];
  /**
   * The cluster's entry for external traffic.
   * @default { namespace: 'nginx-entry' }
   */
  readonly entry?: EntrySpec;
  /** The teams that share the cluster, one namespace each. */
  readonly tenants: readonly TenantSpec[];
  /**
   * How deployment tools (Terraform's Helm provider) reach the cluster.
   * @default kubeconfig `~/.kube/config`, context named after the environment
   */
  readonly access?: ClusterAccessSpec;
}

/** How deployment tools reach the cluster. Never a credential: only where to find one at deploy time. */
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
}

/** A group of alike nodes. */
export interface NodePoolSpec {
  /** Name of the pool: a DNS-1123 label. Its nodes carry the label `prodk8s.io/node-pool=<name>`. */
  readonly name: string;
  /**
   * Taints of the pool's nodes; a tenant pinned to the pool tolerates them.
   * @default none
   */
  readonly taints?: readonly TaintSpec[];
}

/** The cluster's entry for external traffic. */
export interface EntrySpec {
  /** Namespace of the entry's controller; tenants accept connections from it. */
  readonly namespace: string;
}

/** A tenant as an environment declares it. */
export interface TenantSpec extends TenantOptions {
  /**
   * Name of a node pool that the tenant's pods are pinned to.
   * @default the tenant's pods run on any node without taints
   */
  readonly nodePool?: string;
}
