import { limitedResources, SYSTEM_PRIORITY_CLASSES } from '../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { renderEnvironments } from '../../synth/synthesize';
import { quotasAdmitPod } from '../helpers/quota-evaluation';
import { parseAllDocuments } from 'yaml';

// Every tenant of every environment, against the ResourceQuotas written for it, as the API server admits pods.
const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const SYSTEM_CLASSES = [...SYSTEM_PRIORITY_CLASSES];
// The classes the admission configuration limits to namespaces with a covering quota.
const LIMITED = limitedResources().flatMap(limited => (limited.matchScopes as { values: string[] }[]).flatMap(scope => scope.values));
const quotasIn = (env: string, namespace: string) => {
  const file = files.find(f => f.path === `${env}/manifests/10-${namespace}.yaml`);
  return file ? parseAllDocuments(file.content).map(d => d.toJS()).filter(o => o?.kind === 'ResourceQuota') : [];
};

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('%s', (env, spec) => {
  const globalDefault = (spec.priorityClasses ?? []).find(c => c.globalDefault)?.name;
  const classes = [...(spec.priorityClasses ?? []).map(c => c.name), ...SYSTEM_CLASSES];

  test.each(spec.tenants.map(tenant => [tenant.name, tenant] as const))('tenant %s runs pods only of the classes it has budgets for and the default', (name, tenant) => {
    const quotas = quotasIn(env, name);
    expect(quotas.length).toBeGreaterThan(0);
    const budgets = (tenant.priorityQuotas ?? []).map(b => b.priorityClass);
    const admitted = classes.filter(priorityClass => quotasAdmitPod(quotas, priorityClass, globalDefault, LIMITED));
    expect(admitted.sort()).toEqual([...new Set([...budgets, ...globalDefault ? [globalDefault] : []])].sort());
    for (const system of SYSTEM_CLASSES) expect(admitted).not.toContain(system);
    // A pod that names no class gets the default one, which is always allowed.
    expect(quotasAdmitPod(quotas, undefined, globalDefault, LIMITED)).toBe(globalDefault === undefined || admitted.includes(globalDefault));
  });

  test('pods of the system classes are admitted only in the namespaces where the platform runs them', () => {
    const namespaces = [...new Set(files.filter(f => f.path.startsWith(`${env}/manifests/10-`)).map(f => f.path.replace(/^.*\/10-(.*)\.yaml$/, '$1')))];
    // A namespace the model never wrote (made by hand or by an operator) has no quota at all.
    const admitting = [...namespaces, 'default', 'made-by-hand'].filter(namespace =>
      SYSTEM_CLASSES.every(priorityClass => quotasAdmitPod(quotasIn(env, namespace), priorityClass, globalDefault, LIMITED)));
    expect(admitting.sort()).toEqual(SYSTEM_CRITICAL_NAMESPACES[env]);
  });
});

const SYSTEM_CRITICAL_NAMESPACES: Record<string, string[]> = {
  dev: ['calico-system', 'kube-system', 'local-path-storage', 'logging', 'node-problem-detector'],
  staging: ['calico-system', 'kube-system', 'logging', 'node-problem-detector'],
  prod: ['calico-system', 'kube-system', 'logging', 'node-problem-detector', 'node-readiness', 'nvidia-device-plugin', 'rook-ceph'],
};

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

  test('a limited class needs a covering quota with a PriorityClass scope; other classes do not', () => {
    const covering = { spec: { hard: { pods: '90' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-node-critical'] }] } } };
    const unscoped = { spec: { hard: { pods: '90' } } };
    expect(quotasAdmitPod([], 'system-node-critical', undefined, LIMITED)).toBe(false);
    expect(quotasAdmitPod([unscoped], 'system-node-critical', undefined, LIMITED)).toBe(false);
    expect(quotasAdmitPod([covering], 'system-node-critical', undefined, LIMITED)).toBe(true);
    expect(quotasAdmitPod([covering], 'system-cluster-critical', undefined, LIMITED)).toBe(false);
    expect(quotasAdmitPod([], 'high', undefined, LIMITED)).toBe(true);
    expect(quotasAdmitPod([], 'system-node-critical', undefined)).toBe(true);
  });
});
