import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { load } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { Testing } from 'cdk8s';
import { ClusterSpec, kubeadmInitDocuments, ProductionCluster } from '../../../constructs';
import {
  admissionConfiguration, limitedResources, AUDIT_POLICY_FILE, auditPolicy, auditRules, authenticationConfiguration, AUTHENTICATION_CONFIG_FILE, ENCRYPTION_CONFIG_FILE, encryptionConfiguration,
  jwtAuthenticator, KUBE_SYSTEM_QUOTA_FILE, SYSTEM_CRITICAL_QUOTA,
} from '../../../constructs/nodes/api-server-hardening';
import { COMPANY_OIDC } from '../../../src/environments/shared';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { configFieldProblems } from '../../helpers/kube-config-fields';
import { readDocumentsAsKubeadm } from '../../helpers/kubeadm-reader';
import { shellCommands } from '../../helpers/shell';

const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const fileOf = (path: string) => files.find(f => f.path === path)!.content;

/** The level the policy gives a request: its first matching rule's, as the API server's policy checker decides. */
function levelOf(request: { user: string; groups?: string[]; verb: string; group?: string; resource?: string; namespace?: string; path?: string }): string {
  const rule = auditRules().find((r: any) => {
    if (r.users && !r.users.includes(request.user)) return false;
    if (r.userGroups && !r.userGroups.some((g: string) => (request.groups ?? []).includes(g))) return false;
    if (r.verbs && !r.verbs.includes(request.verb)) return false;
    if (r.nonResourceURLs) return request.path !== undefined && r.nonResourceURLs.some((u: string) => u.endsWith('*') ? request.path!.startsWith(u.slice(0, -1)) : request.path === u);
    if (request.path !== undefined) return !r.resources && !r.namespaces;
    if (r.namespaces && !r.namespaces.includes(request.namespace ?? '')) return false;
    if (r.resources) {
      return r.resources.some((g: any) => g.group === (request.group ?? '') && (!g.resources || g.resources.includes(request.resource)));
    }
    return true;
  }) as any;
  return rule.level;
}

