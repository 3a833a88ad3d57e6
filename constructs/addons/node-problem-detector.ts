import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { isQualifiedName } from '../core/names';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/node-problem-detector.keys.json';
import { PRIVILEGED_NAMESPACE } from './cni';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';
import imageMonitors from './node-problem-detector-monitors.json';

/**
 * A check node-problem-detector runs on every node: a program whose exit
 * status sets a node condition (0 ok, 1 problem, other unknown).
 */
export interface CustomPluginMonitor {
  /** Name of the monitor's file, a DNS-1123 label. */
  readonly name: string;
  /** Node condition the check sets while the problem lasts, in UpperCamelCase, such as `TimeNotSynchronized`. */
  readonly condition: string;
  /** Reason of the condition when all is well. */
  readonly healthyReason: string;
  /** Reason of the condition when the check fails. */
  readonly problemReason: string;
  /** The program and its arguments. */
  readonly command: readonly string[];
  /** A script to mount beside the monitor, at `/custom-config/<name>.sh`, that `command` may run. */
  readonly script?: string;
  /**
   * How often the check runs, as a duration.
   * @default '1m'
   */
  readonly interval?: string;
  /**
   * How long one run may take.
   * @default '10s'
   */
  readonly timeout?: string;
}

/**
 * Whether the node's clock is synchronized, as systemd-timesyncd or chronyd
 * reports it to timedatectl in the host's namespaces. A node whose clock
 * drifts breaks TLS, etcd leases and log correlation long before anyone looks.
 */
export const TIME_SYNC_MONITOR: CustomPluginMonitor = {
  name: 'time-sync',
  condition: 'TimeNotSynchronized',
  healthyReason: 'TimeSynchronized',
  problemReason: 'TimeNotSynchronized',
  command: ['/bin/bash', '/custom-config/time-sync.sh'],
  script: [
    '#!/bin/bash',
    '# Exit 0 when the host clock is NTP-synchronized, 1 when not, 2 when it cannot tell.',
    'synced=$(nsenter --target 1 --mount --uts -- \\',
    '  timedatectl show --property=NTPSynchronized --value 2>/dev/null) \\',
    '  || { echo "timedatectl unavailable"; exit 2; }',
    'if [ "$synced" = "yes" ]; then echo "clock synchronized"; exit 0; fi',
    'echo "clock not synchronized (NTPSynchronized=$synced)"; exit 1',
    '',
  ].join('\n'),
};

/** A node condition node-problem-detector sets, and how urgent it is when True. */
export interface NodeProblemCondition {
  readonly type: string;
  readonly severity: 'critical' | 'warning';
  /** What it means, for the alert. */
  readonly meaning: string;
}

/**
 * What the monitors built into the pinned image set (its `/config/*.json`, as
 * `scripts/npd-monitors.ts` records them from the source at the image's tag):
 * per monitor file, the conditions and the reasons of the events it counts.
 */
export const IMAGE_MONITORS: {
  readonly version: string;
  readonly monitors: Readonly<Record<string, { readonly conditions: Readonly<Record<string, readonly string[]>>; readonly counted: readonly string[] }>>;
} = imageMonitors;

/** The image's monitors prodk8s turns on: kernel and read-only filesystem logs, and the restart counters. */
export const BUILT_IN_LOG_MONITORS = ['/config/kernel-monitor.json', '/config/readonly-monitor.json'] as const;
export const BUILT_IN_PLUGIN_MONITORS = ['/config/systemd-monitor-counter.json'] as const;

