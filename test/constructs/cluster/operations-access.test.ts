import { parseAllDocuments } from 'yaml';
import { isPinnedImage, ProductionCluster } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';

const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const objectsOf = (env: string) => files.filter(f => f.path.startsWith(`${env}/manifests/`))
  .flatMap(f => parseAllDocuments(f.content).map(d => d.toJS())).filter(o => o?.kind);
const find = (objects: any[], kind: string, name: string, namespace?: string) =>
  objects.find(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));

describe('the on-call engineers\' access', () => {
  const objects = objectsOf('prod');

  test('a privileged namespace for debugging pods, the on-call group bound there and across the cluster', () => {
    const namespace = find(objects, 'Namespace', 'operations');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    for (const [kind, name, namespace] of [['ClusterRole', 'platform-on-call'], ['ClusterRoleBinding', 'platform-on-call'], ['Role', 'platform-on-call', 'operations'],
      ['RoleBinding', 'platform-on-call', 'operations']] as const) {
      const object = find(objects, kind, name, namespace);
      expect({ kind, error: schemaError(object) }).toEqual({ kind, error: undefined });
    }
    expect(find(objects, 'ClusterRoleBinding', 'platform-on-call').subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'oidc:platform-on-call' }]);
    expect(find(objects, 'Role', 'platform-on-call', 'operations').rules[0]).toEqual({ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'watch'] });
  });

  test('reads nodes and pods and adds ephemeral containers anywhere, reads no Secret, and creates pods only in its namespace', () => {
    const rules: { resources: string[]; verbs: string[] }[] = find(objects, 'ClusterRole', 'platform-on-call').rules;
    const allowed = rules.flatMap(rule => rule.resources.flatMap(resource => rule.verbs.map(verb => `${verb} ${resource}`)));
    expect(allowed).toEqual(expect.arrayContaining(['get nodes', 'list pods', 'get pods/log', 'patch pods/ephemeralcontainers']));
    expect(allowed.filter(entry => /secrets|create pods$|\*/.test(entry))).toEqual([]);
  });

  test('no tenant gets it: the tenants\' role reads no node, and no tenant group is bound to it', () => {
    const tenantRole = find(objects, 'ClusterRole', 'namespace-admin');
    expect(tenantRole.rules.flatMap((rule: { resources: string[] }) => rule.resources)).not.toContain('nodes');
    const subjects = objects.filter(o => o.kind.endsWith('Binding') && o.metadata.name === 'platform-on-call').flatMap(o => o.subjects.map((s: { name: string }) => s.name));
    const tenantGroups = REFERENCE_ENVIRONMENTS.find(e => e.name === 'prod')!.tenants.flatMap(t => t.admins.groups ?? []);
    expect(subjects.filter(group => tenantGroups.includes(group))).toEqual([]);
  });
});

describe('operations in the spec', () => {
  const problems = (operations: unknown, overrides = {}) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ operations, ...overrides } as never)));

  test.each([
    [{ onCallGroups: [] }, 'operations.onCallGroups = []: must name at least one group'],
    [{ onCallGroups: ['team-a-admins'] }, 'operations.onCallGroups[0] = "team-a-admins": is an admin group of tenant team-a: its members would get the platform\'s debugging rights; on-call and tenant groups stay apart'],
    [{ onCallGroups: ['sre'], toolboxImage: 'nicolaka/netshoot' }, 'operations.toolboxImage = "nicolaka/netshoot": must be pinned by a tag other than latest, or by a digest (@sha256:…), so that every debugging session runs the same tools'],
    [{ onCallGroups: ['sre'], toolboxImage: 'nicolaka/netshoot:latest' }, 'operations.toolboxImage = "nicolaka/netshoot:latest": must be pinned by a tag other than latest, or by a digest (@sha256:…), so that every debugging session runs the same tools'],
    [{ onCallGroups: ['sre'], namespace: 'Ops' }, 'operations.namespace = "Ops": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit'],
  ])('refuses %j', (operations, message) => {
    expect(problems(operations)).toEqual([`[test/cluster] ${message}`]);
  });

  test('accepts a pinned image and an on-call group of its own', () => {
    expect(problems({ onCallGroups: ['sre'], toolboxImage: 'registry.internal:5000/tools/netshoot:v0.15' })).toEqual([]);
    expect(problems({ onCallGroups: ['sre'], tenants: [tenantSpec()] })).toEqual([]);
  });
});

test('isPinnedImage: a tag other than latest, or a digest', () => {
  expect(isPinnedImage('nicolaka/netshoot:v0.15')).toBe(true);
  expect(isPinnedImage(`nicolaka/netshoot@sha256:${'a'.repeat(64)}`)).toBe(true);
  expect(isPinnedImage('registry.internal:5000/netshoot')).toBe(false);
  expect(isPinnedImage('nicolaka/netshoot:latest')).toBe(false);
  expect(isPinnedImage('nicolaka/netshoot:v0.15 ')).toBe(false);
});

test('the alerts\' runbooks debug the containerd way: kubectl debug, crictl, tcpdump; never docker', () => {
  // Read as one text: the YAML and the runbooks wrap long lines.
  const rules = files.filter(f => f.path.endsWith('/alert-rules.yaml')).map(f => f.content).join('\n').replace(/\n\s+/g, ' ');
  expect(rules).toContain('kubectl debug node/{{ $labels.node }} -it --profile=sysadmin');
  expect(rules).toContain('crictl logs <container>');
  expect(rules).toContain('tcpdump -ni any');
  expect(rules).toContain('kubectl -n node-problem-detector delete pod --field-selector spec.nodeName={{ $labels.node }}');
  expect(rules).not.toMatch(/\bdocker (ps|logs|exec|inspect)/);
});