describe('the audit policy', () => {
  test.each([
    ['a tenant reading a Secret: who and which, never its content', { user: 'alice', verb: 'get', resource: 'secrets', namespace: 'web' }, 'Metadata'],
    ['a ConfigMap written', { user: 'alice', verb: 'update', resource: 'configmaps', namespace: 'web' }, 'Metadata'],
    ['a quota changed', { user: 'alice', verb: 'update', resource: 'resourcequotas', namespace: 'web' }, 'Request'],
    ['a NetworkPolicy deleted', { user: 'alice', verb: 'delete', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'web' }, 'Request'],
    ['a RoleBinding created', { user: 'alice', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'web' }, 'Request'],
    ['a namespace deleted', { user: 'alice', verb: 'delete', resource: 'namespaces' }, 'Request'],
    ['an exec into a pod', { user: 'alice', verb: 'create', resource: 'pods/exec', namespace: 'web' }, 'Request'],
    ['a Deployment created', { user: 'alice', verb: 'create', group: 'apps', resource: 'deployments', namespace: 'web' }, 'Request'],
    ['a pod read', { user: 'alice', verb: 'get', resource: 'pods', namespace: 'web' }, 'Metadata'],
    ['kube-proxy watching Services', { user: 'system:kube-proxy', verb: 'watch', resource: 'services' }, 'None'],
    ['a kubelet reading its node', { user: 'system:node:n1', groups: ['system:nodes'], verb: 'get', resource: 'nodes' }, 'None'],
    ['the scheduler renewing its lease', { user: 'system:kube-scheduler', verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system' }, 'None'],
    ['a health check', { user: 'system:anonymous', verb: 'get', path: '/readyz' }, 'None'],
  ])('logs %s at %s', (_, request, level) => {
    expect(levelOf(request)).toBe(level);
  });

  test('never logs a request body that could hold a Secret\'s data', () => {
    for (const rule of auditRules() as any[]) {
      if (rule.level === 'Request' || rule.level === 'RequestResponse') {
        const resources = (rule.resources ?? []).flatMap((g: any) => g.resources ?? [`${g.group}/*`]);
        expect(resources).not.toContain('secrets');
        expect(resources).not.toContain('configmaps');
        expect(rule.resources).toBeDefined();
      }
    }
  });
});

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name] as const))('%s', env => {
  test('its audit policy, encryption and authentication configurations are the upstream types\' fields, and files kubeadm\'s reader reads', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-hardening-'));
    try {
      for (const name of ['audit-policy.yaml', 'encryption-config.yaml', 'authentication-config.yaml', 'admission-config.yaml']) {
        const content = fileOf(`${env}/node/control-plane/${name}`);
        const documents = parseAllDocuments(content).map(d => d.toJS());
        // An admission plugin's configuration is a document of its own API, checked the same way.
        const pluginConfigurations = documents.flatMap(document => document.kind === 'AdmissionConfiguration' ? document.plugins.map((p: any) => p.configuration) : []);
        expect(name !== 'admission-config.yaml' || pluginConfigurations.length === 2).toBe(true);
        expect([...documents, ...pluginConfigurations].flatMap(configFieldProblems)).toEqual([]);
        writeFileSync(join(folder, name), content);
        expect(readDocumentsAsKubeadm(join(folder, name))).toMatchObject({ ok: true });
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('Kubespray gets the same audit rules, log paths and rotation, and encrypts Secrets itself', () => {
    const vars = load(fileOf(`${env}/kubespray/inventory/group_vars/all/k8s-cluster.yml`)) as Record<string, any>;
    expect(load(vars.audit_policy_custom_rules)).toEqual(auditRules());
    expect(vars).toMatchObject({
      kubernetes_audit: true, audit_policy_file: AUDIT_POLICY_FILE, audit_log_hostpath: '/var/log/kubernetes/audit',
      audit_log_path: '/var/log/audit/kube-apiserver-audit.log', audit_log_maxage: 30, audit_log_maxbackups: 10, audit_log_maxsize: 100,
      kube_encrypt_secret_data: true, kube_encryption_algorithm: 'secretbox', kube_encryption_resources: ['secrets'],
      // The same Pod Security defaults, through Kubespray's admission configuration.
      kube_apiserver_admission_control_config_file: true, kube_pod_security_use_default: true,
      kube_pod_security_default_enforce: 'baseline', kube_pod_security_default_audit: 'restricted', kube_pod_security_default_warn: 'restricted',
      kube_pod_security_exemptions_namespaces: ['kube-system'],
      kube_resource_quota_limited_resources: limitedResources(),
    });
    expect(vars.kube_apiserver_enable_admission_plugins).toEqual(expect.arrayContaining(['PodSecurity', 'ResourceQuota']));
  });
});

test('the encryption configuration holds a placeholder, never a key, and secretbox before identity', () => {
  expect(encryptionConfiguration()).toEqual({
    apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 'key1', secret: '${KUBE_ENCRYPTION_KEY}' }] } }, { identity: {} }] }],
  });
});

