import { NamespaceAdminRole } from '../../../constructs';
import { findObject, synthObjects } from '../../helpers/objects';
import { allows, ESCALATION_VERBS, PolicyRule, WRITE_VERBS } from '../../helpers/rbac';

describe('NamespaceAdminRole', () => {
  // The rules as synthesized, so the test judges what the cluster would receive.
  const objects = synthObjects(chart => new NamespaceAdminRole(chart, 'admin'));
  const role = findObject(objects, 'ClusterRole', 'namespace-admin');
  const rules: PolicyRule[] = role.rules;
  const can = (verb: string, apiGroup: string, resource: string) => allows(rules, { verb, apiGroup, resource });

  test('is a cluster-scoped role without a namespace', () => {
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'prodk8s' });
  });

  test.each([
    ['', 'resourcequotas'],
    ['', 'resourcequotas/status'],
    ['', 'limitranges'],
    ['networking.k8s.io', 'networkpolicies'],
    ['', 'namespaces'],
    ['', 'namespaces/status'],
    ['', 'endpoints'],
    ['discovery.k8s.io', 'endpointslices'],
    ['networking.k8s.io', 'ingresses'],
    ['apps', 'daemonsets'],
  ])('cannot write %s %s', (apiGroup, resource) => {
    for (const verb of WRITE_VERBS) {
      expect(can(verb, apiGroup, resource)).toBe(false);
    }
  });

  test('can read its quota, limit range and network policies', () => {
    expect(can('get', '', 'resourcequotas')).toBe(true);
    expect(can('list', '', 'limitranges')).toBe(true);
    expect(can('watch', 'networking.k8s.io', 'networkpolicies')).toBe(true);
  });

  test('cannot escalate, bind or impersonate anything', () => {
    for (const rule of rules) {
      expect(rule.verbs.filter(verb => ESCALATION_VERBS.includes(verb) || verb === '*')).toEqual([]);
    }
    expect(can('escalate', 'rbac.authorization.k8s.io', 'roles')).toBe(false);
    expect(can('bind', 'rbac.authorization.k8s.io', 'clusterroles')).toBe(false);
    expect(can('impersonate', '', 'users')).toBe(false);
  });

  test('names every API group and resource: no wildcards', () => {
    for (const rule of rules) {
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources?.some(r => r.includes('*'))).toBe(false);
    }
  });

  test('cannot touch cluster-scoped RBAC or nodes', () => {
    expect(can('create', 'rbac.authorization.k8s.io', 'clusterroles')).toBe(false);
    expect(can('create', 'rbac.authorization.k8s.io', 'clusterrolebindings')).toBe(false);
    expect(can('patch', '', 'nodes')).toBe(false);
  });

  test.each([
    ['apps', 'deployments'],
    ['apps', 'statefulsets'],
    ['apps', 'deployments/scale'],
    ['batch', 'jobs'],
    ['batch', 'cronjobs'],
    ['', 'pods'],
    ['', 'services'],
    ['', 'configmaps'],
    ['', 'secrets'],
    ['', 'persistentvolumeclaims'],
    ['autoscaling', 'horizontalpodautoscalers'],
    ['policy', 'poddisruptionbudgets'],
    ['rbac.authorization.k8s.io', 'rolebindings'],
  ])('manages its workloads: %s %s', (apiGroup, resource) => {
    for (const verb of ['get', 'list', 'watch', ...WRITE_VERBS]) {
      expect(can(verb, apiGroup, resource)).toBe(true);
    }
  });

  test('can debug its pods', () => {
    expect(can('get', '', 'pods/log')).toBe(true);
    expect(can('create', '', 'pods/exec')).toBe(true);
    expect(can('create', '', 'pods/portforward')).toBe(true);
  });

  test('takes another name when given', () => {
    const renamed = synthObjects(chart => new NamespaceAdminRole(chart, 'admin', { name: 'team-admin' }));
    expect(findObject(renamed, 'ClusterRole', 'team-admin').rules).toEqual(rules);
  });
});

describe('the RBAC evaluator of these tests', () => {
  // Proves the evaluator can say yes to what the tests above expect it to refuse.
  test('honours wildcards as the API server does', () => {
    expect(allows([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], { verb: 'delete', apiGroup: '', resource: 'resourcequotas' })).toBe(true);
    expect(allows([{ apiGroups: [''], resources: ['*/status'], verbs: ['update'] }], { verb: 'update', apiGroup: '', resource: 'pods/status' })).toBe(true);
    expect(allows([{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] }], { verb: 'get', apiGroup: '', resource: 'pods', name: 'b' })).toBe(false);
  });
});