/** What each condition of the built-in monitors means for a node, and how urgent it is when True. */
const CONDITION_MEANINGS: Readonly<Record<string, Omit<NodeProblemCondition, 'type'>>> = {
  KernelDeadlock: { severity: 'critical', meaning: 'a task is blocked in the kernel; processes on the node may hang' },
  XfsShutdown: { severity: 'critical', meaning: 'an XFS filesystem shut down after errors' },
  CperHardwareErrorFatal: { severity: 'critical', meaning: 'the firmware reported a fatal hardware error (CPER); the machine needs repair' },
  ReadonlyFilesystem: { severity: 'critical', meaning: 'a filesystem was remounted read-only after errors; pods cannot write' },
  FrequentKubeletRestart: { severity: 'warning', meaning: 'the kubelet restarted 5 times in 20 minutes' },
  FrequentContainerdRestart: { severity: 'warning', meaning: 'containerd restarted 5 times in 20 minutes' },
  FrequentDockerRestart: { severity: 'warning', meaning: 'docker restarted 5 times in 20 minutes (nodes run containerd: something else runs Docker)' },
  ContainerRuntimeUnhealthy: { severity: 'critical', meaning: 'containerd logged a fatal error; pods may not start' },
};

/**
 * The conditions the built-in monitors prodk8s turns on can set, derived from
 * the image's own monitor files (so a new one, such as CperHardwareErrorFatal,
 * gets an alert), then the containerd log monitor's.
 */
export const BUILT_IN_CONDITIONS: readonly NodeProblemCondition[] = [
  ...[...BUILT_IN_LOG_MONITORS, ...BUILT_IN_PLUGIN_MONITORS].flatMap(file => Object.keys(IMAGE_MONITORS.monitors[file].conditions)),
  'ContainerRuntimeUnhealthy',
].map(type => ({ type, ...CONDITION_MEANINGS[type] ?? { severity: 'warning', meaning: `node-problem-detector reports ${type}` } }));

/** Kernel events node-problem-detector counts (`problem_counter{reason}`), worth an alert when they happen. */
export const COUNTED_PROBLEMS: readonly string[] = ['KernelOops', 'OOMKilling', 'TaskHung', 'IOError', 'Ext4Error'];

/** The container runtime's log monitor: containerd errors that leave pods unable to start. */
const CONTAINERD_LOG_MONITOR = {
  plugin: 'journald',
  pluginConfig: { source: 'containerd' },
  logPath: '/var/log/journal',
  lookback: '5m',
  bufferSize: 10,
  source: 'containerd-monitor',
  conditions: [{ type: 'ContainerRuntimeUnhealthy', reason: 'ContainerRuntimeIsHealthy', message: 'containerd logs no fatal errors' }],
  rules: [
    { type: 'temporary', reason: 'ContainerdError', pattern: '.*level=error.*' },
    { type: 'permanent', condition: 'ContainerRuntimeUnhealthy', reason: 'ContainerdFatal', pattern: '.*level=fatal.*' },
  ],
};

export interface NodeProblemDetectorProps {
  /**
   * Checks beyond the kernel, containerd and read-only filesystem log monitors.
   * @default [TIME_SYNC_MONITOR]
   */
  readonly customPluginMonitors?: readonly CustomPluginMonitor[];
  /**
   * Create a ServiceMonitor for its metrics; needs the Prometheus operator's CRDs installed first.
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the node-problem-detector chart, merged last. */
  readonly rawValues?: ChartValues;
  /** Add-ons to install first. */
  readonly dependsOn?: readonly HelmAddon[];
}

/** The port of node-problem-detector's Prometheus metrics. */
export const NPD_METRICS_PORT = 20257;

/**
 * node-problem-detector on every node, tainted or not. It only reports node
 * conditions and events: alerts on them (see the monitoring rules) turn them
 * into action.
 */
export class NodeProblemDetector extends Construct {
  public readonly release: HelmAddon;
  public readonly customPluginMonitors: readonly CustomPluginMonitor[];

  /** Every node condition it sets: the built-in monitors' and one per custom check. */
  public get conditions(): readonly NodeProblemCondition[] {
    return [
      ...BUILT_IN_CONDITIONS,
      ...this.customPluginMonitors.map(m => ({ type: m.condition, severity: 'warning' as const, meaning: `the ${m.name} check fails` })),
    ];
  }

