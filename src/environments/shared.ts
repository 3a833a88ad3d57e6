import { PriorityClassSpec, TaintSpec } from '../../constructs';

/** The production pattern of three tenant classes; `low` is what a pod without a class gets. */
export const TENANT_PRIORITY_CLASSES: readonly PriorityClassSpec[] = [
  { name: 'high', value: 100_000, description: 'User-facing services that must keep running; may preempt lower classes.' },
  { name: 'medium', value: 10_000, description: 'Internal services and asynchronous workers.' },
  { name: 'low', value: 1_000, globalDefault: true, preemptionPolicy: 'Never', description: 'Batch and best-effort work; never preempts.' },
];

/** Entry nodes run only the NGINX entry. */
export const ENTRY_TAINT: TaintSpec = { key: 'prodk8s.io/entry', value: 'true', effect: 'NoSchedule' };

/** A dedicated pool's taint: only its tenant tolerates it. */
export function dedicatedTaint(pool: string): TaintSpec {
  return { key: 'prodk8s.io/dedicated', value: pool, effect: 'NoSchedule' };
}
