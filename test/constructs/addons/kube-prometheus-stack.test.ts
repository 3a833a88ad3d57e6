import { Testing } from 'cdk8s';
import {
  ChartValueKeys, CONTROL_PLANE_METRICS, KubePrometheusStack, KubePrometheusStackProps, RuleGroup, unknownValueKeys, Versions,
} from '../../../constructs';
import keys from '../../../constructs/addons/chart-values/kube-prometheus-stack.keys.json';
import { problemsOf } from '../../helpers/objects';

const PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

const STATIC_ETCD = { externalEtcdAddresses: [] };
const SECRET = 'alertmanager-credentials';

function stack(props: Partial<KubePrometheusStackProps> = {}): KubePrometheusStack {
  return new KubePrometheusStack(Testing.chart(), 'kps', { controlPlane: STATIC_ETCD, ...props });
}

function values(props: Partial<KubePrometheusStackProps> = {}): any {
  return stack(props).release.values;
}

function problems(props: Partial<KubePrometheusStackProps>): string[] {
  return problemsOf(chart => new KubePrometheusStack(chart, 'kps', { controlPlane: STATIC_ETCD, ...props }));
}

const RECEIVERS: KubePrometheusStackProps['alertmanager'] = {
  credentialsSecret: SECRET,
  receivers: [
    { name: 'team-slack', slack: { channel: '#alerts', apiUrlKey: 'slack-url' } },
    { name: 'oncall', pagerDuty: { routingKeyKey: 'pagerduty-key' } },
    { name: 'hook', webhook: { urlKey: 'webhook-url' } },
  ],
  routes: [
    { matchers: ['severity="critical"'], receiver: 'oncall' },
    { matchers: ['team="platform"', 'severity="warning"'], receiver: 'hook' },
  ],
};

function group(name: string): RuleGroup {
  return {
    name,
    rules: [{ alert: 'Test', expr: 'vector(1)', for: '5m', severity: 'warning', summary: 's', description: 'd', runbook: 'r' }],
  };
}

