import { SYSTEM_PRIORITY_CLASSES } from '../core/names';

/**
 * The API server's audit log and the encryption of Secrets at rest, one
 * definition for both installers: files and arguments for kubeadm, variables
 * for Kubespray, with the same paths on the hosts (Kubespray's).
 */

/** Where the audit policy is on a control plane node, and in the API server's pod. */
export const AUDIT_POLICY_FILE = '/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml';
/** The audit log's directory on the host, mounted in the API server's pod at `AUDIT_LOG_MOUNT`. */
export const AUDIT_LOG_HOST_DIRECTORY = '/var/log/kubernetes/audit';
const AUDIT_LOG_MOUNT = '/var/log/audit';
const AUDIT_LOG_NAME = 'kube-apiserver-audit.log';
const AUDIT_LOG_FILE = `${AUDIT_LOG_MOUNT}/${AUDIT_LOG_NAME}`;
/** The audit log as the host sees it, where the log agent reads it. */
export const AUDIT_LOG_HOST_FILE = `${AUDIT_LOG_HOST_DIRECTORY}/${AUDIT_LOG_NAME}`;
/** Rotation of the audit log: days kept, files kept, megabytes a file. */
export const AUDIT_LOG_ROTATION = { maxAgeDays: 30, maxBackups: 10, maxSizeMegabytes: 100 } as const;

/** Where the kubeadm path's encryption configuration is on a control plane node. */
export const ENCRYPTION_CONFIG_FILE = '/etc/kubernetes/encryption/secrets-encryption.yaml';
/**
 * The encryption key's placeholder: 32 random bytes, base64 (`head -c 32 /dev/urandom | base64`), the same on
 * every control plane node, filled in by the provisioning tool and never written by prodk8s.
 */
export const ENCRYPTION_KEY_PLACEHOLDER = '${KUBE_ENCRYPTION_KEY}';

type AuditRule = Record<string, unknown>;
const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * The audit policy: who did what, with the request where it changes the
 * tenants' isolation (namespaces, quotas, limit ranges, network policies,
 * RBAC, PriorityClasses) or what runs (pods, their exec and attach, apps and
 * batch workloads); Secrets, ConfigMaps and tokens at Metadata only, so that
 * no secret reaches the log; the control plane's and nodes' routine reads,
 * health checks and events dropped. The first matching rule decides.
 */
export function auditPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    rules: auditRules(),
  };
}

