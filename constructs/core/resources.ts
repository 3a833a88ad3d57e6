import { k8s } from 'cdk8s-plus-27';

/** An amount of cpu and memory, both required. */
export interface ComputeResources {
  /** Kubernetes quantity of cpu, such as `500m` or `4`. */
  readonly cpu: string;
  /** Kubernetes quantity of memory, such as `512Mi` or `16Gi`. */
  readonly memory: string;
}

/** An amount of cpu and memory where each may be left out. */
export interface ComputeLimits {
  /**
   * Kubernetes quantity of cpu.
   * @default no cpu limit
   */
  readonly cpu?: string;
  /**
   * Kubernetes quantity of memory.
   * @default no memory limit
   */
  readonly memory?: string;
}

/** A container's requests and, optionally, limits. */
export interface ContainerResources {
  readonly requests: ComputeResources;
  /** @default no limits */
  readonly limits?: ComputeLimits;
}

/** A container's resources as charts and pod specs take them: copies, limits only when set. */
export function resourcesValue(resources: ContainerResources): { requests: ComputeResources; limits?: ComputeLimits } {
  return { requests: { ...resources.requests }, ...resources.limits ? { limits: { ...resources.limits } } : {} };
}

/** The set entries of `values` as cdk8s quantities. */
export function kubeQuantities(values: Record<string, string | undefined>): Record<string, k8s.Quantity> {
  const result: Record<string, k8s.Quantity> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) result[key] = k8s.Quantity.fromString(value);
  }
  return result;
}