test('every control plane node\'s bootstrap writes both files, private, and refuses an unfilled key; workers get neither', () => {
  const cloudInit = (path: string) => load(fileOf(path).replace(/^#cloud-config\n/, '')) as { write_files: { path: string; permissions: string; content: string }[] };
  for (const path of files.map(f => f.path).filter(p => /^prod\/node\/control-plane\/cloud-init-/.test(p))) {
    const written = cloudInit(path).write_files;
    expect(written.find(f => f.path === AUDIT_POLICY_FILE)).toMatchObject({ permissions: '0600', content: JSON.stringify(auditPolicy(), null, 2) + '\n' });
    expect(written.find(f => f.path === ENCRYPTION_CONFIG_FILE)).toMatchObject({ permissions: '0600' });
    expect(shellCommands(written.find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content).join('\n'))
      .toContain(`grep -qF 'KUBE_ENCRYPTION_KEY}' ${ENCRYPTION_CONFIG_FILE} && fail "KUBE_ENCRYPTION_KEY was not filled in`);
  }
  const worker = cloudInit('prod/node/pools/general/cloud-init-prod-general-1.yaml').write_files;
  expect(worker.some(f => f.path === AUDIT_POLICY_FILE || f.path === ENCRYPTION_CONFIG_FILE)).toBe(false);
});

describe('structured authentication from an OpenID Connect issuer', () => {
  const oidc = { issuerUrl: 'https://login.example.com', audiences: ['kubernetes'] };
  const withOidc = (overrides: Partial<ClusterSpec> = {}) => clusterSpec({
    authentication: { oidc }, tenants: [tenantSpec({ admins: { groups: ['oidc:team-a'], users: ['oidc:ann@example.com'] } })], ...overrides,
  });
  const clusterConfig = (spec: ClusterSpec) => kubeadmInitDocuments(new ProductionCluster(Testing.chart(), 'cluster', spec).nodeLayer)
    .find(d => d.kind === 'ClusterConfiguration') as any;

  test('maps user names and groups with the issuer\'s prefixes, oidc: by default', () => {
    expect(authenticationConfiguration(oidc, 36)).toEqual({
      apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration',
      jwt: [{ issuer: { url: 'https://login.example.com', audiences: ['kubernetes'] },
        claimMappings: { username: { claim: 'email', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } } }],
    });
    // Structured authentication is v1 from Kubernetes 1.34.
    expect(authenticationConfiguration(oidc, 33).apiVersion).toBe('apiserver.config.k8s.io/v1beta1');
  });

  test('reaches the API server through kubeadm\'s arguments and volumes, and through Kubespray\'s switch', () => {
    const apiServer = clusterConfig(withOidc()).apiServer;
    expect(apiServer.extraArgs).toContainEqual({ name: 'authentication-config', value: AUTHENTICATION_CONFIG_FILE });
    expect(apiServer.extraVolumes).toContainEqual({ name: 'authentication-config', hostPath: AUTHENTICATION_CONFIG_FILE, mountPath: AUTHENTICATION_CONFIG_FILE, readOnly: true, pathType: 'File' });
    expect(clusterConfig(clusterSpec()).apiServer.extraArgs.map((a: { name: string }) => a.name)).not.toContain('authentication-config');
    const vars = load(fileOf('prod/kubespray/inventory/group_vars/all/k8s-cluster.yml')) as Record<string, any>;
    expect(vars.kube_apiserver_use_authentication_config_file).toBe(true);
    expect(vars.kube_apiserver_authentication_config_jwt).toEqual([jwtAuthenticator(COMPANY_OIDC)]);
  });

  test('refuses an issuer the API server cannot use, and tenant admins it would never name', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', withOidc({
      authentication: { oidc: { issuerUrl: 'http://login.example.com?realm=x', audiences: [], usernamePrefix: 'oidc user:' } },
      tenants: [tenantSpec({ admins: { groups: ['team-a'], users: ['ann@example.com'] } })],
    })))).toEqual([
      '[test/cluster] authentication.oidc.issuerUrl = "http://login.example.com?realm=x": must be the issuer\'s https:// URL, without credentials, query or fragment, as its tokens\' iss claim names it',
      '[test/cluster] authentication.oidc.audiences = []: must list the client IDs the tokens are issued to, such as ["kubernetes"]',
      '[test/cluster] authentication.oidc.usernamePrefix = "oidc user:": must be a non-empty name without spaces',
      '[test/cluster] tenants[0].admins.users[0] = "ann@example.com": must carry authentication.oidc\'s user prefix "oidc user:", as the API server names its users',
      '[test/cluster] tenants[0].admins.groups[0] = "team-a": must carry authentication.oidc\'s group prefix "oidc:", as the API server names its groups',
    ]);
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', withOidc()))).toEqual([]);
  });
});

