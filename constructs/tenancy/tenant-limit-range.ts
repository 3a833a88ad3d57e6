import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ComputeLimits, ComputeResources, kubeQuantities } from '../core/resources';

/**
 * Per-container defaults and caps of a tenant's namespace.
 * @see https://kubernetes.io/docs/concepts/policy/limit-range/
 */
export interface TenantLimitsOptions {
  /**
   * Requests given to a container that sets none, so that it counts against
   * the quota and is never BestEffort by accident.
   * @default cpu 100m, memory 128Mi
   */
  readonly defaultRequest?: ComputeResources;
  /**
   * Limits given to a container that sets none. Replaces the default as a whole.
   * @default memory 512Mi and no cpu limit (a cpu limit throttles a container even on an idle node)
   */
  readonly defaultLimit?: ComputeLimits;
  /**
   * The largest limit one container may set.
   * @default no cap per container
   */
  readonly max?: ComputeLimits;
}

/** The defaults that apply when a tenant gives no `limits`. */
export const DEFAULT_TENANT_LIMITS = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  defaultLimit: { memory: '512Mi' },
} as const satisfies TenantLimitsOptions;

export interface TenantLimitRangeProps {
  /** Namespace the LimitRange applies to. */
  readonly namespace: string;
  /**
   * Per-container defaults and caps.
   * @default DEFAULT_TENANT_LIMITS
   */
  readonly limits?: TenantLimitsOptions;
}

/** The LimitRange `defaults` of one tenant: default requests and limits per container. */
export class TenantLimitRange extends Construct {
  constructor(scope: Construct, id: string, props: TenantLimitRangeProps) {
    super(scope, id);
    const limits = resolveLimits(props.limits);
    const item: k8s.LimitRangeItem = {
      type: 'Container',
      defaultRequest: kubeQuantities({ ...limits.defaultRequest }),
      default: nonEmpty(kubeQuantities({ ...limits.defaultLimit })),
      max: nonEmpty(kubeQuantities({ ...limits.max })),
    };
    new k8s.KubeLimitRange(this, 'defaults', {
      metadata: { name: 'defaults', namespace: props.namespace },
      spec: { limits: [item] },
    });
  }
}

/** The limits in force: each part given, or its default. */
export function resolveLimits(limits: TenantLimitsOptions | undefined): Required<Omit<TenantLimitsOptions, 'max'>> & Pick<TenantLimitsOptions, 'max'> {
  return {
    defaultRequest: limits?.defaultRequest ?? DEFAULT_TENANT_LIMITS.defaultRequest,
    defaultLimit: limits?.defaultLimit ?? DEFAULT_TENANT_LIMITS.defaultLimit,
    max: limits?.max,
  };
}

function nonEmpty<T extends object>(map: T): T | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}
