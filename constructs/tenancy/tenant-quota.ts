import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ComputeLimits, ComputeResources, kubeQuantities } from '../core/resources';

/**
 * What a tenant may use in its namespace in total.
 * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
 */
export interface TenantQuotaOptions {
  /** Sum of the cpu and memory requests of all pods (`requests.cpu`, `requests.memory`). */
  readonly requests: ComputeResources;
  /**
   * Sum of the cpu and memory limits of all pods (`limits.cpu`, `limits.memory`).
   * @default limits are not capped in total
   */
  readonly limits?: ComputeLimits;
  /** Number of pods that are not in a terminal state. */
  readonly pods: number;
  /**
   * Requests of extended resources, such as `{ 'nvidia.com/gpu': '8' }` (`requests.nvidia.com/gpu`).
   * @default none: pods of the tenant cannot request extended resources
   */
  readonly extendedResources?: Readonly<Record<string, string>>;
  /**
   * Number of Services.
   * @default 10
   */
  readonly services?: number;
  /**
   * Number of Services of type NodePort (`services.nodeports`).
   * @default 0: tenants are reached through the cluster's entry, not through node ports
   */
  readonly nodePortServices?: number;
  /**
   * Number of Services of type LoadBalancer (`services.loadbalancers`).
   * @default 0: tenants are reached through the cluster's entry
   */
  readonly loadBalancerServices?: number;
  /**
   * Number of PersistentVolumeClaims.
   * @default 0: storage is granted explicitly
   */
  readonly persistentVolumeClaims?: number;
  /**
   * Sum of the storage requested by all PersistentVolumeClaims (`requests.storage`).
   * @default '0': storage is granted explicitly
   */
  readonly storage?: string;
  /**
   * Budgets per StorageClass, within the totals above: the storage and number of claims of each class
   * (`<class>.storageclass.storage.k8s.io/requests.storage` and `/persistentvolumeclaims`).
   * @default no budget per class
   */
  readonly storageClasses?: Readonly<Record<string, StorageClassQuota>>;
}

/** What a tenant may claim of one StorageClass. */
export interface StorageClassQuota {
  /** Sum of the storage its claims of the class request. */
  readonly storage: string;
  /**
   * Number of claims of the class.
   * @default not capped beyond the tenant's total
   */
  readonly persistentVolumeClaims?: number;
}

/**
 * The budget of one PriorityClass inside a tenant: pods of that class count
 * against it, and pods of a class without a budget are refused.
 * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/#resource-quota-per-priorityclass
 */
export interface PriorityQuotaOptions {
  /** Name of a PriorityClass of the cluster. */
  readonly priorityClass: string;
  /** Sum of the cpu and memory requests of this class's pods. */
  readonly requests: ComputeResources;
  /**
   * Sum of the cpu and memory limits of this class's pods.
   * @default limits are not capped for this class
   */
  readonly limits?: ComputeLimits;
  /** Number of pods of this class. */
  readonly pods: number;
}

export interface TenantQuotaProps {
  /** Namespace the quotas apply to. */
  readonly namespace: string;
  /** The tenant's total budget. */
  readonly quota: TenantQuotaOptions;
  /**
   * Budgets per PriorityClass.
   * @default no budgets per class: only the global default class may be used
   */
  readonly priorityQuotas?: readonly PriorityQuotaOptions[];
  /**
   * The cluster's global default PriorityClass, which pods that name no class get, and which needs no budget.
   * @default none
   */
  readonly defaultPriorityClass?: string;
}

/**
 * The ResourceQuotas of one tenant: `compute` (cpu and memory), `objects`
 * (object counts and storage), one `priority-<class>` per PriorityClass budget,
 * and `priority-guard`, which refuses pods of classes without a budget other
 * than the global default (so a tenant cannot slip past its budgets, or
 * preempt other tenants, with `system-node-critical`).
 */
export class TenantQuota extends Construct {
  constructor(scope: Construct, id: string, props: TenantQuotaProps) {
    super(scope, id);
    const { namespace, quota } = props;
    const priorityQuotas = props.priorityQuotas ?? [];

    this.addQuota('compute', namespace, {
      hard: {
        ...compute('requests', quota.requests),
        ...compute('limits', quota.limits),
        ...kubeQuantities(Object.fromEntries(Object.entries(quota.extendedResources ?? {}).map(([name, value]) => [`requests.${name}`, value]))),
      },
    });
    this.addQuota('objects', namespace, {
      hard: kubeQuantities({
        'pods': String(quota.pods),
        'services': String(quota.services ?? 10),
        'services.nodeports': String(quota.nodePortServices ?? 0),
        'services.loadbalancers': String(quota.loadBalancerServices ?? 0),
        'persistentvolumeclaims': String(quota.persistentVolumeClaims ?? 0),
        'requests.storage': quota.storage ?? '0',
        // A malformed budget (from plain JavaScript or JSON) is left out here and reported by the cluster's checks.
        ...Object.fromEntries(Object.entries(storageBudgets(quota)).flatMap(([name, budget]) => {
          return [
            [`${name}.storageclass.storage.k8s.io/requests.storage`, budget.storage],
            ...budget.persistentVolumeClaims === undefined ? [] : [[`${name}.storageclass.storage.k8s.io/persistentvolumeclaims`, String(budget.persistentVolumeClaims)]],
          ];
        })),
      }),
    });

    priorityQuotas.forEach((budget, index) => {
      // Index-based ids keep two budgets of one class constructible, so that validation can report them.
      this.addQuota(`priority-${budget.priorityClass}`, namespace, {
        hard: {
          ...compute('requests', budget.requests),
          ...compute('limits', budget.limits),
          ...kubeQuantities({ pods: String(budget.pods) }),
        },
        scopeSelector: {
          matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [budget.priorityClass] }],
        },
      }, `priority-${index}`);
    });
    // Every tenant: both expressions must match, a pod that names a class and a class with no budget (the
    // global default aside, which pods naming none get). So no tenant runs system-node-critical pods, nor
    // a class it was given no budget for, and preempts others with them.
    const allowed = [...new Set([...priorityQuotas.map(b => b.priorityClass), ...props.defaultPriorityClass ? [props.defaultPriorityClass] : []])];
    this.addQuota('priority-guard', namespace, {
      hard: kubeQuantities({ pods: '0' }),
      scopeSelector: {
        matchExpressions: [
          { scopeName: 'PriorityClass', operator: 'Exists' },
          ...allowed.length > 0 ? [{ scopeName: 'PriorityClass', operator: 'NotIn', values: allowed }] : [],
        ],
      },
    });
  }

  private addQuota(name: string, namespace: string, spec: k8s.ResourceQuotaSpec, id = name): void {
    new k8s.KubeResourceQuota(this, id, { metadata: { name, namespace }, spec });
  }
}

function compute(prefix: 'requests' | 'limits', resources: ComputeLimits | undefined): Record<string, k8s.Quantity> {
  return kubeQuantities({ [`${prefix}.cpu`]: resources?.cpu, [`${prefix}.memory`]: resources?.memory });
}

/** The well-formed per-class budgets of a quota, by class name, sorted. */
function storageBudgets(quota: TenantQuotaOptions): Record<string, StorageClassQuota> {
  const budgets: unknown = quota.storageClasses;
  if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets)) return {};
  return Object.fromEntries(Object.entries(budgets as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter((entry): entry is [string, StorageClassQuota] => typeof entry[1] === 'object' && entry[1] !== null && typeof (entry[1] as StorageClassQuota).storage === 'string'));
}
