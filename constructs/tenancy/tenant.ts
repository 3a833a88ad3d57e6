import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks, validateWith } from '../core/checks';
import { Labels } from '../core/labels';
import { isQualifiedName } from '../core/names';
import { Quantity } from '../core/quantity';
import { ComputeLimits } from '../core/resources';
import { TaintSpec, tolerationOf } from '../core/taint';
import { checkPodSecurity, podSecurityLabels, PodSecurityProfile } from './pod-security';
import { resolveLimits, TenantLimitRange, TenantLimitsOptions } from './tenant-limit-range';
import { ClusterDns, EgressRule, NETWORK_PROTOCOLS, TenantNetworkPolicies } from './tenant-network-policies';
import { PriorityQuotaOptions, TenantQuota, TenantQuotaOptions } from './tenant-quota';

/** Who administers a tenant's namespace, as the cluster's authenticator names them. */
export interface TenantAdmins {
  /**
   * User names.
   * @default none
   */
  readonly users?: readonly string[];
  /**
   * Group names, such as the team's group in the identity provider.
   * @default none
   */
  readonly groups?: readonly string[];
}

/**
 * Pins a tenant's pods to dedicated nodes through namespace annotations,
 * honoured by the PodNodeSelector and PodTolerationRestriction admission
 * plugins (both must be enabled on the API server).
 */
export interface TenantPlacement {
  /** Labels every pod of the tenant must select (`scheduler.alpha.kubernetes.io/node-selector`). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * Taints of those nodes that every pod tolerates (`scheduler.alpha.kubernetes.io/defaultTolerations`).
   * @default none
   */
  readonly tolerations?: readonly TaintSpec[];
}

/** What describes a tenant, wherever it is declared. */
export interface TenantOptions {
  /** Name of the tenant and of its namespace: a DNS-1123 label, not `default` and not starting with `kube-`. */
  readonly name: string;
  /** The team's admins, bound to the namespace-admin ClusterRole in the namespace. At least one user or group. */
  readonly admins: TenantAdmins;
  /**
   * Pod Security Admission levels of the namespace.
   * @default 'restricted' in every mode
   */
  readonly podSecurity?: PodSecurityProfile;
  /** The tenant's total budget. */
  readonly quota: TenantQuotaOptions;
  /**
   * Budgets per PriorityClass; pods of other classes are refused.
   * @default no budgets per class
   */
  readonly priorityQuotas?: readonly PriorityQuotaOptions[];
  /**
   * Per-container default requests and limits.
   * @default DEFAULT_TENANT_LIMITS
   */
  readonly limits?: TenantLimitsOptions;
  /**
   * Destinations outside the cluster the tenant may reach.
   * @default none
   */
  readonly egress?: readonly EgressRule[];
}

export interface TenantProps extends TenantOptions {
  /**
   * Labels added to the namespace, such as the environment.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Kubernetes version the Pod Security levels are pinned to, such as `v1.36`.
   * @default 'latest'
   */
  readonly podSecurityVersion?: string;
  /**
   * Namespaces whose pods may connect to the tenant, such as the entry's.
   * @default none
   */
  readonly ingressFromNamespaces?: readonly string[];
  /**
   * The cluster's DNS servers.
   * @default KUBE_DNS
   */
  readonly dns?: ClusterDns;
  /**
   * Dedicated nodes for the tenant's pods.
   * @default the tenant's pods run on the shared nodes
   */
  readonly placement?: TenantPlacement;
  /**
   * Name of the ClusterRole bound to the admins.
   * @default 'namespace-admin'
   */
  readonly adminRoleName?: string;
  /**
   * The cluster's global default PriorityClass, which the tenant may use without a budget.
   * @default none
   */
  readonly defaultPriorityClass?: string;
}

/**
 * One team's namespace with its isolation: Pod Security labels, quotas,
 * default limits, NetworkPolicies and an admin RoleBinding.
 */
