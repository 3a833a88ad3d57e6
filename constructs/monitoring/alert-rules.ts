import { exactNamesPattern } from '../core/names';

/** How urgent an alert is; Alertmanager routes on it. */
export type Severity = 'critical' | 'warning' | 'info';

/** One Prometheus alerting rule, with what an operator needs to act on it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold, as a Prometheus duration. */
  readonly for: string;
  readonly severity: Severity;
  /** Extra labels, such as the node pool. */
  readonly labels?: Readonly<Record<string, string>>;
  /** One line; may use `{{ $labels.node }}` and `{{ $value }}`. */
  readonly summary: string;
  /** What is wrong and where, naming the node or tenant. */
  readonly description: string;
  /** What to check first, in order. */
  readonly runbook: string;
}

/** A named group of rules, evaluated together: one group of a Prometheus rule file. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** A group as Prometheus (and a PrometheusRule's spec) reads it. */
export function ruleFileGroup(group: RuleGroup): Record<string, unknown> {
  return {
    name: group.name,
    rules: group.rules.map(rule => ({
      alert: rule.alert,
      expr: rule.expr,
      for: rule.for,
      labels: { severity: rule.severity, ...rule.labels },
      annotations: { summary: rule.summary, description: rule.description, runbook: rule.runbook },
    })),
  };
}

/**
 * The platform's troubleshooting order, as runbook text: the first steps
 * specific to the alert, then the usual path from the pod down to the network.
 */
export function runbook(...firstSteps: string[]): string {
  return [
    ...firstSteps,
    'kubectl describe pod <pod> -n <namespace>: status, last state, events',
    'kubectl logs <pod> -n <namespace> (--previous after a restart)',
    'kubectl get events -n <namespace> --sort-by=.lastTimestamp',
    'kubectl describe node <node>: conditions, taints, allocated resources',
    'network: NetworkPolicies of the namespace, DNS, the Service\'s endpoints; a shell beside the container:',
    'kubectl debug -it <pod> -n <namespace> --image=<toolbox> --target=<container>, then tcpdump -ni any there',
  ].map((step, i) => wrapStep(`${i + 1}. ${step}`)).join('\n');
}

/** Runbook lines stay readable wherever the annotation is shown: a long step goes on, indented, on the next line. */
const RUNBOOK_WIDTH = 88;

function wrapStep(step: string): string {
  const lines: string[] = [];
  for (const word of step.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= RUNBOOK_WIDTH) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(lines.length === 0 ? word : `   ${word}`);
  }
  return lines.join('\n');
}

/** A PromQL regular expression that matches exactly these names (PromQL anchors it), short for a pool's nodes. */
export function exactly(names: readonly string[]): string {
  // Escaped for the PromQL double-quoted string.
  return exactNamesPattern(names).replace(/\\/g, '\\\\');
}