  constructor(scope: Construct, id: string, props: NodeProblemDetectorProps = {}) {
    super(scope, id);
    const monitors = props.customPluginMonitors ?? [TIME_SYNC_MONITOR];
    this.customPluginMonitors = monitors;
    const definitions: Record<string, string> = { 'containerd-monitor.json': JSON.stringify(CONTAINERD_LOG_MONITOR, undefined, 2) };
    for (const monitor of monitors) {
      definitions[`${monitor.name}.json`] = JSON.stringify(pluginMonitorConfig(monitor), undefined, 2);
      if (monitor.script !== undefined) definitions[`${monitor.name}.sh`] = monitor.script;
    }
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.nodeProblemDetector,
      releaseName: 'node-problem-detector',
      namespace: 'node-problem-detector',
      systemCriticalNamespaces: ['node-problem-detector'],
      namespaceLabels: PRIVILEGED_NAMESPACE,
      values: {
        settings: {
          log_monitors: [...BUILT_IN_LOG_MONITORS, '/custom-config/containerd-monitor.json'],
          // The image's restart counters, then the custom checks.
          custom_plugin_monitors: [...BUILT_IN_PLUGIN_MONITORS, ...monitors.map(m => `/custom-config/${m.name}.json`)],
          custom_monitor_definitions: definitions,
          prometheus_port: NPD_METRICS_PORT,
        },
        // The time check enters the host's namespaces through PID 1.
        hostPID: true,
        metrics: {
          enabled: true,
          // The node's name on every series, so that alerts name the node rather than a pod address.
          serviceMonitor: {
            enabled: props.serviceMonitor ?? false,
            additionalRelabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
          },
        },
        // Every node, whatever its taints: a problem on a tainted GPU or entry node matters as much.
        tolerations: [{ operator: 'Exists' }],
        priorityClassName: 'system-node-critical',
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.nodeProblemDetector,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      const names = new Set<string>();
      monitors.forEach((m, i) => {
        checks.dns1123Label(`customPluginMonitors[${i}].name`, m.name);
        checks.expect(m.name !== 'containerd-monitor', `customPluginMonitors[${i}].name`, m.name, 'is the name of the built-in containerd monitor');
        checks.expect(!names.has(m.name), `customPluginMonitors[${i}].name`, m.name, 'monitor names must be unique');
        names.add(m.name);
        for (const [field, value] of [['condition', m.condition], ['healthyReason', m.healthyReason], ['problemReason', m.problemReason]] as const) {
          checks.expect(/^[A-Z][A-Za-z0-9]*$/.test(value) && isQualifiedName(value), `customPluginMonitors[${i}].${field}`, value, 'must be UpperCamelCase, such as TimeNotSynchronized');
        }
        checks.expect(m.command.length > 0 && m.command[0].startsWith('/'), `customPluginMonitors[${i}].command`, m.command, 'must start with an absolute program path');
        for (const [field, value] of [['interval', m.interval], ['timeout', m.timeout]] as const) {
          if (value !== undefined) checks.expect(/^\d+(ms|s|m|h)$/.test(value), `customPluginMonitors[${i}].${field}`, value, 'must be a duration such as 30s');
        }
      });
    });
  }
}

/** node-problem-detector's custom plugin monitor file for one check. */
export function pluginMonitorConfig(monitor: CustomPluginMonitor): Record<string, unknown> {
  const [path, ...args] = monitor.command;
  const rule = { reason: monitor.problemReason, path, args, timeout: monitor.timeout ?? '10s' };
  return {
    plugin: 'custom',
    pluginConfig: { invoke_interval: monitor.interval ?? '1m', timeout: monitor.timeout ?? '10s', max_output_length: 80, concurrency: 1 },
    source: `${monitor.name}-custom-plugin-monitor`,
    metricsReporting: true,
    conditions: [{ type: monitor.condition, reason: monitor.healthyReason, message: `${monitor.name} check passes` }],
    rules: [
      { type: 'temporary', ...rule },
      { type: 'permanent', condition: monitor.condition, ...rule },
    ],
  };
}
