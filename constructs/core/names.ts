import toRegexRange = require('to-regex-range');
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

/** An S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
export function isS3BucketName(value: unknown): boolean {
  return typeof value === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value);
}

/**
 * The PriorityClasses Kubernetes makes for the system, usable in any
 * namespace since 1.17: a pod of either may preempt any other.
 */
export const SYSTEM_PRIORITY_CLASSES = ['system-cluster-critical', 'system-node-critical'] as const;

/**
 * A regular expression (RE2 and JavaScript alike, unanchored) that matches
 * exactly these names, kept short as the names of a pool's nodes are: runs
 * of numbered names become digit ranges (`prod-general-[1-6]`), and the
 * prefix all share is written once. Short enough to read in a rule or a
 * chart value, and the same whatever the order of the names.
 */
export function exactNamesPattern(names: readonly string[]): string {
  const unique = [...new Set(names)].sort();
  const common = commonPrefix(unique);
  const byPrefix = new Map<string, number[]>();
  const literals: string[] = [];
  for (const name of unique) {
    const numbered = /^(.*?)([1-9][0-9]{0,8})$/.exec(name.slice(common.length));
    if (!numbered) {
      literals.push(escapeRegex(name.slice(common.length)));
      continue;
    }
    // Pushed, not copied: a copy per name grows with the square of the names (a tenant per number).
    const numbers = byPrefix.get(numbered[1]);
    if (numbers) numbers.push(Number(numbered[2]));
    else byPrefix.set(numbered[1], [Number(numbered[2])]);
  }
  const alternatives = [
    ...[...byPrefix].map(([prefix, numbers]) => `${escapeRegex(prefix)}${numbersPattern(numbers)}`),
    ...literals,
  ].sort();
  return `${escapeRegex(common)}${group(alternatives)}`;
}

/** The numbers: those below 10 as one character class, longer runs as digit ranges. */
function numbersPattern(numbers: readonly number[]): string {
  const digits = runsOf(numbers.filter(n => n < 10)).map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join('');
  const ranges = runsOf(numbers.filter(n => n >= 10)).map(([from, to]) => toRegexRange(from, to, { capture: false }));
  const digitClass = digits === '' ? [] : [/^\d$/.test(digits) ? digits : `[${digits}]`];
  return group([...digitClass, ...ranges]);
}

function group(alternatives: readonly string[]): string {
  return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
}

/** Consecutive runs of whole numbers, as [first, last] pairs. */
function runsOf(numbers: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else runs.push([n, n]);
  }
  return runs;
}

/** The prefix of every name, cut back to a name boundary (after a '-' or '.'), so that no name becomes empty. */
function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let prefix = names[0];
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const boundary = Math.max(prefix.lastIndexOf('-'), prefix.lastIndexOf('.'));
  return prefix.slice(0, boundary + 1);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
