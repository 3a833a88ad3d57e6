import { RuleGroup, runbook } from './alert-rules';

/** Where the pipeline runs, as its metrics name it. */
export interface WatchedLogPipeline {
  readonly namespace: string;
  /** The agent's DaemonSet and the `job` of its metrics. */
  readonly agent: string;
  /** The name of the agent's output to the store (its `Alias`), the `name` label of its metrics. */
  readonly output: string;
}

/**
 * The log pipeline's health: an agent missing on a node (its logs then stay
 * there, to be rotated away), records the agent retries or drops, and pushes
 * or records the store refuses. Fluent Bit counts per output (a chunk it
 * gives up on is counted in dropped records too), Loki per reason.
 */
export function loggingAlerts(pipeline: WatchedLogPipeline): RuleGroup {
  const { namespace, agent, output } = pipeline;
  const agentMetrics = `namespace="${namespace}", job="${agent}", name="${output}"`;
  const agentSteps = (...first: string[]) => runbook(
    `kubectl -n ${namespace} get pods -l app.kubernetes.io/name=${agent} -o wide: the agent of each node`,
    ...first,
  );
  const storeSteps = (...first: string[]) => runbook(
    `kubectl -n ${namespace} get pods,pvc -l app.kubernetes.io/name=loki -o wide: the store's pods and volumes`,
    ...first,
  );
  return {
    name: 'prodk8s.logging',
    rules: [
      {
        alert: 'LogAgentMissing',
        expr: `kube_daemonset_status_desired_number_scheduled{namespace="${namespace}", daemonset="${agent}"}`
          + ` - kube_daemonset_status_number_available{namespace="${namespace}", daemonset="${agent}"} > 0`,
        for: '15m', severity: 'warning',
        summary: 'The log agent is not running on every node',
        description: `{{ $value }} node(s) have no available ${agent} pod in {{ $labels.namespace }}: their logs are not shipped.`,
        runbook: agentSteps('kubectl -n <namespace> describe daemonset <agent>: scheduling and image pull errors'),
      },
      {
        alert: 'LogAgentDown',
        expr: `up{namespace="${namespace}", job="${agent}"} == 0`,
        for: '10m', severity: 'warning',
        summary: 'A log agent does not answer its metrics endpoint',
        description: `The ${agent} pod on node {{ $labels.node }} has not been scraped for 10 minutes.`,
        runbook: agentSteps('kubectl -n <namespace> logs <agent pod> on that node: configuration or output errors'),
      },
      {
        alert: 'LogRecordsRetrying',
        expr: `sum by (namespace, node) (rate(fluentbit_output_retried_records_total{${agentMetrics}}[5m])) > 0`,
        for: '15m', severity: 'warning',
        summary: 'A log agent keeps retrying records the store does not take',
        description: `The agent on node {{ $labels.node }} has retried records for 15 minutes; its buffer fills until the store takes them.`,
        runbook: agentSteps('kubectl -n <namespace> logs <agent pod>: the store\'s answer (429 rate limit, 5xx, timeouts)',
          'the store: LogStoreIngestionErrors, LogStoreDiscardingRecords'),
      },
      {
        alert: 'LogRecordsDropped',
        // Records the agent gave up on: its buffer full, or the store refusing them for good (a 4xx other than 429).
        expr: `sum by (namespace, node) (increase(fluentbit_output_dropped_records_total{${agentMetrics}}[10m])) > 0`,
        for: '0m', severity: 'critical',
        summary: 'A log agent dropped records: logs are lost',
        description: `The agent on node {{ $labels.node }} dropped {{ $value }} records in 10 minutes (buffer full, or refused by the store).`,
        runbook: agentSteps('kubectl -n <namespace> logs <agent pod>: why the store refused them',
          'the store: LogStoreIngestionErrors; its write pods\' volumes and object storage'),
      },
      {
        alert: 'LogStoreIngestionErrors',
        expr: `sum by (namespace) (rate(loki_request_duration_seconds_count{namespace="${namespace}", route="loki_api_v1_push", status_code=~"5.."}[5m]))`
          + ` / sum by (namespace) (rate(loki_request_duration_seconds_count{namespace="${namespace}", route="loki_api_v1_push"}[5m])) > 0.05`,
        for: '15m', severity: 'critical',
        summary: 'The log store fails more than 5% of pushes',
        description: 'Loki in {{ $labels.namespace }} answered {{ $value | humanizePercentage }} of pushes with a server error for 15 minutes.',
        runbook: storeSteps('kubectl -n <namespace> logs <write or single-binary pod>: ingester, WAL or object storage errors'),
      },
      {
        alert: 'LogStoreDiscardingRecords',
        expr: `sum by (namespace, reason) (rate(loki_discarded_samples_total{namespace="${namespace}"}[5m])) > 0`,
        for: '15m', severity: 'warning',
        summary: 'The log store refuses records',
        description: 'Loki in {{ $labels.namespace }} refuses records for reason {{ $labels.reason }}: rate-limited ones wait in the '
          + 'agents\' buffers and are sent again (LogRecordsRetrying), the others are lost.',
        runbook: storeSteps('the reason: rate_limited and per_stream_rate_limit need a higher store.ingestionRateMiB, '
          + 'too_far_behind or greater_than_max_sample_age an agent that was cut off for long'),
      },
    ],
  };
}