/** The rules, each logging from the response on (the request's receipt adds nothing): Kubespray takes them alone. */
export function auditRules(): AuditRule[] {
  const rules: AuditRule[] = [
    { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'],
      resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }] },
    { level: 'None', userGroups: ['system:nodes'], verbs: ['get', 'list', 'watch'], resources: [{ group: '', resources: ['nodes', 'nodes/status'] }] },
    { level: 'None', users: ['system:kube-controller-manager', 'system:kube-scheduler'], namespaces: ['kube-system'], verbs: ['get', 'update'],
      resources: [{ group: '', resources: ['endpoints'] }, { group: 'coordination.k8s.io', resources: ['leases'] }] },
    { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/metrics'] },
    { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
    { level: 'Metadata', resources: [
      { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
      { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
    ] },
    { level: 'Request', verbs: WRITES, resources: [
      { group: '', resources: ['namespaces', 'resourcequotas', 'limitranges'] },
      { group: 'networking.k8s.io', resources: ['networkpolicies'] },
      { group: 'rbac.authorization.k8s.io' },
      { group: 'scheduling.k8s.io', resources: ['priorityclasses'] },
    ] },
    { level: 'Request', verbs: WRITES, resources: [
      { group: '', resources: ['pods', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/ephemeralcontainers'] },
      { group: 'apps' },
      { group: 'batch' },
    ] },
    { level: 'Metadata' },
  ];
  return rules.map(rule => (rule.level === 'None' ? rule : { ...rule, omitStages: ['RequestReceived'] }));
}

/**
 * Secrets encrypted at rest with secretbox (XSalsa20-Poly1305), as Kubespray
 * does by default; `identity` last, so that Secrets written before still
 * read. The key is a placeholder (see `ENCRYPTION_KEY_PLACEHOLDER`).
 */
export function encryptionConfiguration(): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{
      resources: ['secrets'],
      providers: [{ secretbox: { keys: [{ name: 'key1', secret: ENCRYPTION_KEY_PLACEHOLDER }] } }, { identity: {} }],
    }],
  };
}

/** The API server's arguments for both (and the authentication configuration's), kubeadm's spelling. */
export function hardeningArgs(oidc?: OidcSpec): Record<string, string> {
  return {
    ...oidc ? { 'authentication-config': AUTHENTICATION_CONFIG_FILE } : {},
    'admission-control-config-file': ADMISSION_CONFIG_FILE,
    'audit-policy-file': AUDIT_POLICY_FILE,
    'audit-log-path': AUDIT_LOG_FILE,
    'audit-log-maxage': String(AUDIT_LOG_ROTATION.maxAgeDays),
    'audit-log-maxbackup': String(AUDIT_LOG_ROTATION.maxBackups),
    'audit-log-maxsize': String(AUDIT_LOG_ROTATION.maxSizeMegabytes),
    'encryption-provider-config': ENCRYPTION_CONFIG_FILE,
  };
}

/** The host paths the API server's pod needs for them, as kubeadm's `extraVolumes`. */
export function hardeningVolumes(oidc?: OidcSpec): Record<string, unknown>[] {
  return [
    ...oidc ? [{ name: 'authentication-config', hostPath: AUTHENTICATION_CONFIG_FILE, mountPath: AUTHENTICATION_CONFIG_FILE, readOnly: true, pathType: 'File' }] : [],
    { name: 'admission-config', hostPath: ADMISSION_CONFIG_FILE, mountPath: ADMISSION_CONFIG_FILE, readOnly: true, pathType: 'File' },
    { name: 'audit-policy', hostPath: AUDIT_POLICY_FILE, mountPath: AUDIT_POLICY_FILE, readOnly: true, pathType: 'File' },
    { name: 'audit-log', hostPath: AUDIT_LOG_HOST_DIRECTORY, mountPath: AUDIT_LOG_MOUNT, readOnly: false, pathType: 'DirectoryOrCreate' },
    { name: 'encryption-config', hostPath: ENCRYPTION_CONFIG_FILE, mountPath: ENCRYPTION_CONFIG_FILE, readOnly: true, pathType: 'File' },
  ];
}

/**
 * Kubespray's variables for the same: its audit log (same host paths), its
 * policy with these rules, and its own encryption of Secrets (secretbox; it
 * generates the key and keeps it in its credentials directory).
 */
export function hardeningKubesprayVars(rulesYaml: string, oidc?: OidcSpec): Record<string, unknown> {
  return {
    ...oidc ? { kube_apiserver_use_authentication_config_file: true, kube_apiserver_authentication_config_jwt: [jwtAuthenticator(oidc)] } : {},
    // Its admission configuration, with ResourceQuota's limited resources and PodSecurity's defaults
    // (each plugin must be named for Kubespray to write its part).
    kube_apiserver_admission_control_config_file: true,
    kube_resource_quota_limited_resources: limitedResources(),
    kube_pod_security_use_default: true,
    kube_pod_security_default_enforce: POD_SECURITY_DEFAULTS.enforce,
    kube_pod_security_default_audit: POD_SECURITY_DEFAULTS.audit,
    kube_pod_security_default_warn: POD_SECURITY_DEFAULTS.warn,
    kube_pod_security_exemptions_namespaces: [...POD_SECURITY_EXEMPT_NAMESPACES],
    kubernetes_audit: true,
    audit_policy_file: AUDIT_POLICY_FILE,
    audit_log_path: AUDIT_LOG_FILE,
    audit_log_hostpath: AUDIT_LOG_HOST_DIRECTORY,
    audit_log_maxage: AUDIT_LOG_ROTATION.maxAgeDays,
    audit_log_maxbackups: AUDIT_LOG_ROTATION.maxBackups,
    audit_log_maxsize: AUDIT_LOG_ROTATION.maxSizeMegabytes,
    audit_policy_custom_rules: rulesYaml,
    kube_encrypt_secret_data: true,
    kube_encryption_algorithm: 'secretbox',
    kube_encryption_resources: ['secrets'],
  };
}

/** An OpenID Connect issuer the API server trusts for users and their groups (structured authentication). */
export interface OidcSpec {
  /** The issuer's URL, `https://`, as its tokens' `iss` claim names it. */
  readonly issuerUrl: string;
  /** The client IDs its tokens must be issued to (their `aud` claim), such as `['kubernetes']`. */
  readonly audiences: readonly string[];
  /**
   * The claim that holds the user's name.
   * @default 'email'
   */
  readonly usernameClaim?: string;
  /**
   * Put before every user name from this issuer, so that no token can name a user of another source
   * (such as `system:` ones); the tenants' admin users must carry it.
   * @default 'oidc:'
   */
  readonly usernamePrefix?: string;
  /**
   * The claim that holds the user's groups.
   * @default 'groups'
   */
  readonly groupsClaim?: string;
  /**
   * Put before every group name from this issuer; the tenants' admin groups must carry it.
   * @default 'oidc:'
   */
  readonly groupsPrefix?: string;
  /**
   * The CA certificates (PEM) that sign the issuer's TLS certificate, when the host's do not.
   * @default the control plane hosts' trust store
   */
  readonly certificateAuthority?: string;
}

/** Where the admission plugins' configuration is on a control plane node, as Kubespray puts it. */
export const ADMISSION_CONFIG_FILE = '/etc/kubernetes/admission-controls/admission-controls.yaml';

/**
 * Pod Security for namespaces that carry no level of their own: `baseline`
 * enforced, `restricted` audited and warned of, as Kubespray's defaults have
 * it. Every namespace the model creates carries its own level; this covers
 * those created later by hand or by an operator that labels none.
 * `kube-system` is exempt: kube-proxy and the node plugins run there.
 */
export const POD_SECURITY_DEFAULTS = { enforce: 'baseline', audit: 'restricted', warn: 'restricted' } as const;
export const POD_SECURITY_EXEMPT_NAMESPACES = ['kube-system'] as const;

/**
 * ResourceQuota's `limitedResources`: a pod of a system PriorityClass is
 * admitted only in a namespace whose ResourceQuota covers that class, so that
 * the classes stay with the namespaces the model gives such a quota
 * (`SystemCriticalQuotas`), whoever else can create pods.
 */
export function limitedResources(): Record<string, unknown>[] {
  return [{ resource: 'pods', matchScopes: [{ scopeName: 'PriorityClass', operator: 'In', values: [...SYSTEM_PRIORITY_CLASSES] }] }];
}

/** The name of the ResourceQuota that admits the system PriorityClasses in a namespace. */
export const SYSTEM_CRITICAL_QUOTA = 'system-critical';

/**
 * Where the first control plane node's bootstrap puts kube-system's quota, applied right after `kubeadm init`
 * (the control plane's mirror pods, kube-proxy and CoreDNS wait for it).
 */
export const KUBE_SYSTEM_QUOTA_FILE = '/etc/kubernetes/prodk8s/kube-system-quota.yaml';

/**
 * The ResourceQuota that admits pods of the system PriorityClasses in one
 * namespace, for as many pods as the cluster holds: it covers, never limits.
 */
export function systemCriticalQuota(namespace: string, clusterPods: number, labels: Readonly<Record<string, string>> = {}): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: SYSTEM_CRITICAL_QUOTA, namespace, ...Object.keys(labels).length > 0 ? { labels: { ...labels } } : {} },
    spec: {
      hard: { pods: String(clusterPods) },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [...SYSTEM_PRIORITY_CLASSES] }] },
    },
  };
}

