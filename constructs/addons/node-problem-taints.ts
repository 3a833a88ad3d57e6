import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/node-readiness-controller.keys.json';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';

/** The taint key prefix the Node Readiness Controller accepts. */
export const NODE_PROBLEM_TAINT_PREFIX = 'readiness.k8s.io/';

export interface NodeProblemTaintsProps {
  /** Node conditions (as node-problem-detector sets them) that keep new pods off a node while True. */
  readonly conditions: readonly string[];
  /** The conditions node-problem-detector is configured to set; the others would never fire. */
  readonly knownConditions: readonly string[];
  /**
   * Report what would be tainted (in each rule's status) without tainting.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the node-readiness-controller chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/**
 * Taints a node `readiness.k8s.io/<Condition>=node-problem-detector:NoSchedule`
 * while node-problem-detector reports the condition True, and removes the taint
 * when it clears: the step node-problem-detector leaves to "a custom
 * controller", done by SIG Node's Node Readiness Controller (one
 * NodeReadinessRule per condition, problem-gate style: a missing condition
 * counts as healthy). Running pods stay; new ones go elsewhere.
 */
export class NodeProblemTaints extends Construct {
  public readonly release: HelmAddon;
  /** The conditions that taint a node. */
  public readonly conditions: readonly string[];

  constructor(scope: Construct, id: string, props: NodeProblemTaintsProps) {
    super(scope, id);
    this.conditions = props.conditions;
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.nodeReadinessController,
      releaseName: 'node-problem-taints',
      namespace: 'node-readiness',
      systemCriticalNamespaces: ['node-readiness'],
      values: {
        nodeReadinessRules: props.conditions.map(condition => ({
          name: `npd-${condition.toLowerCase()}`,
          dryRun: props.dryRun ?? false,
          enforcementMode: 'continuous',
          conditions: [{ type: condition, requiredStatus: 'False', defaultStatus: 'False' }],
          taint: { key: `${NODE_PROBLEM_TAINT_PREFIX}${condition}`, value: 'node-problem-detector', effect: 'NoSchedule' },
          nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } },
        })),
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.nodeReadinessController,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      checks.expect(props.conditions.length > 0, 'conditions', props.conditions, 'name at least one condition to taint on');
      props.conditions.forEach((condition, i) => {
        checks.expect(props.knownConditions.includes(condition), `conditions[${i}]`, condition,
          `must be a condition node-problem-detector sets (${props.knownConditions.join(', ')})`);
        checks.expect(props.conditions.indexOf(condition) === i, `conditions[${i}]`, condition, 'is listed twice');
      });
    });
  }
}
