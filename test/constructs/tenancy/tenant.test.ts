import { Tenant, TenantProps } from '../../../constructs';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';

const base: TenantProps = {
  name: 'web',
  admins: { users: ['alice@example.com'], groups: ['team-web'] },
  quota: { requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '16Gi' }, pods: 40 },
};

function tenantProblems(overrides: Partial<TenantProps>): string[] {
  return problemsOf(chart => new Tenant(chart, 'web', { ...base, ...overrides }));
}

describe('Tenant', () => {
  describe('renders', () => {
    const objects = synthObjects(chart => new Tenant(chart, 'web', {
      ...base,
      labels: { 'prodk8s.io/environment': 'prod' },
      podSecurityVersion: 'v1.36',
      ingressFromNamespaces: ['nginx-entry'],
    }));

    test('a namespace with tenant, environment and Pod Security labels', () => {
      const namespace = findObject(objects, 'Namespace', 'web');
      expect(namespace.metadata.labels).toEqual({
        'prodk8s.io/environment': 'prod',
        'prodk8s.io/tenant': 'web',
        'app.kubernetes.io/managed-by': 'prodk8s',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.36',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'v1.36',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'v1.36',
      });
      expect(namespace.metadata.annotations).toBeUndefined();
    });

    test('its quotas, limit range and network policies in its namespace', () => {
      expect(namesOf(objects, 'ResourceQuota')).toEqual(['compute', 'objects', 'priority-guard']);
      expect(findObject(objects, 'LimitRange', 'defaults', 'web')).toBeDefined();
      expect(namesOf(objects, 'NetworkPolicy')).toEqual(['allow-dns', 'allow-from-nginx-entry', 'allow-same-namespace', 'default-deny']);
      expect(objects.filter(o => o.kind !== 'Namespace').every(o => o.metadata.namespace === 'web')).toBe(true);
    });

    test('a RoleBinding of its admins to the namespace-admin ClusterRole', () => {
      const binding = findObject(objects, 'RoleBinding', 'namespace-admin', 'web');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'namespace-admin' });
      expect(binding.subjects).toEqual([
        { kind: 'User', name: 'alice@example.com', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'Group', name: 'team-web', apiGroup: 'rbac.authorization.k8s.io' },
      ]);
    });
  });

  test('pins its pods to dedicated nodes through namespace annotations', () => {
    const objects = synthObjects(chart => new Tenant(chart, 'ml', {
      ...base,
      name: 'ml',
      placement: {
        nodeSelector: { 'prodk8s.io/node-pool': 'gpu' },
        tolerations: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }, { key: 'spot', effect: 'NoExecute' }],
      },
    }));
    const annotations = findObject(objects, 'Namespace', 'ml').metadata.annotations;
    expect(annotations['scheduler.alpha.kubernetes.io/node-selector']).toBe('prodk8s.io/node-pool=gpu');
    expect(JSON.parse(annotations['scheduler.alpha.kubernetes.io/defaultTolerations'])).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  test('binds its admins to the ClusterRole it is given', () => {
    const objects = synthObjects(chart => new Tenant(chart, 'web', { ...base, adminRoleName: 'team-admin' }));
    expect(findObject(objects, 'RoleBinding', 'namespace-admin').roleRef.name).toBe('team-admin');
  });

  test('accepts a valid tenant without problems', () => {
    expect(tenantProblems({})).toEqual([]);
  });

  describe('reports', () => {
    test.each<[string, Partial<TenantProps>, string]>([
      ['a name that is not a DNS-1123 label', { name: 'Web_Team' },
        'name = "Web_Team": must be a DNS-1123 label'],
      ['a cluster namespace', { name: 'kube-apps' },
        'name = "kube-apps": the namespaces "default" and "kube-*" belong to the cluster, not to a tenant'],
      ['the default namespace', { name: 'default' },
        'name = "default": the namespaces "default" and "kube-*" belong to the cluster'],
      ['no admins', { admins: {} },
        'admins = {}: a tenant needs at least one admin user or group'],
      ['an empty admin name', { admins: { groups: [' '] } },
        'admins = " ": admin names must not be empty'],
      ['an unknown Pod Security level', { podSecurity: { enforce: 'strict' as any } },
        'podSecurity.enforce = "strict": must be one of "privileged", "baseline", "restricted"'],
      ['a quantity that is not one', { quota: { ...base.quota, requests: { cpu: '4', memory: '10GB' } } },
        'quota.requests.memory = "10GB": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi'],
      ['a negative quantity', { quota: { ...base.quota, storage: '-5Gi' } },
        'quota.storage = "-5Gi": must not be negative'],
      ['a missing request', { quota: { ...base.quota, requests: { cpu: '1' } as any } },
        'quota.requests.memory = (missing): a budget needs requests of cpu and memory'],
      ['a quota limit below the quota request', { quota: { ...base.quota, limits: { memory: '4Gi' } } },
        'quota.limits.memory = "4Gi": must not be below quota.requests.memory (8Gi), or the requests could never be used'],
      ['a pod count that is not whole', { quota: { ...base.quota, pods: 2.5 } },
        'quota.pods = 2.5: must be a whole number, zero or more'],
      ['a negative object count', { quota: { ...base.quota, nodePortServices: -1 } },
        'quota.nodePortServices = -1: must be a whole number, zero or more'],
      ['a missing pod count', { quota: { ...base.quota, pods: undefined as any } },
        'quota.pods = (missing): a quota needs a pod count'],
      ['a default limit below the default request', { limits: { defaultRequest: { cpu: '500m', memory: '1Gi' }, defaultLimit: { memory: '512Mi' } } },
        'limits.defaultLimit.memory = "512Mi": must not be below limits.defaultRequest.memory (1Gi): a container\'s limit cannot be below its request'],
      ['a default above the cap', { limits: { defaultRequest: { cpu: '2', memory: '256Mi' }, max: { cpu: '1' } } },
        'limits.defaultRequest.cpu = "2": must not exceed limits.max.cpu (1)'],
      ['a default request larger than the quota', { limits: { defaultRequest: { cpu: '8', memory: '256Mi' } } },
        'limits.defaultRequest.cpu = "8": must fit in quota.requests.cpu (4), or no pod without requests could start'],
      ['a cpu limit quota without a default cpu limit', { quota: { ...base.quota, limits: { cpu: '8', memory: '16Gi' } } },
        'limits.defaultLimit.cpu = (missing): is required because quota.limits.cpu is set'],
      ['an invalid default quantity', { limits: { defaultRequest: { cpu: '1 core', memory: '256Mi' } } },
        'limits.defaultRequest.cpu = "1 core": must be a Kubernetes quantity'],
      ['an egress network that is not a CIDR', { egress: [{ cidr: '10.0.0.1' }] },
        'egress[0].cidr = "10.0.0.1": must be a network in CIDR notation'],
      ['an egress port out of range', { egress: [{ cidr: '10.0.0.0/8', ports: [{ port: 70000 }] }] },
        'egress[0].ports[0].port = 70000: must be a port number from 1 to 65535'],
      ['an unknown egress protocol', { egress: [{ cidr: '10.0.0.0/8', ports: [{ port: 80, protocol: 'HTTP' as any }] }] },
        'egress[0].ports[0].protocol = "HTTP": must be one of "TCP", "UDP", "SCTP"'],
      ['an invalid priority budget', { priorityQuotas: [{ priorityClass: 'high', requests: { cpu: 'lots', memory: '1Gi' }, pods: 1 }] },
        'priorityQuotas[0].requests.cpu = "lots": must be a Kubernetes quantity'],
      ['two budgets for one class', { priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods: 1 },
        { priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods: 1 }] },
        'priorityQuotas[1].priorityClass = "high": each PriorityClass may have one budget per tenant'],
      ['an invalid namespace label', { labels: { team: 'web team' } },
        'labels.team = "web team": label values must be'],
      ['a placement that selects nothing', { placement: { nodeSelector: {} } },
        'placement.nodeSelector = {}: a dedicated placement needs at least one node label to select'],
    ])('%s', (_, overrides, message) => {
      const problems = tenantProblems(overrides);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`[test/web] ${message}`);
    });

    test('every problem at once', () => {
      const problems = tenantProblems({
        name: 'Bad',
        admins: {},
        quota: { requests: { cpu: 'x', memory: 'y' }, pods: -1 },
      });
      expect(problems.map(p => p.split(' = ')[0])).toEqual([
        '[test/web] name', '[test/web] admins', '[test/web] quota.requests.cpu', '[test/web] quota.requests.memory', '[test/web] quota.pods',
      ]);
    });
  });
});