export class Tenant extends Construct {
  /** The tenant's namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id);
    this.namespace = props.name;

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...props.labels,
          [Labels.TENANT]: props.name,
          [Labels.MANAGED_BY]: 'prodk8s',
          ...podSecurityLabels(props.podSecurity ?? {}, props.podSecurityVersion ?? 'latest'),
        },
        annotations: props.placement ? placementAnnotations(props.placement) : undefined,
      },
    });
    new TenantQuota(this, 'quota', {
      namespace: this.namespace, quota: props.quota, priorityQuotas: props.priorityQuotas, defaultPriorityClass: props.defaultPriorityClass,
    });
    new TenantLimitRange(this, 'limits', { namespace: this.namespace, limits: props.limits });
    new TenantNetworkPolicies(this, 'network', {
      namespace: this.namespace,
      ingressFromNamespaces: props.ingressFromNamespaces,
      dns: props.dns,
      egress: props.egress,
    });
    const subjects = [
      ...(props.admins.users ?? []).map(name => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' })),
      ...(props.admins.groups ?? []).map(name => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' })),
    ];
    new k8s.KubeRoleBinding(this, 'admins', {
      metadata: { name: 'namespace-admin', namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.adminRoleName ?? 'namespace-admin' },
      subjects,
    });

    validateWith(this, checks => checkTenant(checks, props));
  }
}

function placementAnnotations(placement: TenantPlacement): Record<string, string> {
  const selector = Object.entries(placement.nodeSelector).map(([key, value]) => `${key}=${value}`).join(',');
  const tolerations = (placement.tolerations ?? []).map(tolerationOf);
  return {
    'scheduler.alpha.kubernetes.io/node-selector': selector,
    // Spaced, so that the YAML folds it at the line width rather than writing one long line.
    'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify(tolerations, null, 1).replace(/\n */g, ' '),
  };
}

const RESERVED_NAMESPACES = new Set(['default']);

function checkTenant(checks: Checks, props: TenantProps): void {
  checks.dns1123Label('name', props.name);
  checks.expect(!RESERVED_NAMESPACES.has(props.name) && !String(props.name).startsWith('kube-'), 'name', props.name,
    'the namespaces "default" and "kube-*" belong to the cluster, not to a tenant');

  const admins = [...props.admins.users ?? [], ...props.admins.groups ?? []];
  checks.expect(admins.length > 0, 'admins', props.admins, 'a tenant needs at least one admin user or group');
  admins.forEach(name => checks.expect(typeof name === 'string' && name.trim() !== '', 'admins', name, 'admin names must not be empty'));

  checkPodSecurity(checks, 'podSecurity', props.podSecurity);
  checks.labels('labels', props.labels);
  const quota = checkQuota(checks, props.quota);
  checkPriorityQuotas(checks, props.priorityQuotas ?? []);
  checkLimits(checks, props.limits, quota);
  checkEgress(checks, props.egress ?? []);
  if (props.placement) {
    checks.expect(Object.keys(props.placement.nodeSelector).length > 0, 'placement.nodeSelector', props.placement.nodeSelector,
      'a dedicated placement needs at least one node label to select');
    checks.labels('placement.nodeSelector', props.placement.nodeSelector);
  }
}

/** The tenant's quota as parsed quantities, for the checks that compare against it. */
interface ParsedQuota {
  readonly requests: Partial<Record<'cpu' | 'memory', Quantity>>;
  readonly limits: Partial<Record<'cpu' | 'memory', Quantity>>;
}

function checkQuota(checks: Checks, quota: TenantQuotaOptions): ParsedQuota {
  const parsed = checkCompute(checks, 'quota', quota);
  for (const field of ['pods', 'services', 'nodePortServices', 'loadBalancerServices', 'persistentVolumeClaims'] as const) {
    checks.count(`quota.${field}`, quota[field]);
  }
  checks.expect(quota.pods !== undefined, 'quota.pods', quota.pods, 'a quota needs a pod count');
  for (const [name, value] of Object.entries(quota.extendedResources ?? {})) {
    checks.expect(isQualifiedName(name) && name.includes('/'), 'quota.extendedResources', name, 'extended resource names are domain-prefixed, such as nvidia.com/gpu');
    checks.quantity(`quota.extendedResources.${name}`, value);
  }
  checks.quantity('quota.storage', quota.storage);
  return parsed;
}

