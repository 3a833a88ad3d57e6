import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks, validateWith } from '../core/checks';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { isDns1123Label } from '../core/names';
import { Quantity } from '../core/quantity';
import { ComputeLimits, kubeQuantities } from '../core/resources';

/** A Kubernetes object named across API versions, as an HPA refers to its target and to the objects its metrics describe. */
export interface CrossVersionObjectReference {
  /** API version of the object, such as `apps/v1`. */
  readonly apiVersion: string;
  /** Kind of the object, such as `Deployment`. */
  readonly kind: string;
  /** Name of the object, in the autoscaler's namespace. */
  readonly name: string;
}

export type ScalingPolicyType = 'Pods' | 'Percent';
export const SCALING_POLICY_TYPES: readonly ScalingPolicyType[] = ['Pods', 'Percent'];

export type ScalingSelectPolicy = 'Max' | 'Min' | 'Disabled';
export const SCALING_SELECT_POLICIES: readonly ScalingSelectPolicy[] = ['Max', 'Min', 'Disabled'];

/** How far an HPA may scale within a period (`HPAScalingPolicy`). */
export interface ScalingPolicy {
  /** `Pods`: a number of pods; `Percent`: a share of the current replicas. */
  readonly type: ScalingPolicyType;
  /** Pods or percent per period: a whole number greater than 0. */
  readonly value: number;
  /** Length of the period in seconds, 1 to 1800. */
  readonly periodSeconds: number;
}

/**
 * How an HPA scales in one direction (`HPAScalingRules`). Parts left out take
 * the Kubernetes defaults of that direction.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export interface ScalingRules {
  /**
   * Seconds of past recommendations considered, 0 to 3600, so that replicas do not flap.
   * @default 0 for scaleUp, 300 for scaleDown
   */
  readonly stabilizationWindowSeconds?: number;
  /**
   * Which policy wins when several apply; `Disabled` stops scaling in this direction.
   * @default 'Max'
   */
  readonly selectPolicy?: ScalingSelectPolicy;
  /**
   * At least one policy when given.
   * @default the Kubernetes defaults of this direction
   */
  readonly policies?: readonly ScalingPolicy[];
}

/** Scaling rules per direction (`HorizontalPodAutoscalerBehavior`). */
export interface ScalingBehavior {
  /** @default the Kubernetes defaults */
  readonly scaleUp?: ScalingRules;
  /** @default the Kubernetes defaults */
  readonly scaleDown?: ScalingRules;
}

export type CustomMetricType = 'Pods' | 'Object' | 'External';
export const CUSTOM_METRIC_TYPES: readonly CustomMetricType[] = ['Pods', 'Object', 'External'];

/** The value an HPA keeps a custom metric at: one of the two. */
export interface CustomMetricTarget {
  /**
   * Target of the metric divided by the number of pods, a quantity greater than 0.
   * The only target of a `Pods` metric.
   */
  readonly averageValue?: string;
  /** Target of the metric as a whole, a quantity greater than 0; `Object` and `External` metrics only. */
  readonly value?: string;
}

/**
 * A metric served by a custom or external metrics API adapter (such as
 * prometheus-adapter or KEDA), which must run in the cluster: metrics-server
 * serves only cpu and memory.
 */
export interface CustomMetric {
  /** Name of the metric as the adapter serves it. */
  readonly name: string;
  /**
   * `Pods`: a metric of each pod of the target (custom.metrics.k8s.io), averaged;
   * `Object`: a metric of one object in the namespace, such as an Ingress;
   * `External`: a metric from outside the cluster (external.metrics.k8s.io), such as a queue length.
   */
  readonly type: CustomMetricType;
  readonly target: CustomMetricTarget;
  /** The object the metric describes; `Object` metrics only, and required there. */
  readonly describedObject?: CrossVersionObjectReference;
  /**
   * Labels that narrow the metric's series.
   * @default every series of the metric
   */
  readonly selector?: Readonly<Record<string, string>>;
}

