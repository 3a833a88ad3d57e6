/**
 * Whether the ResourceQuotas of a namespace admit one more pod of a
 * PriorityClass, as the API server decides it: the Priority admission plugin
 * first gives a pod that names no class the global default one, then every
 * quota whose scope selector matches the pod must leave room for it. The
 * PriorityClass scope reads as upstream's `podMatchesScopeFunc`: `Exists`
 * when the pod names a class, `In`/`NotIn` on the class name ("" for none).
 * With `limitedClasses` (ResourceQuota's `limitedResources` for pods by
 * PriorityClass), a pod of such a class is refused unless a quota covers it.
 */
export function quotasAdmitPod(quotas: readonly Record<string, any>[], priorityClassName: string | undefined, globalDefault: string | undefined,
  limitedClasses: readonly string[] = []): boolean {
  const name = priorityClassName ?? globalDefault ?? '';
  const matches = (quota: Record<string, any>) => (quota.spec.scopeSelector?.matchExpressions ?? []).every((expression: { scopeName: string; operator: string; values?: string[] }) => {
    if (expression.scopeName !== 'PriorityClass') throw new Error(`scope ${expression.scopeName} is not modelled here`);
    switch (expression.operator) {
      case 'Exists': return name !== '';
      case 'DoesNotExist': return name === '';
      case 'In': return (expression.values ?? []).includes(name);
      case 'NotIn': return !(expression.values ?? []).includes(name);
      default: throw new Error(`operator ${expression.operator} is not a scope selector operator`);
    }
  });
  const matching = quotas.filter(matches);
  // limitedResources: a class in a limited scope needs a matching quota with a PriorityClass scope of its own
  // (upstream's `UncoveredQuotaScopes` compares scope names only).
  const covered = matching.some(quota => (quota.spec.scopeSelector?.matchExpressions ?? []).some((e: { scopeName: string }) => e.scopeName === 'PriorityClass'));
  if (limitedClasses.includes(name) && !covered) return false;
  return matching.every(quota => quota.spec.hard?.pods === undefined || Number(quota.spec.hard.pods) >= 1);
}
