/**
 * Which node labels a kubelet may set on its own Node: the NodeRestriction
 * admission plugin refuses keys under `kubernetes.io/` and `k8s.io/` except these.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction
 */
const ALLOWED_KEYS = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/arch', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
]);
/** Label namespaces kubelets may use, with their subdomains (`example.node.kubernetes.io/`). */
const ALLOWED_DOMAINS = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

export function isKubeletSettableLabel(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const restricted = ['kubernetes.io', 'k8s.io'].some(domain => prefix === domain || prefix.endsWith(`.${domain}`));
  return !restricted || ALLOWED_KEYS.has(key) || ALLOWED_DOMAINS.some(domain => prefix === domain || prefix.endsWith(`.${domain}`));
}