/**
 * Horizontal autoscaling of a workload (an `autoscaling/v2` HorizontalPodAutoscaler).
 * At least one metric is required.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface AutoscalingSpec {
  /**
   * Fewest replicas, 1 or more.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas, not below minReplicas. */
  readonly maxReplicas: number;
  /**
   * Target average cpu use, in percent of the containers' cpu requests (1 to 1000).
   * Needs metrics-server and a cpu request on every container.
   * @default cpu is not a metric
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory use, in percent of the containers' memory requests (1 to 1000).
   * Needs metrics-server and a memory request on every container.
   * @default memory is not a metric
   */
  readonly memoryUtilization?: number;
  /** @default none */
  readonly customMetrics?: readonly CustomMetric[];
  /** @default the Kubernetes defaults in both directions */
  readonly behavior?: ScalingBehavior;
}

/** Requests and limits of a workload's container; either resource may be left out. */
export interface WorkloadResources {
  /** Requests; a utilization metric needs the request of its resource. */
  readonly requests: ComputeLimits;
  /** @default no limits */
  readonly limits?: ComputeLimits;
}

/** A stateless workload of a tenant: one Deployment, with a Service and an HPA as needed. */
export interface WorkloadSpec {
  /** Name of the Deployment, its container, Service and HPA: a DNS-1123 label (starting with a letter when a Service is rendered). */
  readonly name: string;
  /**
   * Container image pinned to a tag other than `latest` or to a digest, such as
   * `registry.example.com/team/app:1.4.2` or `registry.example.com/team/app@sha256:…`.
   */
  readonly image: string;
  /**
   * Replicas of the Deployment. Must be left out with `autoscaling`: the Deployment
   * then declares none, so the HPA owns the count and an apply does not reset it.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Port the container listens on.
   * @default none
   */
  readonly containerPort?: number;
  /**
   * Arguments of the container, replacing the image's CMD.
   * @default the image's CMD
   */
  readonly args?: readonly string[];
  readonly resources: WorkloadResources;
  /**
   * Whether a ClusterIP Service named like the workload forwards port 80 to containerPort.
   * @default true when containerPort is set
   */
  readonly service?: boolean;
  /** @default a fixed number of replicas */
  readonly autoscaling?: AutoscalingSpec;
}

export interface TenantWorkloadProps {
  /** Namespace of the workload, the tenant's. */
  readonly namespace: string;
  readonly workload: WorkloadSpec;
  /** Whether the environment runs metrics-server, without which cpu and memory utilization cannot be measured. */
  readonly metricsServer: boolean;
  /**
   * Whether the namespace enforces the `restricted` Pod Security level (the tenants' default),
   * which requires `runAsNonRoot`. Left unset, images that run as root keep working.
   * @default false
   */
  readonly podSecurityRestricted?: boolean;
  /**
   * The one registry the cluster pulls every image from (`images.registry`); the image moves under it unless already there.
   * @default the image's own registry
   */
  readonly imageRegistry?: ImageRegistry;
}

/** Whether every container of a scaled object requests each resource (a non-zero request). */
export interface ContainersRequest {
  readonly cpu: boolean;
  readonly memory: boolean;
}

export interface TenantAutoscalerProps {
  /** Namespace of the target and of the HPA. */
  readonly namespace: string;
  /** The scaled object, such as `{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }`. The HPA takes its name. */
  readonly target: CrossVersionObjectReference;
  /** Whether every container of the target requests cpu and memory, which utilization metrics are computed against. */
  readonly containersRequest: ContainersRequest;
  readonly autoscaling: AutoscalingSpec;
  /** Whether the environment runs metrics-server. */
  readonly metricsServer: boolean;
}

const NAME_LABEL = 'app.kubernetes.io/name';

// Autoscalers whose target name their owner already checks, so that a bad name is reported once.
const targetCheckedByOwner = new WeakSet<TenantAutoscaler>();

/**
 * An `autoscaling/v2` HorizontalPodAutoscaler named like its target, for
 * workloads of the model and for those declared elsewhere.
 */
export class TenantAutoscaler extends Construct {
  public readonly horizontalPodAutoscaler: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: TenantAutoscalerProps) {
    super(scope, id);
    const { autoscaling, target } = props;
    this.horizontalPodAutoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      metadata: { name: target.name, namespace: props.namespace, labels: { [Labels.MANAGED_BY]: 'prodk8s' } },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        minReplicas: autoscaling.minReplicas ?? 1,
        maxReplicas: autoscaling.maxReplicas,
        metrics: metricSpecs(autoscaling),
        behavior: autoscaling.behavior && {
          scaleUp: scalingRules(autoscaling.behavior.scaleUp),
          scaleDown: scalingRules(autoscaling.behavior.scaleDown),
        },
      },
    });
    validateWith(this, checks => checkAutoscaler(checks, props, !targetCheckedByOwner.has(this)));
  }
}