describe('KubePrometheusStack values', () => {
  test('installs the pinned chart in a privileged monitoring namespace', () => {
    const release = stack().release;
    expect(release.chart).toEqual(Versions.charts.kubePrometheusStack);
    expect(release.releaseName).toBe('kube-prometheus-stack');
    expect(release.namespace).toBe('monitoring');
    expect(release.namespaceLabels).toEqual(PRIVILEGED);
    expect(release.dependsOn).toEqual([]);
    expect(stack({ namespace: 'observability' }).release.namespace).toBe('observability');
  });

  test('installs and upgrades the CRDs with the chart', () => {
    expect(values().crds).toEqual({ enabled: true, upgradeJob: { enabled: true } });
  });

  test('keeps samples 15 days on no volume, one replica, selecting every monitor and rule of the cluster', () => {
    expect(values().prometheus).toEqual({
      prometheusSpec: {
        retention: '15d',
        replicas: 1,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
      },
    });
  });

  test('takes retention, size limit, replicas, storage and resources', () => {
    expect(values({
      prometheus: {
        retention: '30d',
        retentionSize: '90GB',
        replicas: 2,
        storage: { size: '100Gi', storageClassName: 'fast' },
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
      },
    }).prometheus.prometheusSpec).toEqual({
      retention: '30d',
      retentionSize: '90GB',
      replicas: 2,
      podAntiAffinity: 'hard',
      storageSpec: {
        volumeClaimTemplate: {
          spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } },
        },
      },
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
    });
  });

  test('claims storage of the default StorageClass when none is named', () => {
    expect(values({ prometheus: { storage: { size: '50Gi' } } }).prometheus.prometheusSpec.storageSpec).toEqual({
      volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } },
    });
  });

  test('sends nothing anywhere by default, Watchdog included', () => {
    expect(values().alertmanager).toEqual({
      config: {
        route: {
          receiver: 'null',
          group_by: ['alertname', 'namespace'],
          group_wait: '30s',
          group_interval: '5m',
          repeat_interval: '4h',
          routes: [{ matchers: ['alertname="Watchdog"'], receiver: 'null' }],
        },
        receivers: [{ name: 'null' }],
      },
      alertmanagerSpec: { replicas: 1 },
    });
  });

  test('routes Watchdog to null first, then the routes in order, the rest to the first receiver', () => {
    const route = values({ alertmanager: RECEIVERS }).alertmanager.config.route;
    expect(route.receiver).toBe('team-slack');
    expect(route.routes).toEqual([
      { matchers: ['alertname="Watchdog"'], receiver: 'null' },
      { matchers: ['severity="critical"'], receiver: 'oncall' },
      { matchers: ['team="platform"', 'severity="warning"'], receiver: 'hook' },
    ]);
  });

  test('reads receivers\' credentials from files of the mounted Secret, and adds the null receiver once', () => {
    const alertmanager = values({ alertmanager: { ...RECEIVERS, replicas: 3, storage: { size: '1Gi' } } }).alertmanager;
    expect(alertmanager.config.receivers).toEqual([
      {
        name: 'team-slack',
        slack_configs: [{ channel: '#alerts', api_url_file: '/etc/alertmanager/secrets/alertmanager-credentials/slack-url', send_resolved: true }],
      },
      {
        name: 'oncall',
        pagerduty_configs: [{ routing_key_file: '/etc/alertmanager/secrets/alertmanager-credentials/pagerduty-key', send_resolved: true }],
      },
      {
        name: 'hook',
        webhook_configs: [{ url_file: '/etc/alertmanager/secrets/alertmanager-credentials/webhook-url', send_resolved: true }],
      },
      { name: 'null' },
    ]);
    expect(alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 2 });
    expect(alertmanager.alertmanagerSpec).toEqual({
      replicas: 3,
      podAntiAffinity: 'hard',
      secrets: [SECRET],
      storage: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
    });
  });

  test('does not add a second null receiver when one is declared', () => {
    const config = values({ alertmanager: { receivers: [{ name: 'null' }, { name: 'team-slack', slack: { channel: '#a', apiUrlKey: 'k' } }], credentialsSecret: SECRET } })
      .alertmanager.config;
    expect(config.receivers.map((r: any) => r.name)).toEqual(['null', 'team-slack']);
    expect(config.route.receiver).toBe('null');
  });

  test('writes no credential into the values', () => {
    const text = JSON.stringify(values({ alertmanager: RECEIVERS }));
    expect(text).not.toMatch(/api_url"|routing_key"|"url"/);
  });

  test('leaves Grafana out unless given an admin Secret', () => {
    expect(values().grafana).toEqual({ enabled: false });
    expect(values({ grafana: { adminSecret: 'grafana-admin' } }).grafana).toEqual({
      enabled: true,
      admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    });
  });

  test('scrapes etcd static pods on the metrics port, and external members at their addresses', () => {
    expect(CONTROL_PLANE_METRICS).toEqual({ etcdPort: 2381, controllerManagerPort: 10257, schedulerPort: 10259, kubeProxyPort: 10249 });
    expect(values().kubeEtcd).toEqual({ enabled: true, service: { enabled: true, port: 2381, targetPort: 2381 } });
    expect(values({ controlPlane: { externalEtcdAddresses: ['10.0.0.5', '10.0.0.6', '10.0.0.7'] } }).kubeEtcd).toEqual({
      enabled: true,
      endpoints: ['10.0.0.5', '10.0.0.6', '10.0.0.7'],
      service: { enabled: true, port: 2381, targetPort: 2381 },
    });
  });

  test('scrapes the controller manager, scheduler and kube-proxy where the node layer binds them', () => {
    const v = values();
    expect(v.kubeControllerManager).toEqual({
      enabled: true,
      service: { enabled: true, port: 10257, targetPort: 10257 },
      serviceMonitor: { https: true, insecureSkipVerify: true },
    });
    expect(v.kubeScheduler).toEqual({
      enabled: true,
      service: { enabled: true, port: 10259, targetPort: 10259 },
      serviceMonitor: { https: true, insecureSkipVerify: true },
    });
    expect(v.kubeProxy).toEqual({ enabled: true, service: { enabled: true, port: 10249, targetPort: 10249 } });
  });

  test('labels node-exporter series with the node name, and runs kube-state-metrics', () => {
    const v = values();
    expect(v.nodeExporter).toEqual({ enabled: true });
    expect(v['prometheus-node-exporter']).toEqual({
      prometheus: { monitor: { relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }] } },
    });
    expect(v.kubeStateMetrics).toEqual({ enabled: true });
  });

  test('installs one PrometheusRule per rule group, computed when the values are read', () => {
    const kps = stack();
    expect(kps.release.values.additionalPrometheusRulesMap).toEqual({});
    const groups: RuleGroup[] = [];
    kps.addRules(() => groups);
    kps.addRules(() => [group('prodk8s.tenancy')]);
    groups.push(group('prodk8s.node-problems'));
    expect(kps.ruleGroups.map(g => g.name)).toEqual(['prodk8s.node-problems', 'prodk8s.tenancy']);
    expect(kps.release.values.additionalPrometheusRulesMap).toEqual({
      'prodk8s-node-problems': {
        groups: [{
          name: 'prodk8s.node-problems',
          rules: [{
            alert: 'Test', expr: 'vector(1)', for: '5m', labels: { severity: 'warning' },
            annotations: { summary: 's', description: 'd', runbook: 'r' },
          }],
        }],
      },
      'prodk8s-tenancy': { groups: [expect.objectContaining({ name: 'prodk8s.tenancy' })] },
    });
  });

  test('merges raw values last and depends on what it is given', () => {
    const first = stack().release;
    const release = stack({ dependsOn: [first], rawValues: { prometheus: { prometheusSpec: { scrapeInterval: '15s', replicas: 2 } }, grafana: { enabled: false } } }).release;
    expect((release.values.prometheus as any).prometheusSpec.scrapeInterval).toBe('15s');
    expect((release.values.prometheus as any).prometheusSpec.replicas).toBe(2);
    expect((release.values.prometheus as any).prometheusSpec.retention).toBe('15d');
    expect(release.dependsOn).toEqual([first]);
  });

  test.each<[string, Partial<KubePrometheusStackProps>]>([
    ['the defaults', {}],
    ['every option', {
      namespace: 'observability',
      prometheus: {
        retention: '30d', retentionSize: '90GB', replicas: 2, storage: { size: '100Gi', storageClassName: 'fast' },
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
      },
      alertmanager: { ...RECEIVERS, replicas: 2, storage: { size: '1Gi', storageClassName: 'fast' } },
      grafana: { adminSecret: 'grafana-admin' },
      controlPlane: { externalEtcdAddresses: ['10.0.0.5'] },
    }],
    ['raw values', {
      rawValues: {
        prometheus: { prometheusSpec: { scrapeInterval: '15s', externalLabels: { cluster: 'prod' } } },
        grafana: { persistence: { enabled: true } },
        'kube-state-metrics': { metricLabelsAllowlist: ['pods=[*]'] },
        prometheusOperator: { admissionWebhooks: { patch: { enabled: true } } },
      },
    }],
  ])('sets only values the chart knows, with %s', (_, props) => {
    const kps = stack(props);
    kps.addRules(() => [group('prodk8s.node-problems')]);
    expect(unknownValueKeys(kps.release.values, (keys as ChartValueKeys).keys)).toEqual([]);
    expect(problems(props)).toEqual([]);
  });
});

