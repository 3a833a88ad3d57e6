/**
 * Kubernetes naming rules (RFC 1123), as the API server applies them.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label: at most 63 lower-case alphanumerics or '-', starting and ending alphanumeric (namespaces, most object names). */
export function isDns1123Label(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A DNS-1123 subdomain: dot-separated labels, at most 253 characters (PriorityClass and ClusterRole names, DNS domains). */
export function isDns1123Subdomain(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 253 && value.split('.').every(isDns1123Label);
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label or taint key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = value.slice(slash + 1);
  return (prefix === undefined || isDns1123Subdomain(prefix)) && name.length <= 63 && LABEL_NAME.test(name);
}

/** A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && LABEL_NAME.test(value)));
}

/**
 * The PriorityClasses Kubernetes makes for the system, usable in any
 * namespace since 1.17: a pod of either may preempt any other.
 */
export const SYSTEM_PRIORITY_CLASSES = ['system-cluster-critical', 'system-node-critical'] as const;