/**
 * A tenant's stateless workload: a Deployment with a hardened container, a
 * ClusterIP Service when it listens on a port, and a TenantAutoscaler when it
 * scales.
 */
export class TenantWorkload extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  /** The Service, when one is rendered. */
  public readonly service?: k8s.KubeService;
  /** The autoscaler, when the workload scales. */
  public readonly autoscaler?: TenantAutoscaler;

  constructor(scope: Construct, id: string, props: TenantWorkloadProps) {
    super(scope, id);
    const { namespace, workload } = props;
    const selector = { [NAME_LABEL]: workload.name };
    const metadata = { name: workload.name, namespace, labels: { ...selector, [Labels.MANAGED_BY]: 'prodk8s' } };

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        // Under autoscaling the HPA owns the count; declaring one too would reset it on every apply.
        replicas: workload.autoscaling ? undefined : workload.replicas ?? 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: { containers: [container(workload, props.podSecurityRestricted ?? false, props.imageRegistry)] },
        },
      },
    });

    if (wantsService(workload) && workload.containerPort !== undefined) {
      this.service = new k8s.KubeService(this, 'service', {
        metadata,
        spec: {
          type: 'ClusterIP',
          selector,
          ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(workload.containerPort), protocol: 'TCP' }],
        },
      });
    }

    if (workload.autoscaling) {
      this.autoscaler = new TenantAutoscaler(this, 'autoscaler', {
        namespace,
        target: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload.name },
        containersRequest: { cpu: requests(workload.resources?.requests?.cpu), memory: requests(workload.resources?.requests?.memory) },
        autoscaling: workload.autoscaling,
        metricsServer: props.metricsServer,
      });
      targetCheckedByOwner.add(this.autoscaler);
    }

    validateWith(this, checks => checkWorkload(checks, workload));
  }
}