/**
 * The API server's AdmissionConfiguration, inline: ResourceQuota's limited
 * resources, and the PodSecurity plugin's defaults and exemptions.
 */
export function admissionConfiguration(kubernetesMinor: number): Record<string, unknown> {
  const version = `v1.${kubernetesMinor}`;
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [{
      name: 'ResourceQuota',
      configuration: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'ResourceQuotaConfiguration', limitedResources: limitedResources() },
    }, {
      name: 'PodSecurity',
      configuration: {
        apiVersion: 'pod-security.admission.config.k8s.io/v1',
        kind: 'PodSecurityConfiguration',
        defaults: {
          'enforce': POD_SECURITY_DEFAULTS.enforce, 'enforce-version': version,
          'audit': POD_SECURITY_DEFAULTS.audit, 'audit-version': version,
          'warn': POD_SECURITY_DEFAULTS.warn, 'warn-version': version,
        },
        exemptions: { usernames: [], runtimeClasses: [], namespaces: [...POD_SECURITY_EXEMPT_NAMESPACES] },
      },
    }],
  };
}

/** Where the kubeadm path's authentication configuration is, on a control plane node and in the API server's pod. */
export const AUTHENTICATION_CONFIG_FILE = '/etc/kubernetes/apiserver-authentication-config.yaml';

/** The prefixes of an issuer's user and group names, defaults filled in. */
export function oidcPrefixes(oidc: OidcSpec): { users: string; groups: string } {
  return { users: oidc.usernamePrefix ?? 'oidc:', groups: oidc.groupsPrefix ?? 'oidc:' };
}

/** The issuer as the `jwt` entry of an AuthenticationConfiguration (and of Kubespray's variable). */
export function jwtAuthenticator(oidc: OidcSpec): Record<string, unknown> {
  const prefixes = oidcPrefixes(oidc);
  return {
    issuer: {
      url: oidc.issuerUrl,
      audiences: [...oidc.audiences],
      ...oidc.certificateAuthority === undefined ? {} : { certificateAuthority: oidc.certificateAuthority },
    },
    claimMappings: {
      username: { claim: oidc.usernameClaim ?? 'email', prefix: prefixes.users },
      groups: { claim: oidc.groupsClaim ?? 'groups', prefix: prefixes.groups },
    },
  };
}

/**
 * The structured AuthenticationConfiguration of the API server: `v1` from
 * Kubernetes 1.34, `v1beta1` before, as Kubespray writes it.
 */
export function authenticationConfiguration(oidc: OidcSpec, kubernetesMinor: number): Record<string, unknown> {
  return {
    apiVersion: `apiserver.config.k8s.io/${kubernetesMinor >= 34 ? 'v1' : 'v1beta1'}`,
    kind: 'AuthenticationConfiguration',
    jwt: [jwtAuthenticator(oidc)],
  };
}
