export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
export const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * A node taint; the pods that may run on such nodes tolerate it.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export interface TaintSpec {
  /** A qualified name, such as `prodk8s.io/dedicated`. */
  readonly key: string;
  /**
   * The taint's value; a toleration of a taint without one tolerates any value.
   * @default no value
   */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** The toleration of a taint: of its value, or of any value when it has none. */
export function tolerationOf(taint: TaintSpec): { key: string; operator: 'Exists' | 'Equal'; value?: string; effect: TaintEffect } {
  return taint.value === undefined
    ? { key: taint.key, operator: 'Exists', effect: taint.effect }
    : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect };
}
