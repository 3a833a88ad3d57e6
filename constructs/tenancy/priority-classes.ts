import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks, validateWith } from '../core/checks';
import { Labels } from '../core/labels';

export type PreemptionPolicy = 'PreemptLowerPriority' | 'Never';
export const PREEMPTION_POLICIES: readonly PreemptionPolicy[] = ['PreemptLowerPriority', 'Never'];

/** Classes above this value are reserved for the system (`system-cluster-critical` and friends). */
export const MAX_USER_PRIORITY = 1_000_000_000;

/**
 * A PriorityClass of the cluster.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
 */
export interface PriorityClassSpec {
  /** Name, a DNS-1123 subdomain that does not start with `system-`. */
  readonly name: string;
  /** Priority; higher runs first and may preempt lower. At most 1,000,000,000. */
  readonly value: number;
  /**
   * What the class is for, shown by `kubectl describe`.
   * @default no description
   */
  readonly description?: string;
  /**
   * Whether pods without a class get this one. At most one class may be the default.
   * @default false
   */
  readonly globalDefault?: boolean;
  /**
   * Whether pods of this class may preempt lower ones.
   * @default 'PreemptLowerPriority'
   */
  readonly preemptionPolicy?: PreemptionPolicy;
}

export interface PriorityClassesProps {
  /** The classes, in any order. */
  readonly classes: readonly PriorityClassSpec[];
}

/** The cluster-scoped PriorityClasses of an environment. */
export class PriorityClasses extends Construct {
  /** Names of the classes, for cross-checks. */
  public readonly names: ReadonlySet<string>;
  /** The global default class, which pods that name none get. */
  public readonly globalDefault?: string;

  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    this.names = new Set(props.classes.map(c => c.name));
    this.globalDefault = props.classes.find(c => c.globalDefault === true)?.name;
    props.classes.forEach((spec, index) => {
      // Index-based ids keep duplicate names constructible, so that validation can report them.
      new k8s.KubePriorityClass(this, String(index), {
        metadata: { name: spec.name, labels: { [Labels.MANAGED_BY]: 'prodk8s' } },
        value: spec.value,
        description: spec.description,
        globalDefault: spec.globalDefault ?? false,
        preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority',
      });
    });
    validateWith(this, checks => checkPriorityClasses(checks, props.classes));
  }
}

function checkPriorityClasses(checks: Checks, classes: readonly PriorityClassSpec[]): void {
  const seen = new Set<string>();
  const defaults: string[] = [];
  classes.forEach((spec, index) => {
    const field = `priorityClasses[${index}]`;
    checks.dns1123Subdomain(`${field}.name`, spec.name);
    checks.expect(!String(spec.name).startsWith('system-'), `${field}.name`, spec.name, 'the prefix "system-" is reserved for Kubernetes');
    checks.expect(!seen.has(spec.name), `${field}.name`, spec.name, 'PriorityClass names must be unique');
    seen.add(spec.name);
    checks.expect(Number.isInteger(spec.value) && spec.value >= -2_147_483_648 && spec.value <= MAX_USER_PRIORITY,
      `${field}.value`, spec.value, `must be a whole number from -2147483648 to ${MAX_USER_PRIORITY}`);
    checks.oneOf(`${field}.preemptionPolicy`, spec.preemptionPolicy, PREEMPTION_POLICIES);
    if (spec.globalDefault) defaults.push(spec.name);
  });
  checks.expect(defaults.length <= 1, 'priorityClasses[*].globalDefault', defaults, 'at most one PriorityClass may be the global default');
}
