import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { load } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import {
  AUDIT_POLICY_FILE, auditPolicy, auditRules, ENCRYPTION_CONFIG_FILE, encryptionConfiguration,
} from '../../../constructs/nodes/api-server-hardening';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { configFieldProblems } from '../../helpers/kube-config-fields';
import { readDocumentsAsKubeadm } from '../../helpers/kubeadm-reader';

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
  test('its audit policy and encryption configuration are the upstream types\' fields, and files kubeadm\'s reader reads', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-hardening-'));
    try {
      for (const name of ['audit-policy.yaml', 'encryption-config.yaml']) {
        const content = fileOf(`${env}/node/control-plane/${name}`);
        const documents = parseAllDocuments(content).map(d => d.toJS());
        expect(documents.flatMap(configFieldProblems)).toEqual([]);
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
    });
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
    expect(written.find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content)
      .toContain(`grep -qF 'KUBE_ENCRYPTION_KEY}' ${ENCRYPTION_CONFIG_FILE} && fail "KUBE_ENCRYPTION_KEY was not filled in`);
  }
  const worker = cloudInit('prod/node/pools/general/cloud-init-prod-general-1.yaml').write_files;
  expect(worker.some(f => f.path === AUDIT_POLICY_FILE || f.path === ENCRYPTION_CONFIG_FILE)).toBe(false);
});
