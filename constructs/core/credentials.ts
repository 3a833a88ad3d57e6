/**
 * Credentials in values that would be written into the output (and so into
 * a repository): found by their keys (`password`, `api_url`, `token`, …,
 * or an environment variable named so) and by their shape (private keys,
 * chat and incident webhooks, URLs with a password, well-known token
 * prefixes). References to credentials pass: Secret names and keys
 * (`existingSecret`, `passwordKey`, `secretName`), files (`*_file`, `*File`)
 * and `valueFrom`. A finding names where and what, never the value.
 */
export interface CredentialFinding {
  /** Dotted path of the value. */
  readonly path: string;
  /** What it looks like, such as `a password` or `a Slack webhook URL`. */
  readonly kind: string;
}

/** Keys whose string value is a credential, compared without case, `_`, `-` and `.`. */
const CREDENTIAL_KEYS: readonly [RegExp, string][] = [
  [/(password|passwd|passphrase)$/, 'a password'],
  [/(secret|clientsecret|secretkey|secretaccesskey)$/, 'a secret'],
  [/(token|apitoken|accesstoken|bearertoken|authtoken)$/, 'a token'],
  [/(apikey|accesskey|privatekey|routingkey|servicekey|integrationkey|licensekey)$/, 'a key'],
  [/(apiurl|webhookurl)$/, 'a URL with a credential in it'],
];

/**
 * Keys that name where a credential is, not the credential: `existingSecret…`, and names, files, paths
 * and references (`secretName`, `passwordFile`, `tokenRef`). A key's name in a Secret (`passwordKey`,
 * `apiUrlKey`) matches no credential key, as it ends in `key` after the credential's word.
 */
const REFERENCE_KEY = /^existing|(file|path|name|ref|mountpath)$/;

/** Values that are credentials whatever their key. */
const CREDENTIAL_VALUES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'a private key'],
  [/https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\//i, 'a Slack webhook URL'],
  [/https:\/\/[a-z0-9.-]*\.webhook\.office\.com\/|https:\/\/outlook\.office(365)?\.com\/webhook\//i, 'a Microsoft Teams webhook URL'],
  [/https:\/\/(discord|discordapp)\.com\/api\/webhooks\//i, 'a Discord webhook URL'],
  [/https:\/\/events\.pagerduty\.com\/integration\//i, 'a PagerDuty integration URL'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i, 'a URL with a password'],
  [/\b(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}|\bglpat-[A-Za-z0-9_-]{20,}/, 'a Git hosting token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key'],
];

const normalized = (key: string) => key.toLowerCase().replace(/[-_.]/g, '');

/** The kind of credential a key names, if it names one. */
function credentialKey(key: string): string | undefined {
  const name = normalized(key);
  if (REFERENCE_KEY.test(name)) return undefined;
  return CREDENTIAL_KEYS.find(([pattern]) => pattern.test(name))?.[1];
}

/** Every credential-shaped value in `values`, by path. */
export function credentialsIn(values: unknown, path = ''): CredentialFinding[] {
  if (typeof values === 'string') {
    const kind = CREDENTIAL_VALUES.find(([pattern]) => pattern.test(values))?.[1];
    return kind ? [{ path, kind }] : [];
  }
  if (Array.isArray(values)) return values.flatMap((item, index) => credentialsIn(item, `${path}[${index}]`));
  if (typeof values !== 'object' || values === null) return [];
  const entries = Object.entries(values as Record<string, unknown>);
  const found: CredentialFinding[] = [];
  // An environment variable: { name: 'GF_SECURITY_ADMIN_PASSWORD', value: '…' } (valueFrom is the way).
  const record = values as Record<string, unknown>;
  if (typeof record.name === 'string' && typeof record.value === 'string' && record.value !== '') {
    const kind = credentialKey(record.name);
    if (kind) found.push({ path: path ? `${path}.value` : 'value', kind: `${kind} (environment variable ${record.name})` });
  }
  for (const [key, value] of entries) {
    const at = path ? `${path}.${key}` : key;
    const kind = typeof value === 'string' && value !== '' ? credentialKey(key) : undefined;
    if (kind) found.push({ path: at, kind });
    else found.push(...credentialsIn(value, at));
  }
  return found;
}
