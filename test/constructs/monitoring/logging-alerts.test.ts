import { loggingAlerts, ruleFileGroup } from '../../../constructs';
import { promtool } from '../../helpers/promtool';

const group = loggingAlerts({ namespace: 'logging', agent: 'fluent-bit', output: 'loki' });
/** Without annotations: `promtool test rules` would otherwise compare every rendered text. */
const rules = { groups: [ruleFileGroup(group)].map(g => ({ ...g, rules: (g.rules as any[]).map(({ annotations, ...rule }) => rule) })) };
const run = (tests: unknown[]) => promtool(['test', 'rules', 'tests.yaml'], {
  'rules.yaml': rules,
  'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
});

describe('the log pipeline\'s alerts', () => {
  test('promtool check rules accepts them, each with a runbook in the troubleshooting order', () => {
    expect(promtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': { groups: [ruleFileGroup(group)] } })).toMatch(/SUCCESS: 6 rules found/);
    expect(group.rules.map(rule => rule.alert)).toEqual([
      'LogAgentMissing', 'LogAgentDown', 'LogRecordsRetrying', 'LogRecordsDropped', 'LogStoreIngestionErrors', 'LogStoreDiscardingRecords',
    ]);
    for (const rule of group.rules) expect(rule.runbook).toMatch(/^1\. kubectl -n logging get [\s\S]*kubectl describe pod[\s\S]*--previous[\s\S]*network/);
  });

  test('an agent missing on a node, or not answering', () => {
    expect(run([{
      interval: '1m',
      input_series: [
        { series: 'kube_daemonset_status_desired_number_scheduled{namespace="logging",daemonset="fluent-bit"}', values: '5x30' },
        { series: 'kube_daemonset_status_number_available{namespace="logging",daemonset="fluent-bit"}', values: '5x5 4x25' },
        { series: 'up{namespace="logging",job="fluent-bit",node="n1"}', values: '1x30' },
        { series: 'up{namespace="logging",job="fluent-bit",node="n2"}', values: '1x5 0x25' },
      ],
      alert_rule_test: [
        { eval_time: '15m', alertname: 'LogAgentMissing', exp_alerts: [] },
        { eval_time: '25m', alertname: 'LogAgentMissing', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'logging', daemonset: 'fluent-bit' } }] },
        { eval_time: '25m', alertname: 'LogAgentDown', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'logging', job: 'fluent-bit', node: 'n2' } }] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('records retried for a quarter of an hour, and any record dropped, on the agent\'s output to the store only', () => {
    expect(run([{
      interval: '1m',
      input_series: [
        { series: 'fluentbit_output_retried_records_total{namespace="logging",job="fluent-bit",name="loki",node="n1"}', values: '0+10x30' },
        { series: 'fluentbit_output_dropped_records_total{namespace="logging",job="fluent-bit",name="loki",node="n1"}', values: '0x10 5x20' },
        { series: 'fluentbit_output_dropped_records_total{namespace="logging",job="fluent-bit",name="other",node="n2"}', values: '0x10 5x20' },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'LogRecordsRetrying', exp_alerts: [] },
        { eval_time: '25m', alertname: 'LogRecordsRetrying', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'logging', node: 'n1' } }] },
        { eval_time: '9m', alertname: 'LogRecordsDropped', exp_alerts: [] },
        { eval_time: '12m', alertname: 'LogRecordsDropped', exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'logging', node: 'n1' } }] },
        { eval_time: '29m', alertname: 'LogRecordsDropped', exp_alerts: [] },
      ],
    }])).toMatch(/SUCCESS/);
  });

  test('the store failing more than 5% of pushes, not 1%; the store discarding records, by reason', () => {
    const push = (code: string, rate: number) => ({
      series: `loki_request_duration_seconds_count{namespace="logging",route="loki_api_v1_push",status_code="${code}"}`, values: `0+${rate}x40`,
    });
    expect(run([{
      interval: '1m',
      input_series: [push('204', 90), push('500', 10), { series: 'loki_discarded_samples_total{namespace="logging",reason="rate_limited",tenant="fake"}', values: '0+3x40' }],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'LogStoreIngestionErrors', exp_alerts: [] },
        { eval_time: '25m', alertname: 'LogStoreIngestionErrors', exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'logging' } }] },
        { eval_time: '25m', alertname: 'LogStoreDiscardingRecords', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'logging', reason: 'rate_limited' } }] },
      ],
    }, {
      interval: '1m',
      input_series: [push('204', 99), push('500', 1)],
      alert_rule_test: [{ eval_time: '25m', alertname: 'LogStoreIngestionErrors', exp_alerts: [] }],
    }])).toMatch(/SUCCESS/);
  });
});