describe('KubePrometheusStack checks', () => {
  test.each<[string, Partial<KubePrometheusStackProps>, string[]]>([
    ['a retention without a unit', { prometheus: { retention: '15' } }, ['prometheus.retention = "15": must be a Prometheus duration such as 15d']],
    ['a retention in words', { prometheus: { retention: '15 days' } }, ['prometheus.retention = "15 days": must be a Prometheus duration such as 15d']],
    ['a retention size in Kubernetes units', { prometheus: { retentionSize: '90Gi' } },
      ['prometheus.retentionSize = "90Gi": must be a Prometheus size such as 90GB (B, KB, MB, GB, TB, PB, EB)']],
    ['a retention size without a unit', { prometheus: { retentionSize: '90' } },
      ['prometheus.retentionSize = "90": must be a Prometheus size such as 90GB (B, KB, MB, GB, TB, PB, EB)']],
    ['no Prometheus replicas', { prometheus: { replicas: 0 } }, ['prometheus.replicas = 0: must be a whole number, one or more']],
    ['a fractional Alertmanager replica count', { alertmanager: { replicas: 1.5 } }, ['alertmanager.replicas = 1.5: must be a whole number, one or more']],
    ['a Prometheus volume in GB', { prometheus: { storage: { size: '100GB' } } },
      ['prometheus.storage.size = "100GB": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi']],
    ['a negative Alertmanager volume', { alertmanager: { storage: { size: '-1Gi' } } }, ['alertmanager.storage.size = "-1Gi": must not be negative']],
    ['a receiver name used twice', { alertmanager: { receivers: [{ name: 'team' }, { name: 'team' }] } },
      ['alertmanager.receivers[1].name = "team": must be a unique name of letters, digits, _ or -']],
    ['a receiver name with a space', { alertmanager: { receivers: [{ name: 'team a' }] } },
      ['alertmanager.receivers[0].name = "team a": must be a unique name of letters, digits, _ or -']],
    ['an empty receiver name', { alertmanager: { receivers: [{ name: '' }] } },
      ['alertmanager.receivers[0].name = "": must be a unique name of letters, digits, _ or -']],
    ['Slack credentials without a Secret', { alertmanager: { receivers: [{ name: 'slack', slack: { channel: '#a', apiUrlKey: 'url' } }] } },
      ['alertmanager.receivers[0] = "slack": reads its credentials from alertmanager.credentialsSecret, which is not set']],
    ['PagerDuty credentials without a Secret', { alertmanager: { receivers: [{ name: 'null' }, { name: 'pd', pagerDuty: { routingKeyKey: 'key' } }] } },
      ['alertmanager.receivers[1] = "pd": reads its credentials from alertmanager.credentialsSecret, which is not set']],
    ['webhook credentials without a Secret', { alertmanager: { receivers: [{ name: 'hook', webhook: { urlKey: 'url' } }] } },
      ['alertmanager.receivers[0] = "hook": reads its credentials from alertmanager.credentialsSecret, which is not set']],
    ['a route to an unknown receiver', { alertmanager: { receivers: [{ name: 'team' }], routes: [{ matchers: ['a="b"'], receiver: 'team' }, { matchers: [], receiver: 'nobody' }] } },
      ['alertmanager.routes[1].receiver = "nobody": must name one of alertmanager.receivers']],
  ])('refuses %s', (_, props, messages) => {
    expect(problems(props)).toEqual(messages.map(m => `[test/kps] ${m}`));
  });

  test('accepts a route to the null receiver without declaring it', () => {
    expect(problems({ alertmanager: { routes: [{ matchers: ['severity="info"'], receiver: 'null' }] } })).toEqual([]);
  });

  test('accepts every Prometheus duration and size unit', () => {
    for (const retention of ['90m', '12h', '15d', '2w', '1y', '500ms', '30s']) expect(problems({ prometheus: { retention } })).toEqual([]);
    for (const retentionSize of ['512B', '100KB', '100MB', '90GB', '1TB', '1PB', '1EB']) expect(problems({ prometheus: { retentionSize } })).toEqual([]);
  });

  test('refuses a literal Grafana password without repeating it', () => {
    const found = problems({ rawValues: { grafana: { adminPassword: 'hunter2-S3cret' } } });
    expect(found).toEqual([
      '[test/kps/release] rawValues.grafana.adminPassword = "(not shown)": looks like a password, which would be written into the output: '
      + 'reference a Secret instead (the chart\'s existingSecret or secretName value, or valueFrom.secretKeyRef) or a file (a *_file setting)',
    ]);
    expect(found.join('\n')).not.toContain('hunter2-S3cret');
  });

  test('refuses rule groups of the same name', () => {
    expect(problemsOf(chart => {
      const kps = new KubePrometheusStack(chart, 'kps', { controlPlane: STATIC_ETCD });
      kps.addRules(() => [group('prodk8s.tenancy')]);
      kps.addRules(() => [group('prodk8s.node-problems'), group('prodk8s.tenancy')]);
    })).toEqual(['[test/kps] ruleGroups[2].name = "prodk8s.tenancy": gives the same PrometheusRule name as prodk8s.tenancy']);
  });

  test('refuses rule groups whose PrometheusRule names would collide or be invalid', () => {
    expect(problemsOf(chart => {
      const kps = new KubePrometheusStack(chart, 'kps', { controlPlane: STATIC_ETCD });
      kps.addRules(() => [group('a.b'), group('a_b'), group('...')]);
    })).toEqual([
      '[test/kps] ruleGroups[1].name = "a_b": gives the same PrometheusRule name as a.b',
      '[test/kps] ruleGroups[2].name = "...": must give a PrometheusRule name: letters or digits, with dots, dashes or underscores between',
    ]);
  });

  test('reports an unknown raw value at the release', () => {
    expect(problems({ rawValues: { prometheus: { prometheusSpec: { retentionTime: '15d' } } } }))
      .toEqual(['[test/kps/release] values.prometheus.prometheusSpec.retentionTime = "15d": is not a value of chart kube-prometheus-stack 88.5.3']);
  });
});
