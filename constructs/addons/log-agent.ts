import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { Versions } from '../versions';
import { ChartImages } from './chart-images';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/fluent-bit.keys.json';
import { HelmAddon } from './helm-addon';
import {
  CONTAINER_LOG_PATH, LOG_LABEL_FUNCTION, LOG_LABELS, LOG_METADATA, LOG_TAGS, LogLabelSource, logLabelScript,
} from './log-labels';
import { ContainerResources, resourcesValue } from '../core/resources';
import { PRIVILEGED_NAMESPACE } from './cni';

export interface LogAgentProps {
  readonly namespace: string;
  /** What records are labelled with; read at synth, so that tenants added later are included. */
  readonly labels: () => LogLabelSource;
  /** The API server's audit log on the control plane's hosts. */
  readonly auditLogFile: string;
  /** The log store's push endpoint. */
  readonly store: { readonly host: string; readonly port: number };
  /** @default requests of 50m cpu and 64Mi memory, a 256Mi memory limit */
  readonly resources?: ContainerResources;
  /**
   * The most a node keeps on disk of what the store has not taken yet (the agent's buffer, beside the
   * journald and container log limits), as a Fluent Bit size such as `512M`.
   * @default '512M'
   */
  readonly bufferLimit?: string;
  /** The one registry every image of the release is pulled from, upstream paths kept. */
  readonly imageRegistry?: string;
  /** Raw values of the fluent-bit chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/** Where the agent keeps its read positions and its buffer on the host, so that a restart loses nothing. */
export const LOG_AGENT_STATE_DIRECTORY = '/var/lib/fluent-bit';
/** The persistent journal, where journald keeps the kubelet's and containerd's logs (`Storage=persistent`). */
export const JOURNAL_DIRECTORY = '/var/log/journal';
/** The units whose journal the agent ships. */
export const SHIPPED_UNITS = ['kubelet.service', 'containerd.service'] as const;

/** The release, its DaemonSet and the job of its metrics. */
export const LOG_AGENT_NAME = 'fluent-bit';
/** The alias of its output to the store: the `name` label of the output's metrics. */
export const LOG_AGENT_OUTPUT = 'loki';
const METRICS_PORT = 2020;
const SCRIPT = 'prodk8s-labels.lua';
const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };

type Entry = readonly [key: string, value: string | number];

/** One section of Fluent Bit's classic configuration: `[NAME]`, then a key and value a line. */
export function configSection(name: string, entries: readonly Entry[]): string {
  return `[${name}]\n${entries.map(([key, value]) => `    ${key} ${value}`).join('\n')}\n`;
}

/**
 * Fluent Bit on every node, tolerating every taint: the containers' logs,
 * the kubelet's and containerd's journal, and on the control plane the API
 * server's audit log, labelled from the model (`log-labels.ts`) and shipped
 * to the log store. Read positions and a bounded buffer live on the host, so
 * that a restart or an unreachable store loses nothing until the buffer is
 * full; what is then dropped is counted, and alerted on.
 */
