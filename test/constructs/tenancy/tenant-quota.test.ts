import { TenantQuota } from '../../../constructs';
import { findObject, namesOf, synthObjects } from '../../helpers/objects';

describe('TenantQuota', () => {
  const quota = { requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '8', memory: '16Gi' }, pods: 40 };

  test('caps compute requests and limits in the "compute" quota', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', { namespace: 'web', quota }));
    expect(findObject(objects, 'ResourceQuota', 'compute', 'web').spec.hard).toEqual({
      'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '8', 'limits.memory': '16Gi',
    });
  });

  test('leaves limits out of the quota when none are given', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', {
      namespace: 'web', quota: { requests: { cpu: '1', memory: '1Gi' }, pods: 5 },
    }));
    expect(findObject(objects, 'ResourceQuota', 'compute').spec.hard).toEqual({ 'requests.cpu': '1', 'requests.memory': '1Gi' });
  });

  test('closes node ports, load balancers and storage by default', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', { namespace: 'web', quota }));
    expect(findObject(objects, 'ResourceQuota', 'objects', 'web').spec.hard).toEqual({
      'pods': '40',
      'services': '10',
      'services.nodeports': '0',
      'services.loadbalancers': '0',
      'persistentvolumeclaims': '0',
      'requests.storage': '0',
    });
  });

  test('grants object counts and storage when given', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', {
      namespace: 'db',
      quota: { ...quota, services: 3, nodePortServices: 1, loadBalancerServices: 2, persistentVolumeClaims: 4, storage: '200Gi' },
    }));
    expect(findObject(objects, 'ResourceQuota', 'objects', 'db').spec.hard).toMatchObject({
      'services': '3', 'services.nodeports': '1', 'services.loadbalancers': '2', 'persistentvolumeclaims': '4', 'requests.storage': '200Gi',
    });
  });

  test('gives each PriorityClass budget its own scoped quota', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', {
      namespace: 'pay',
      quota,
      priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '3', memory: '6Gi' }, limits: { memory: '8Gi' }, pods: 10 },
        { priorityClass: 'low', requests: { cpu: '1', memory: '2Gi' }, pods: 30 },
      ],
    }));
    const high = findObject(objects, 'ResourceQuota', 'priority-high', 'pay');
    expect(high.spec.hard).toEqual({ 'requests.cpu': '3', 'requests.memory': '6Gi', 'limits.memory': '8Gi', 'pods': '10' });
    expect(high.spec.scopeSelector.matchExpressions).toEqual([{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }]);
    expect(findObject(objects, 'ResourceQuota', 'priority-low').spec.hard.pods).toBe('30');
  });

  test('refuses pods of classes without a budget, but not pods without a class', () => {
    const objects = synthObjects(chart => new TenantQuota(chart, 'quota', {
      namespace: 'pay', quota, priorityQuotas: [{ priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods: 1 }],
    }));
    const guard = findObject(objects, 'ResourceQuota', 'priority-guard', 'pay');
    expect(guard.spec.hard).toEqual({ pods: '0' });
    expect(guard.spec.scopeSelector.matchExpressions).toEqual([
      { scopeName: 'PriorityClass', operator: 'Exists' },
      { scopeName: 'PriorityClass', operator: 'NotIn', values: ['high'] },
    ]);
  });

  test('guards a tenant without budgets too: only the global default class, or none', () => {
    const withDefault = synthObjects(chart => new TenantQuota(chart, 'quota', { namespace: 'web', quota, defaultPriorityClass: 'low' }));
    expect(namesOf(withDefault, 'ResourceQuota')).toEqual(['compute', 'objects', 'priority-guard']);
    expect(findObject(withDefault, 'ResourceQuota', 'priority-guard', 'web').spec.scopeSelector.matchExpressions).toEqual([
      { scopeName: 'PriorityClass', operator: 'Exists' },
      { scopeName: 'PriorityClass', operator: 'NotIn', values: ['low'] },
    ]);
    // Without a default, any pod that names a class is refused.
    const withoutDefault = synthObjects(chart => new TenantQuota(chart, 'quota', { namespace: 'web', quota }));
    expect(findObject(withoutDefault, 'ResourceQuota', 'priority-guard', 'web').spec).toEqual({
      hard: { pods: '0' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists' }] },
    });
  });
});
