import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks } from '../core/checks';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';

/** How the platform's on-call engineers debug pods and nodes, with rights no tenant has. */
export interface OperationsSpec {
  /** The groups of the on-call engineers, as the API server names them (with the issuer's prefix). */
  readonly onCallGroups: readonly string[];
  /**
   * The namespace where their debugging pods run: Pod Security `privileged`, as node debugging needs the host's
   * namespaces and packet capture its network capabilities.
   * @default 'operations'
   */
  readonly namespace?: string;
  /**
   * The debugging image (tcpdump, dig, curl, nsenter, …), pinned by tag or digest.
   * @default 'docker.io/nicolaka/netshoot:v0.15'
   */
  readonly toolboxImage?: string;
}

export const DEFAULT_OPERATIONS_NAMESPACE = 'operations';
export const DEFAULT_TOOLBOX_IMAGE = 'docker.io/nicolaka/netshoot:v0.15';
/** The ClusterRole of the on-call engineers across the cluster. */
export const ON_CALL_ROLE = 'platform-on-call';

const READ = ['get', 'list', 'watch'];

/** An image reference with a tag other than `latest`, or a digest. */
export function isPinnedImage(image: unknown): boolean {
  if (typeof image !== 'string' || /\s/.test(image)) return false;
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1));
  return tag !== null && tag[1] !== 'latest';
}

export function checkOperations(checks: Checks, spec: OperationsSpec, tenantAdminGroups: ReadonlyMap<string, string>): void {
  const groups = spec.onCallGroups ?? [];
  checks.expect(Array.isArray(groups) && groups.length > 0, 'operations.onCallGroups', spec.onCallGroups, 'must name at least one group');
  groups.forEach((group, index) => {
    checks.expect(typeof group === 'string' && group.length > 0 && !/\s/.test(group), `operations.onCallGroups[${index}]`, group, 'must be a group name');
    const tenant = tenantAdminGroups.get(group);
    checks.expect(tenant === undefined, `operations.onCallGroups[${index}]`, group,
      `is an admin group of tenant ${tenant}: its members would get the platform's debugging rights; on-call and tenant groups stay apart`);
  });
  if (spec.namespace !== undefined) checks.dns1123Label('operations.namespace', spec.namespace);
  checks.expect(spec.toolboxImage === undefined || isPinnedImage(spec.toolboxImage), 'operations.toolboxImage', spec.toolboxImage,
    'must be pinned by a tag other than latest, or by a digest (@sha256:…), so that every debugging session runs the same tools');
}

export interface OperationsAccessProps {
  readonly spec: OperationsSpec;
  readonly environment: string;
  /** The registry every image comes from, the toolbox's too (`images.registry`). */
  readonly imageRegistry?: ImageRegistry;
}

/**
 * The on-call engineers' access: a `privileged` namespace for their debugging
 * pods (`kubectl debug node/<node> --profile=sysadmin`, a toolbox pod), and
 * across the cluster the right to read nodes and pods, their logs and events,
 * and to add ephemeral containers to any pod (`kubectl debug <pod>
 * --target=<container>`), which no tenant role grants outside its namespace.
 */
export class OperationsAccess extends Construct {
  public readonly namespace: string;
  public readonly toolboxImage: string;

  constructor(scope: Construct, id: string, props: OperationsAccessProps) {
    super(scope, id);
    const { spec } = props;
    this.namespace = spec.namespace ?? DEFAULT_OPERATIONS_NAMESPACE;
    const image = spec.toolboxImage ?? DEFAULT_TOOLBOX_IMAGE;
    this.toolboxImage = props.imageRegistry && isPinnedImage(image) ? props.imageRegistry.image(image) : image;
    const labels = { [Labels.MANAGED_BY]: 'prodk8s' };
    const subjects = [...spec.onCallGroups ?? []].map(name => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name }));
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...labels, [Labels.ENVIRONMENT]: props.environment,
          'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged',
        },
      },
    });
    new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: ON_CALL_ROLE, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'pods', 'pods/log', 'events', 'namespaces', 'services', 'endpoints', 'resourcequotas', 'limitranges'], verbs: READ },
        { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch', 'update'] },
        { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: READ },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: READ },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
        { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: READ },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: ON_CALL_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ON_CALL_ROLE },
      subjects,
    });
    // Debugging pods, node ones included, run only here.
    new k8s.KubeRole(this, 'role', {
      metadata: { name: ON_CALL_ROLE, namespace: this.namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', ...READ] },
        { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name: ON_CALL_ROLE, namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ON_CALL_ROLE },
      subjects,
    });
  }
}
