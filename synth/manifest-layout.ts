/**
 * What places an object in the layout: its kind, name and namespace. Both a
 * cdk8s `ApiObject` and its rendered JSON have them, so objects can be laid
 * out before they are rendered.
 */
export interface PlacedObject {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}

/** A Kubernetes object as rendered. */
export interface KubeObject extends PlacedObject {
  readonly apiVersion: string;
  readonly [field: string]: unknown;
}

/** One manifest file: its name in the manifests folder and its objects, in apply order. */
export interface ManifestFile<T extends PlacedObject = KubeObject> {
  readonly name: string;
  readonly objects: readonly T[];
}

/** Kinds without a namespace. Any other kind must name its namespace. */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'IngressClass', 'MutatingWebhookConfiguration',
  'Namespace', 'PersistentVolume', 'PriorityClass', 'RuntimeClass', 'StorageClass', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration',
]);

/** Helm's install order: what others depend on comes first. Kinds not listed (custom resources) come last. */
const KIND_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];
const KIND_RANK = new Map(KIND_ORDER.map((kind, rank) => [kind, rank]));

/**
 * Groups objects into files that a plain `kubectl apply -f <folder>` applies
 * in a working order (it reads files by name): CRDs, then namespaces, then
 * other cluster-scoped objects, then one file per namespace. Within a file,
 * objects follow Helm's install order, then kind and name, so the layout never
 * depends on the order objects were created in.
 */
export function layoutManifests<T extends PlacedObject>(objects: readonly T[]): ManifestFile<T>[] {
  const files = new Map<string, T[]>();
  for (const object of objects) {
    const name = fileOf(object);
    const file = files.get(name) ?? [];
    file.push(object);
    files.set(name, file);
  }
  return [...files.keys()].sort(compareText).map(name => ({ name, objects: files.get(name)!.sort(compareObjects) }));
}

/** Kinds that are namespaced but carry no namespace: applying them would put them in `default`. */
export function unplacedObjects(objects: readonly PlacedObject[]): string[] {
  return objects
    .filter(o => !CLUSTER_SCOPED_KINDS.has(o.kind) && !o.metadata.namespace)
    .map(o => `${o.kind}/${o.metadata.name}`);
}

function fileOf(object: PlacedObject): string {
  if (object.kind === 'CustomResourceDefinition') return '00-crds.yaml';
  if (object.kind === 'Namespace') return '01-namespaces.yaml';
  if (!object.metadata.namespace) return '02-cluster.yaml';
  return `10-${object.metadata.namespace}.yaml`;
}

function compareObjects(a: PlacedObject, b: PlacedObject): number {
  const rank = (o: PlacedObject) => KIND_RANK.get(o.kind) ?? KIND_ORDER.length;
  return rank(a) - rank(b) || compareText(a.kind, b.kind) || compareText(a.metadata.name ?? '', b.metadata.name ?? '');
}

/** Code-unit order, the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
