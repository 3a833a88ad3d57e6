import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { renderEnvironments } from '../../synth/synthesize';
import { quotasAdmitPod } from '../helpers/quota-evaluation';
import { parseAllDocuments } from 'yaml';

// Every tenant of every environment, against the ResourceQuotas written for it, as the API server admits pods.
const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const SYSTEM_CLASSES = ['system-node-critical', 'system-cluster-critical'];

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('%s', (env, spec) => {
  const globalDefault = (spec.priorityClasses ?? []).find(c => c.globalDefault)?.name;
  const classes = [...(spec.priorityClasses ?? []).map(c => c.name), ...SYSTEM_CLASSES];

  test.each(spec.tenants.map(tenant => [tenant.name, tenant] as const))('tenant %s runs pods only of the classes it has budgets for and the default', (name, tenant) => {
    const file = files.find(f => f.path === `${env}/manifests/10-${name}.yaml`)!;
    const quotas = parseAllDocuments(file.content).map(d => d.toJS()).filter(o => o?.kind === 'ResourceQuota');
    const budgets = (tenant.priorityQuotas ?? []).map(b => b.priorityClass);
    const admitted = classes.filter(priorityClass => quotasAdmitPod(quotas, priorityClass, globalDefault));
    expect(admitted.sort()).toEqual([...new Set([...budgets, ...globalDefault ? [globalDefault] : []])].sort());
    for (const system of SYSTEM_CLASSES) expect(admitted).not.toContain(system);
    // A pod that names no class gets the default one, which is always allowed.
    expect(quotasAdmitPod(quotas, undefined, globalDefault)).toBe(globalDefault === undefined || admitted.includes(globalDefault));
  });
});

describe('quotasAdmitPod', () => {
  const guard = { spec: { hard: { pods: '0' }, scopeSelector: { matchExpressions: [
    { scopeName: 'PriorityClass', operator: 'Exists' }, { scopeName: 'PriorityClass', operator: 'NotIn', values: ['high', 'low'] },
  ] } } };
  const budget = { spec: { hard: { pods: '5' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } } };

  test('refuses a class the guard does not exempt, and admits budgeted ones and pods without a class', () => {
    expect(quotasAdmitPod([guard, budget], 'system-node-critical', undefined)).toBe(false);
    expect(quotasAdmitPod([guard, budget], 'high', undefined)).toBe(true);
    expect(quotasAdmitPod([guard, budget], undefined, undefined)).toBe(true);
    // With a global default outside the exemptions, even a pod that names no class is refused.
    expect(quotasAdmitPod([guard], undefined, 'medium')).toBe(false);
    expect(quotasAdmitPod([{ spec: { hard: { pods: '0' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } } }], 'high', undefined)).toBe(false);
  });
});