export class LogAgent extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: LogAgentProps) {
    super(scope, id);
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const bufferLimit = props.bufferLimit ?? '512M';
    const state = (name: string) => `${LOG_AGENT_STATE_DIRECTORY}/${name}`;
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.fluentBit,
      releaseName: LOG_AGENT_NAME,
      namespace: props.namespace,
      // Its pods read the host's logs through hostPath volumes, which only the privileged level admits.
      namespaceLabels: PRIVILEGED_NAMESPACE,
      systemCriticalNamespaces: [props.namespace],
      values: () => ({
        kind: 'DaemonSet',
        // Every node, whatever its taints: a node whose logs are not shipped loses them with the node.
        tolerations: [{ operator: 'Exists' }],
        priorityClassName: 'system-node-critical',
        resources: resourcesValue(resources),
        // It reads files only: no Kubernetes API rights, no token.
        rbac: { create: false },
        serviceAccount: { create: true, automountServiceAccountToken: false },
        // Root for the root-owned logs, and nothing more.
        securityContext: { runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        daemonSetVolumes: [
          { name: 'varlog', hostPath: { path: '/var/log' } },
          { name: 'state', hostPath: { path: LOG_AGENT_STATE_DIRECTORY, type: 'DirectoryOrCreate' } },
          { name: 'etcmachineid', hostPath: { path: '/etc/machine-id', type: 'File' } },
        ],
        daemonSetVolumeMounts: [
          { name: 'varlog', mountPath: '/var/log', readOnly: true },
          { name: 'state', mountPath: LOG_AGENT_STATE_DIRECTORY },
          { name: 'etcmachineid', mountPath: '/etc/machine-id', readOnly: true },
        ],
        luaScripts: { [SCRIPT]: logLabelScript(props.labels()) },
        config: {
          service: configSection('SERVICE', [
            ['Daemon', 'Off'], ['Flush', 1], ['Log_Level', 'info'],
            ['Parsers_File', '/fluent-bit/etc/parsers.conf'],
            // Health without the output's errors: a store refusing records is the alerts' to say, not a reason to mark
            // every agent unready (the chart's readiness probe reads /api/v2/health).
            ['HTTP_Server', 'On'], ['HTTP_Listen', '0.0.0.0'], ['HTTP_Port', METRICS_PORT], ['Health_Check', 'Off'],
            // Records wait on the host's disk, not in memory, while the store cannot take them.
            ['storage.path', state('buffer/')], ['storage.sync', 'normal'], ['storage.backlog.mem_limit', '16M'], ['storage.metrics', 'On'],
            // Chunks of up to 2 MB held in memory at once: 32 stay within the container's memory limit (128 would not).
            ['storage.max_chunks_up', 32],
          ]),
          inputs: [
            configSection('INPUT', [
              ['Name', 'tail'], ['Tag', `${LOG_TAGS.container}*`], ['Path', CONTAINER_LOG_PATH],
              // containerd writes CRI lines, and splits long ones; the parser joins them again.
              ['multiline.parser', 'cri'], ['DB', state('containers.db')], ['DB.locking', 'true'],
              ['Skip_Long_Lines', 'On'], ['Refresh_Interval', 10], ['storage.type', 'filesystem'],
            ]),
            configSection('INPUT', [
              ['Name', 'systemd'], ['Tag', `${LOG_TAGS.journal}*`], ['Path', JOURNAL_DIRECTORY],
              ...SHIPPED_UNITS.map(unit => ['Systemd_Filter', `_SYSTEMD_UNIT=${unit}`] as const),
              ['Read_From_Tail', 'On'], ['Strip_Underscores', 'On'], ['DB', state('journal.db')], ['storage.type', 'filesystem'],
            ]),
            // Only control plane nodes have it; elsewhere the input waits for a file that never comes.
            configSection('INPUT', [
              ['Name', 'tail'], ['Tag', `${LOG_TAGS.audit}*`], ['Path', props.auditLogFile], ['Parser', 'json'],
              // An audit event with its request body can be long.
              ['Buffer_Max_Size', '1M'], ['Skip_Long_Lines', 'On'], ['DB', state('audit.db')], ['DB.locking', 'true'],
              ['storage.type', 'filesystem'],
            ]),
          ].join(''),
          filters: configSection('FILTER', [['Name', 'lua'], ['Match', '*'], ['script', `/fluent-bit/scripts/${SCRIPT}`], ['call', LOG_LABEL_FUNCTION]]),
          outputs: configSection('OUTPUT', [
            ['Name', 'loki'], ['Alias', LOG_AGENT_OUTPUT], ['Match', '*'], ['Host', props.store.host], ['Port', props.store.port],
            ['label_keys', LOG_LABELS.map(label => `$${label}`).join(',')],
            ['structured_metadata', LOG_METADATA.map(key => `${key}=$${key}`).join(',')],
            ['remove_keys', [...LOG_LABELS, ...LOG_METADATA].join(',')],
            ['line_format', 'json'],
            // Retry until the buffer is full, then drop the oldest: a node's disk is never filled by its logs.
            ['Retry_Limit', 'no_limits'], ['storage.total_limit_size', bufferLimit],
          ]),
        },
        serviceMonitor: {
          enabled: true,
          // The node on every series, so that an alert names the node whose logs are stuck.
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
        },
        // The test pod pulls busybox:latest from Docker Hub, and only `helm test` runs it.
        testFramework: { enabled: false },
      }),
      imageRegistry: props.imageRegistry,
      images: ChartImages.fluentBit,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      checks.expect(/^[1-9]\d*[KMG]$/.test(String(bufferLimit)), 'bufferLimit', props.bufferLimit, 'must be a Fluent Bit size such as 512M (K, M or G)');
      checks.containerResources('resources', resources);
    });
  }
}
