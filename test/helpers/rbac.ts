/**
 * Decides an RBAC request the way the API server's authorizer does for a set
 * of PolicyRules: a rule allows a request when its verbs, API groups and
 * resources each contain the requested one or '*', and its resourceNames (if
 * any) contain the object's name.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

export interface ResourceRequest {
  readonly verb: string;
  readonly apiGroup: string;
  /** `resource` or `resource/subresource`. */
  readonly resource: string;
  readonly name?: string;
}

export function allows(rules: readonly PolicyRule[], request: ResourceRequest): boolean {
  return rules.some(rule =>
    matches(rule.verbs, request.verb)
    && matches(rule.apiGroups ?? [], request.apiGroup)
    && matchesResource(rule.resources ?? [], request.resource)
    && (!rule.resourceNames || rule.resourceNames.length === 0 || (request.name !== undefined && rule.resourceNames.includes(request.name))));
}

function matches(values: readonly string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

/** `*` matches every resource, `*\/sub` every resource's subresource `sub`, as in the API server. */
function matchesResource(resources: readonly string[], wanted: string): boolean {
  const [, subresource] = wanted.split('/');
  return resources.some(r => r === '*' || r === wanted || (subresource !== undefined && r === `*/${subresource}`));
}

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const ESCALATION_VERBS = ['escalate', 'bind', 'impersonate'];
