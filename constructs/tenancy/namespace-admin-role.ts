import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Labels } from '../core/labels';

const READ = ['get', 'list', 'watch'];
const MANAGE = [...READ, 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * What a tenant's admins may do in their own namespace. Every resource and
 * verb is named: no wildcards, no `escalate`, `bind` or `impersonate`.
 *
 * Read-only on purpose:
 * - `resourcequotas`, `limitranges`, `networkpolicies`: the isolation the
 *   platform sets. NetworkPolicies are additive, so even creating one could
 *   open what `default-deny` closes.
 * - `namespaces`: a RoleBinding grants access to its own namespace object,
 *   whose labels carry the Pod Security levels and node pool pinning.
 * - `endpoints`, `endpointslices`: writing them redirects a Service to any
 *   address, across namespaces (CVE-2021-25740).
 * - `ingresses`: routes are declared in the platform model, so that one
 *   tenant cannot claim another's host on the shared entry.
 * - `daemonsets`: a tenant workload on every node is the platform's call.
 */
export const NAMESPACE_ADMIN_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'pods', 'secrets', 'serviceaccounts', 'services'], verbs: MANAGE },
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['pods/eviction', 'serviceaccounts/token'], verbs: ['create'] },
  { apiGroups: [''], resources: ['endpoints', 'events', 'limitranges', 'namespaces', 'pods/log', 'pods/status', 'resourcequotas'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['controllerrevisions', 'daemonsets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: MANAGE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: MANAGE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: MANAGE },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: READ },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: READ },
];

export interface NamespaceAdminRoleProps {
  /**
   * Name of the ClusterRole.
   * @default 'namespace-admin'
   */
  readonly name?: string;
}

/**
 * The one ClusterRole that every tenant's RoleBinding refers to. Bound in a
 * namespace, it lets a team run its workloads there and nothing more: RBAC
 * refuses to let it grant others more than it holds.
 */
export class NamespaceAdminRole extends Construct {
  /** Name of the ClusterRole, for RoleBindings. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: NamespaceAdminRoleProps = {}) {
    super(scope, id);
    this.roleName = props.name ?? 'namespace-admin';
    new k8s.KubeClusterRole(this, 'role', {
      metadata: { name: this.roleName, labels: { [Labels.MANAGED_BY]: 'prodk8s' } },
      rules: NAMESPACE_ADMIN_RULES.map(rule => ({ ...rule })),
    });
  }
}