function container(workload: WorkloadSpec, restricted: boolean, imageRegistry: ImageRegistry | undefined): k8s.Container {
  const limits = kubeQuantities({ ...workload.resources?.limits });
  return {
    name: workload.name,
    image: imageRegistry?.image(workload.image) ?? workload.image,
    args: workload.args && [...workload.args],
    ports: workload.containerPort === undefined ? undefined : [{ containerPort: workload.containerPort, protocol: 'TCP' }],
    resources: {
      requests: kubeQuantities({ ...workload.resources?.requests }),
      limits: Object.keys(limits).length > 0 ? limits : undefined,
    },
    securityContext: {
      // Only where the namespace demands it: an image that runs as root would otherwise not start.
      runAsNonRoot: restricted ? true : undefined,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function wantsService(workload: WorkloadSpec): boolean {
  return workload.service ?? workload.containerPort !== undefined;
}

/** Whether a request counts for utilization: a zero request cannot be divided by, while an invalid one is the workload's own problem. */
function requests(value: string | undefined): boolean {
  return value !== undefined && (!Quantity.isValid(value) || Quantity.parse(value).nanos !== 0n);
}

function metricSpecs(autoscaling: AutoscalingSpec): k8s.MetricSpecV2[] {
  const utilization = (name: string, averageUtilization: number | undefined): k8s.MetricSpecV2[] => averageUtilization === undefined ? []
    : [{ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } }];
  return [
    ...utilization('cpu', autoscaling.cpuUtilization),
    ...utilization('memory', autoscaling.memoryUtilization),
    ...(autoscaling.customMetrics ?? []).map(customMetricSpec),
  ];
}

function customMetricSpec(metric: CustomMetric): k8s.MetricSpecV2 {
  const source = {
    metric: { name: metric.name, selector: metric.selector && { matchLabels: { ...metric.selector } } },
    // An average wins when both are given; validation refuses that anyway.
    target: metric.target?.averageValue !== undefined
      ? { type: 'AverageValue', averageValue: k8s.Quantity.fromString(metric.target.averageValue) }
      : { type: 'Value', value: metric.target?.value === undefined ? undefined : k8s.Quantity.fromString(metric.target.value) },
  };
  switch (metric.type) {
    case 'Pods': return { type: 'Pods', pods: source };
    case 'Object': return { type: 'Object', object: { describedObject: { ...metric.describedObject! }, ...source } };
    case 'External': return { type: 'External', external: source };
    default: return { type: String(metric.type) };
  }
}

function scalingRules(rules: ScalingRules | undefined): k8s.HpaScalingRulesV2 | undefined {
  return rules && {
    stabilizationWindowSeconds: rules.stabilizationWindowSeconds,
    selectPolicy: rules.selectPolicy,
    policies: rules.policies?.map(p => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  };
}

function checkWorkload(checks: Checks, workload: WorkloadSpec): void {
  checks.dns1123Label('name', workload.name);
  if (wantsService(workload) && isDns1123Label(workload.name)) {
    checks.expect(/^[a-z]/.test(workload.name), 'name', workload.name,
      'must start with a letter: the Service takes this name, and Service names are DNS-1035 labels');
  }
  checkImage(checks, 'image', workload.image);
  checks.count('replicas', workload.replicas);
  checks.expect(!(workload.autoscaling && workload.replicas !== undefined), 'replicas', workload.replicas,
    'must be left out with autoscaling: the HorizontalPodAutoscaler owns the replica count (set autoscaling.minReplicas instead)');
  const port = workload.containerPort;
  if (port !== undefined) {
    checks.expect(Number.isInteger(port) && port >= 1 && port <= 65535, 'containerPort', port, 'must be a port number from 1 to 65535');
  }
  checks.expect(!(workload.service === true && port === undefined), 'service', workload.service,
    'needs containerPort: the Service forwards port 80 to it');
  for (const resource of ['cpu', 'memory'] as const) {
    const request = checks.quantity(`resources.requests.${resource}`, workload.resources?.requests?.[resource]);
    const limit = checks.quantity(`resources.limits.${resource}`, workload.resources?.limits?.[resource]);
    if (request && limit) {
      checks.expect(limit.compare(request) >= 0, `resources.limits.${resource}`, limit.text,
        `must not be below resources.requests.${resource} (${request.text}): the API server refuses a container whose limit is below its request`);
    }
  }
}

// A reference as the container runtimes parse it: [domain[:port]/]path[:tag][@digest].
const DOMAIN_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::(\\w[\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}))?$`);

function checkImage(checks: Checks, field: string, image: string): void {
  const match = typeof image === 'string' ? IMAGE.exec(image) : null;
  if (!match) {
    checks.fail(field, image, 'must be an image reference such as registry.example.com/team/app:1.4.2 or registry.example.com/team/app@sha256:<64 hex digits>');
    return;
  }
  const [, tag, digest] = match;
  checks.expect(digest !== undefined || (tag !== undefined && tag !== 'latest'), field, image,
    'must be pinned to a tag other than "latest" or to a digest (@sha256:…): an untagged or "latest" image changes under the same manifest, so nodes may run different builds and a rollback cannot restore the previous one');
}

function checkAutoscaler(checks: Checks, props: TenantAutoscalerProps, checkTarget: boolean): void {
  const { autoscaling, target } = props;
  if (checkTarget) checkReference(checks, 'target', target);

  const min = autoscaling.minReplicas ?? 1;
  const max = autoscaling.maxReplicas;
  const minValid = Number.isInteger(min) && min >= 1;
  const maxValid = Number.isInteger(max) && max >= 1;
  checks.expect(minValid, 'autoscaling.minReplicas', autoscaling.minReplicas, 'must be a whole number, 1 or more');
  checks.expect(maxValid, 'autoscaling.maxReplicas', max, 'must be a whole number, 1 or more');
  if (minValid && maxValid) {
    checks.expect(max >= min, 'autoscaling.maxReplicas', max, `must not be below autoscaling.minReplicas (${min})`);
  }

  const customMetrics = autoscaling.customMetrics ?? [];
  checks.expect(autoscaling.cpuUtilization !== undefined || autoscaling.memoryUtilization !== undefined || customMetrics.length > 0,
    'autoscaling', autoscaling,
    'needs at least one metric: cpuUtilization, memoryUtilization or customMetrics (without one the API server would silently scale on 80% cpu)');

  for (const [resource, key] of [['cpu', 'cpuUtilization'], ['memory', 'memoryUtilization']] as const) {
    const value = autoscaling[key];
    if (value === undefined) continue;
    const field = `autoscaling.${key}`;
    checks.expect(Number.isInteger(value) && value >= 1 && value <= 1000, field, value,
      'must be a whole percentage of the requests from 1 to 1000');
    checks.expect(props.metricsServer, field, value,
      'needs metrics-server, which the environment does not run: the HPA reads cpu and memory use from the resource metrics API it serves');
    checks.expect(props.containersRequest[resource], field, value,
      `needs a non-zero resources.requests.${resource} on every container of ${target.kind} ${target.name}: the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales`);
  }

  customMetrics.forEach((metric, index) => checkCustomMetric(checks, `autoscaling.customMetrics[${index}]`, metric));

  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = autoscaling.behavior?.[direction];
    if (rules) checkScalingRules(checks, `autoscaling.behavior.${direction}`, rules);
  }
}

function checkReference(checks: Checks, field: string, reference: CrossVersionObjectReference): void {
  checks.expect(typeof reference.apiVersion === 'string' && reference.apiVersion !== '', `${field}.apiVersion`, reference.apiVersion,
    'must name an API version, such as apps/v1');
  checks.expect(typeof reference.kind === 'string' && reference.kind !== '', `${field}.kind`, reference.kind,
    'must name a kind, such as Deployment');
  checks.dns1123Subdomain(`${field}.name`, reference.name);
}

function checkCustomMetric(checks: Checks, field: string, metric: CustomMetric): void {
  const name = metric.name;
  // The metrics APIs take the name as a URL path segment.
  checks.expect(typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name), `${field}.name`, name,
    'must be a metric name: not empty, not "." or "..", and without "/" or "%"');
  checks.oneOf(`${field}.type`, metric.type, CUSTOM_METRIC_TYPES);
  checks.labels(`${field}.selector`, metric.selector);

  if (metric.type === 'Object') {
    checks.expect(metric.describedObject !== undefined, `${field}.describedObject`, undefined,
      'an Object metric needs the object it describes, such as the Ingress whose requests it counts');
    if (metric.describedObject) checkReference(checks, `${field}.describedObject`, metric.describedObject);
  } else {
    checks.expect(metric.describedObject === undefined, `${field}.describedObject`, metric.describedObject, 'applies to Object metrics only');
  }

  const target = metric.target ?? {};
  for (const key of ['averageValue', 'value'] as const) {
    const quantity = checks.quantity(`${field}.target.${key}`, target[key]);
    if (quantity) checks.expect(quantity.nanos > 0n, `${field}.target.${key}`, target[key], 'must be greater than 0');
  }
  if (metric.type === 'Pods') {
    checks.expect(target.value === undefined, `${field}.target.value`, target.value,
      'a Pods metric is averaged over the pods: give target.averageValue instead');
    checks.expect(target.averageValue !== undefined, `${field}.target.averageValue`, undefined,
      'a Pods metric needs a target averageValue, the value per pod');
  } else if (target.value !== undefined && target.averageValue !== undefined) {
    checks.fail(`${field}.target`, target, 'give value (the metric as a whole) or averageValue (the metric divided by the number of pods), not both');
  } else if (target.value === undefined && target.averageValue === undefined) {
    checks.fail(`${field}.target`, target, 'needs value (the metric as a whole) or averageValue (the metric divided by the number of pods)');
  }
}

function checkScalingRules(checks: Checks, field: string, rules: ScalingRules): void {
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined) {
    checks.expect(Number.isInteger(window) && window >= 0 && window <= 3600, `${field}.stabilizationWindowSeconds`, window,
      'must be a whole number of seconds from 0 to 3600');
  }
  checks.oneOf(`${field}.selectPolicy`, rules.selectPolicy, SCALING_SELECT_POLICIES);
  if (rules.policies) {
    checks.expect(rules.policies.length > 0, `${field}.policies`, rules.policies,
      'must list at least one policy, or be left out for the Kubernetes defaults: the API server refuses an empty list');
  }
  (rules.policies ?? []).forEach((policy, index) => {
    const at = `${field}.policies[${index}]`;
    checks.oneOf(`${at}.type`, policy.type, SCALING_POLICY_TYPES);
    checks.expect(Number.isInteger(policy.value) && policy.value > 0, `${at}.value`, policy.value, 'must be a whole number greater than 0');
    checks.expect(Number.isInteger(policy.periodSeconds) && policy.periodSeconds >= 1 && policy.periodSeconds <= 1800,
      `${at}.periodSeconds`, policy.periodSeconds, 'must be a whole number of seconds from 1 to 1800');
  });
}
