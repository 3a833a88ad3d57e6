import * as fs from 'fs';
import * as path from 'path';

/**
 * Checks kubeadm, kubelet and kube-proxy documents against the field names
 * and Go types of their upstream `types.go` (there is no offline validator
 * for these APIs). The facts live in `../fixtures/kube-config-fields.json`:
 * struct name → JSON field → Go type, plus the structs embedded inline.
 */
type Struct = { fields: Record<string, string>; inline: string[] };
const STRUCTS: Record<string, Struct> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/kube-config-fields.json'), 'utf8'));

/** The Go package (a prefix of the struct names) of each API version. */
const PACKAGES: Record<string, string> = {
  'kubeadm.k8s.io/v1beta3': 'kubeadm.v1beta3',
  'kubeadm.k8s.io/v1beta4': 'kubeadm.v1beta4',
  'kubelet.config.k8s.io/v1beta1': 'kubelet',
  'kubeproxy.config.k8s.io/v1alpha1': 'kubeproxy',
  'audit.k8s.io/v1': 'audit.v1',
  'apiserver.config.k8s.io/v1': 'apiserver.v1',
  'apiserver.config.k8s.io/v1beta1': 'apiserver.v1beta1',
  'pod-security.admission.config.k8s.io/v1': 'podsecurity.v1',
};

/** Structs from other Kubernetes packages that these APIs embed or refer to. */
const FOREIGN: Record<string, Struct> = {
  TypeMeta: { fields: { apiVersion: 'string', kind: 'string' }, inline: [] },
  Taint: { fields: { key: 'string', value: 'string', effect: 'string', timeAdded: 'metav1.Time' }, inline: [] },
  EnvVar: { fields: { name: 'string', value: 'string', valueFrom: 'opaque' }, inline: [] },
  ScopedResourceSelectorRequirement: { fields: { scopeName: 'string', operator: 'string', values: '[]string' }, inline: [] },
  ClientConnectionConfiguration: {
    fields: { kubeconfig: 'string', acceptContentTypes: 'string', contentType: 'string', qps: 'float32', burst: 'int32' }, inline: [],
  },
};

/** Named types whose JSON form is a string. */
const STRING_TYPES = new Set([
  'string', 'metav1.Duration', 'metav1.Time', 'BootstrapTokenString', 'corev1.HostPathType', 'corev1.PullPolicy',
  'EncryptionAlgorithmType', 'ImagePullCredentialsVerificationPolicy', 'KubeletAuthorizationMode', 'LocalMode',
  'MemoryReservationPolicy', 'ProxyMode', 'ResourceChangeDetectionStrategy', 'Level', 'Stage',
  'AudienceMatchPolicyType', 'EgressSelectorType',
]);
const INTEGER_TYPES = new Set(['int', 'int32', 'int64']);
const NUMBER_TYPES = new Set(['float32', 'float64']);
/** Types whose content is another API's business (logging, tracing, node config sources): any value. */
const OPAQUE_TYPES = new Set(['opaque', 'logsapi.LoggingConfiguration', 'tracingapi.TracingConfiguration', 'v1.NodeConfigSource']);

/**
 * Every field of `doc` that its upstream type does not have, and every value
 * of the wrong JSON type, as `path: problem`. Empty for a valid document.
 */
export function configFieldProblems(doc: any): string[] {
  const pkg = PACKAGES[doc?.apiVersion];
  if (!pkg) return [`apiVersion: no field facts for ${JSON.stringify(doc?.apiVersion)}`];
  const root = `${pkg}.${doc.kind}`;
  if (!STRUCTS[root]) return [`kind: ${doc.kind} is not a kind of ${doc.apiVersion}`];
  // Every kind embeds TypeMeta (the facts of some kinds omit it); both were just checked.
  const { apiVersion, kind, ...fields } = doc;
  return check(fields, kind, pkg, kind);
}

function check(value: unknown, type: string, pkg: string, at: string): string[] {
  type = type.replace(/^\*/, '');
  if (OPAQUE_TYPES.has(type)) return [];
  if (type.startsWith('[]')) {
    if (!Array.isArray(value)) return [`${at}: expected a list (${type}), got ${JSON.stringify(value)}`];
    return value.flatMap((item, i) => check(item, type.slice(2), pkg, `${at}[${i}]`));
  }
  const map = /^map\[string\](.+)$/.exec(type);
  if (map) {
    if (!isObject(value)) return [`${at}: expected a map (${type}), got ${JSON.stringify(value)}`];
    return Object.entries(value).flatMap(([key, item]) => check(item, map[1], pkg, `${at}.${key}`));
  }
  if (type === 'v1.ResourceList') {
    if (!isObject(value)) return [`${at}: expected a resource list, got ${JSON.stringify(value)}`];
    return Object.entries(value).filter(([, q]) => typeof q !== 'string' && typeof q !== 'number')
      .map(([key, q]) => `${at}.${key}: expected a quantity, got ${JSON.stringify(q)}`);
  }
  if (STRING_TYPES.has(type)) return typeof value === 'string' ? [] : [`${at}: expected a string (${type}), got ${JSON.stringify(value)}`];
  if (type === 'bool') return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
  if (INTEGER_TYPES.has(type)) return Number.isInteger(value) ? [] : [`${at}: expected an integer (${type}), got ${JSON.stringify(value)}`];
  if (NUMBER_TYPES.has(type)) return typeof value === 'number' ? [] : [`${at}: expected a number (${type}), got ${JSON.stringify(value)}`];

  const struct = resolveStruct(type, pkg);
  if (!isObject(value)) return [`${at}: expected an object (${type}), got ${JSON.stringify(value)}`];
  const fields = allFields(struct, pkg);
  return Object.entries(value).flatMap(([key, item]) => key in fields
    ? check(item, fields[key], pkg, `${at}.${key}`)
    : [`${at}.${key}: unknown field of ${type}`]);
}

/** A struct's own fields plus those of the structs it embeds inline. */
function allFields(struct: Struct, pkg: string): Record<string, string> {
  return Object.assign({}, ...struct.inline.map(name => allFields(resolveStruct(name, pkg, true), pkg)), struct.fields);
}

/** The struct a Go type names, in the API's own package, another known package, or among the foreign ones. */
function resolveStruct(type: string, pkg: string, embedded = false): Struct {
  const qualified = /^\w+\./.test(type);
  const bare = type.replace(/^\w+\./, '');
  // An embedded `EnvVar` inside kubeadm's own `EnvVar` is core/v1's, not a recursion.
  const own = qualified || (embedded && bare === 'EnvVar') ? undefined : STRUCTS[`${pkg}.${bare}`];
  const found = own
    ?? (type.startsWith('bootstraptokenv1.') ? STRUCTS[`bootstraptoken.${bare}`] : undefined)
    ?? FOREIGN[bare];
  if (!found) throw new Error(`no field facts for the Go type ${type} (package ${pkg}): classify it in kube-config-fields.ts`);
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