test('the system PriorityClasses need a covering quota; namespaces without a Pod Security level get baseline enforced and restricted warned of, kube-system exempt', () => {
  expect(admissionConfiguration(36)).toEqual({
    apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AdmissionConfiguration',
    plugins: [{ name: 'ResourceQuota', configuration: {
      apiVersion: 'apiserver.config.k8s.io/v1', kind: 'ResourceQuotaConfiguration',
      limitedResources: [{ resource: 'pods', matchScopes: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }] }],
    } }, { name: 'PodSecurity', configuration: {
      apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration',
      defaults: { 'enforce': 'baseline', 'enforce-version': 'v1.36', 'audit': 'restricted', 'audit-version': 'v1.36', 'warn': 'restricted', 'warn-version': 'v1.36' },
      exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
    } }],
  });
});

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name] as const))('%s: kube-system\'s quota for the system PriorityClasses', env => {
  const cloudInit = (path: string) => load(fileOf(path).replace(/^#cloud-config\n/, '')) as { write_files: { path: string; content: string }[] };
  const controlPlaneInits = files.map(f => f.path).filter(p => p.startsWith(`${env}/node/`) && /cloud-init-.*\.yaml$/.test(p));

  test('the first control plane node creates it right after kubeadm init, the same as the manifests have it; no other node does', () => {
    const manifest = parseAllDocuments(fileOf(`${env}/manifests/10-kube-system.yaml`)).map(d => d.toJS())
      .find(o => o.kind === 'ResourceQuota' && o.metadata.name === SYSTEM_CRITICAL_QUOTA);
    expect(manifest.spec.scopeSelector.matchExpressions).toEqual([{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }]);
    const initNodes = controlPlaneInits.filter(path => cloudInit(path).write_files.some(f => f.path === KUBE_SYSTEM_QUOTA_FILE));
    expect(initNodes).toEqual([`${env}/node/control-plane/cloud-init-${env}-control-plane-1.yaml`]);
    const written = cloudInit(initNodes[0]).write_files;
    expect(JSON.parse(written.find(f => f.path === KUBE_SYSTEM_QUOTA_FILE)!.content)).toEqual(manifest);
    const script = shellCommands(written.find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content);
    const init = script.findIndex(line => line.startsWith('kubeadm init '));
    const apply = script.findIndex(line => line.includes(`apply --server-side --field-manager=prodk8s -f ${KUBE_SYSTEM_QUOTA_FILE}`));
    expect(init).toBeGreaterThan(0);
    expect(apply).toBeGreaterThan(init);
    expect(script[apply]).toContain('--kubeconfig /etc/kubernetes/admin.conf');
    expect(script.some(line => line.includes('command -v kubectl'))).toBe(true);
  });

  test('the quota admits as many pods as the cluster\'s nodes hold', () => {
    const spec = REFERENCE_ENVIRONMENTS.find(e => e.name === env)!;
    const manifest = parseAllDocuments(fileOf(`${env}/manifests/10-kube-system.yaml`)).map(d => d.toJS())
      .find(o => o.kind === 'ResourceQuota' && o.metadata.name === SYSTEM_CRITICAL_QUOTA);
    const cluster = new ProductionCluster(Testing.chart(), 'cluster', spec);
    const pools = [cluster.controlPlane.nodes, ...cluster.nodePools];
    expect(Number(manifest.spec.hard.pods)).toBe(pools.reduce((sum, pool) => sum + pool.hosts.length * pool.kubelet.maxPods, 0));
    expect(Number(manifest.spec.hard.pods)).toBeGreaterThanOrEqual(110 * pools.reduce((sum, pool) => sum + pool.hosts.length, 0) / 2);
  });
});

test('the field facts of the admission plugins\' configurations catch a misspelt field', () => {
  expect(configFieldProblems({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'ResourceQuotaConfiguration',
    limitedResources: [{ resource: 'pods', matchScope: [] }] })).toEqual(['ResourceQuotaConfiguration.limitedResources[0].matchScope: unknown field of LimitedResource']);
  expect(configFieldProblems({ apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration',
    defaults: { enforce: 'baseline', enforceVersion: 'latest' } })).toEqual(['PodSecurityConfiguration.defaults.enforceVersion: unknown field of PodSecurityDefaults']);
});