function checkPriorityQuotas(checks: Checks, budgets: readonly PriorityQuotaOptions[]): void {
  const seen = new Set<string>();
  budgets.forEach((budget, index) => {
    const field = `priorityQuotas[${index}]`;
    checks.dns1123Subdomain(`${field}.priorityClass`, budget.priorityClass);
    checks.expect(!seen.has(budget.priorityClass), `${field}.priorityClass`, budget.priorityClass, 'each PriorityClass may have one budget per tenant');
    seen.add(budget.priorityClass);
    checkCompute(checks, field, budget);
    checks.count(`${field}.pods`, budget.pods);
  });
}

/** Checks requests and limits of cpu and memory, and that no limit is below its request. */
function checkCompute(checks: Checks, field: string, budget: { requests: ComputeLimits; limits?: ComputeLimits }): ParsedQuota {
  const parsed: ParsedQuota = { requests: {}, limits: {} };
  for (const resource of ['cpu', 'memory'] as const) {
    const request = checks.quantity(`${field}.requests.${resource}`, budget.requests?.[resource]);
    checks.expect(budget.requests?.[resource] !== undefined, `${field}.requests.${resource}`, undefined, 'a budget needs requests of cpu and memory');
    const limit = checks.quantity(`${field}.limits.${resource}`, budget.limits?.[resource]);
    if (request && limit) {
      checks.expect(limit.compare(request) >= 0, `${field}.limits.${resource}`, limit.text,
        `must not be below ${field}.requests.${resource} (${request.text}), or the requests could never be used`);
    }
    parsed.requests[resource] = request;
    parsed.limits[resource] = limit;
  }
  return parsed;
}

function checkLimits(checks: Checks, options: TenantLimitsOptions | undefined, quota: ParsedQuota): void {
  const limits = resolveLimits(options);
  for (const resource of ['cpu', 'memory'] as const) {
    const request = checks.quantity(`limits.defaultRequest.${resource}`, limits.defaultRequest[resource]);
    const limit = checks.quantity(`limits.defaultLimit.${resource}`, limits.defaultLimit[resource]);
    const max = checks.quantity(`limits.max.${resource}`, limits.max?.[resource]);
    if (request && limit) {
      checks.expect(limit.compare(request) >= 0, `limits.defaultLimit.${resource}`, limit.text,
        `must not be below limits.defaultRequest.${resource} (${request.text}): a container's limit cannot be below its request`);
    }
    for (const [name, value] of [['defaultRequest', request], ['defaultLimit', limit]] as const) {
      if (max && value) {
        checks.expect(value.compare(max) <= 0, `limits.${name}.${resource}`, value.text, `must not exceed limits.max.${resource} (${max.text})`);
      }
    }
    const quotaRequest = quota.requests[resource];
    if (request && quotaRequest) {
      checks.expect(request.compare(quotaRequest) <= 0, `limits.defaultRequest.${resource}`, request.text,
        `must fit in quota.requests.${resource} (${quotaRequest.text}), or no pod without requests could start`);
    }
    if (quota.limits[resource]) {
      checks.expect(limit !== undefined, `limits.defaultLimit.${resource}`, limits.defaultLimit[resource],
        `is required because quota.limits.${resource} is set: the API server rejects pods without a ${resource} limit in such a namespace`);
    }
  }
}

function checkEgress(checks: Checks, rules: readonly EgressRule[]): void {
  rules.forEach((rule, index) => {
    checks.cidr(`egress[${index}].cidr`, rule.cidr);
    (rule.ports ?? []).forEach((port, p) => {
      checks.expect(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535, `egress[${index}].ports[${p}].port`, port.port,
        'must be a port number from 1 to 65535');
      checks.oneOf(`egress[${index}].ports[${p}].protocol`, port.protocol, NETWORK_PROTOCOLS);
    });
  });
}
