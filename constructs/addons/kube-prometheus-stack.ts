import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/kube-prometheus-stack.keys.json';
import { PRIVILEGED_NAMESPACE } from './cni';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';
import { RuleGroup, ruleFileGroup } from '../monitoring/alert-rules';
import { ContainerResources, resourcesValue } from '../core/resources';

/** A persistent volume of a StatefulSet's pods. */
export interface VolumeSpec {
  /** Size, as a Kubernetes quantity (`100Gi`). */
  readonly size: string;
  /**
   * StorageClass of the volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

export interface PrometheusOptions {
  /**
   * How long samples are kept, such as `15d`.
   * @default '15d'
   */
  readonly retention?: string;
  /**
   * Disk use at which the oldest samples are dropped, such as `90GB` (Prometheus units: B, KB, MB, GB, TB).
   * @default no limit but the retention
   */
  readonly retentionSize?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default no volume: samples are lost with the pod */
  readonly storage?: VolumeSpec;
  /** @default the chart's (none) */
  readonly resources?: ContainerResources;
}

/** Where an alert goes. Credentials are read from files of an existing Secret, never written in the output. */
export interface AlertReceiver {
  /** Name routes refer to. */
  readonly name: string;
  /** Slack: channel, and the Secret key holding the incoming-webhook URL. */
  readonly slack?: { readonly channel: string; readonly apiUrlKey: string };
  /** PagerDuty: the Secret key holding the Events API v2 routing key. */
  readonly pagerDuty?: { readonly routingKeyKey: string };
  /** A webhook: the Secret key holding its URL. */
  readonly webhook?: { readonly urlKey: string };
}

/** A route: alerts whose labels match go to the receiver. */
export interface AlertRoute {
  /** Label matchers in Alertmanager syntax, such as `severity="critical"`. */
  readonly matchers: readonly string[];
  readonly receiver: string;
}

export interface AlertmanagerOptions {
  /** @default 1 */
  readonly replicas?: number;
  /**
   * Existing Secret in the monitoring namespace whose keys hold the receivers' credentials; mounted at
   * `/etc/alertmanager/secrets/<name>/`.
   */
  readonly credentialsSecret?: string;
  /** @default a single receiver that drops everything */
  readonly receivers?: readonly AlertReceiver[];
  /** Routes, first match wins; the default route goes to the first receiver, `Watchdog` to `null`. */
  readonly routes?: readonly AlertRoute[];
  /** @default no volume */
  readonly storage?: VolumeSpec;
}

export interface GrafanaOptions {
  /**
   * Existing Secret with the admin user and password (keys `admin-user` and `admin-password`).
   * A literal password is never written.
   */
  readonly adminSecret: string;
}

/** What the stack scrapes of a kubeadm control plane, as the node layer exposes it. */
export interface ControlPlaneScrape {
  /** Addresses of the etcd members when etcd runs outside the cluster; empty when it runs as static pods. */
  readonly externalEtcdAddresses: readonly string[];
}

export interface KubePrometheusStackProps {
  /** @default 'monitoring' */
  readonly namespace?: string;
  readonly prometheus?: PrometheusOptions;
  readonly alertmanager?: AlertmanagerOptions;
  /** @default Grafana is not installed */
  readonly grafana?: GrafanaOptions;
  readonly controlPlane: ControlPlaneScrape;
  /**
   * Where node-exporter reads the metrics the nodes' own timers write (its textfile collector), as node-exporter
   * sees the host (its root at `/host/root`).
   * @default no textfile metrics
   */
  readonly nodeTextfileDirectory?: string;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the kube-prometheus-stack chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/** Where the node layer makes the control plane's metrics reachable (see `kubeadm-config.ts`). */
export const CONTROL_PLANE_METRICS = { etcdPort: 2381, controllerManagerPort: 10257, schedulerPort: 10259, kubeProxyPort: 10249 } as const;

/**
 * The Prometheus operator and its stack: Prometheus, Alertmanager,
 * node-exporter, kube-state-metrics, optionally Grafana. Prometheus selects
 * every ServiceMonitor and PrometheusRule of the cluster, not only the
 * chart's own, so that the add-ons' and the monitoring rules' are picked up.
 */
export class KubePrometheusStack extends Construct {
  public readonly release: HelmAddon;
  private readonly ruleSources: (() => readonly RuleGroup[])[] = [];
  private readonly dataSources: ChartValues[] = [];

  constructor(scope: Construct, id: string, props: KubePrometheusStackProps) {
    super(scope, id);
    const prometheus = props.prometheus ?? {};
    const alertmanager = props.alertmanager ?? {};
    const etcd = props.controlPlane.externalEtcdAddresses;
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.kubePrometheusStack,
      releaseName: 'kube-prometheus-stack',
      namespace: props.namespace ?? 'monitoring',
      // node-exporter reads the host's network, processes and filesystems.
      namespaceLabels: PRIVILEGED_NAMESPACE,
      values: () => ({
        // Helm installs CRDs once and never upgrades them: the chart's job does.
        crds: { enabled: true, upgradeJob: { enabled: true } },
        prometheus: {
          ...disruptionBudget(prometheus.replicas),
          prometheusSpec: {
            retention: prometheus.retention ?? '15d',
            ...prometheus.retentionSize === undefined ? {} : { retentionSize: prometheus.retentionSize },
            replicas: prometheus.replicas ?? 1,
            // Replicas on different nodes (required anti-affinity), so that losing one node keeps one running.
            ...(prometheus.replicas ?? 1) > 1 ? { podAntiAffinity: 'hard' } : {},
            ...prometheus.storage ? { storageSpec: volumeClaim(prometheus.storage) } : {},
            ...prometheus.resources ? { resources: resourcesValue(prometheus.resources) } : {},
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
          },
        },
        alertmanager: {
          ...disruptionBudget(alertmanager.replicas),
          config: alertmanagerConfig(alertmanager),
          alertmanagerSpec: {
            replicas: alertmanager.replicas ?? 1,
            ...(alertmanager.replicas ?? 1) > 1 ? { podAntiAffinity: 'hard' } : {},
            ...alertmanager.credentialsSecret ? { secrets: [alertmanager.credentialsSecret] } : {},
            ...alertmanager.storage ? { storage: volumeClaim(alertmanager.storage) } : {},
          },
        },
        grafana: props.grafana
          ? {
            enabled: true,
            admin: { existingSecret: props.grafana.adminSecret, userKey: 'admin-user', passwordKey: 'admin-password' },
            ...this.dataSources.length > 0 ? { additionalDataSources: this.dataSources.map(source => ({ ...source })) } : {},
          }
          : { enabled: false },
        // kubeadm's control plane components, reachable as the node layer binds them.
        kubeEtcd: {
          enabled: true,
          ...etcd.length > 0 ? { endpoints: [...etcd] } : {},
          service: { enabled: true, port: CONTROL_PLANE_METRICS.etcdPort, targetPort: CONTROL_PLANE_METRICS.etcdPort },
        },
        kubeControllerManager: {
          enabled: true,
          service: { enabled: true, port: CONTROL_PLANE_METRICS.controllerManagerPort, targetPort: CONTROL_PLANE_METRICS.controllerManagerPort },
          // Its serving certificate is self-signed by kubeadm.
          serviceMonitor: { https: true, insecureSkipVerify: true },
        },
        kubeScheduler: {
          enabled: true,
          service: { enabled: true, port: CONTROL_PLANE_METRICS.schedulerPort, targetPort: CONTROL_PLANE_METRICS.schedulerPort },
          serviceMonitor: { https: true, insecureSkipVerify: true },
        },
        kubeProxy: {
          enabled: true,
          service: { enabled: true, port: CONTROL_PLANE_METRICS.kubeProxyPort, targetPort: CONTROL_PLANE_METRICS.kubeProxyPort },
        },
        nodeExporter: { enabled: true },
        // The node's name on every node-exporter series, so that rules can select a pool's nodes.
        'prometheus-node-exporter': {
          // Metrics the nodes' own timers write, through the host root it mounts.
          ...props.nodeTextfileDirectory ? { extraArgs: [`--collector.textfile.directory=${props.nodeTextfileDirectory}`] } : {},
          prometheus: { monitor: { relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }] } },
        },
        kubeStateMetrics: { enabled: true },
        // One PrometheusRule per group, installed with the CRDs that define it.
        additionalPrometheusRulesMap: Object.fromEntries(this.ruleGroups.map(group => [ruleMapKey(group.name), { groups: [ruleFileGroup(group)] }])),
      }),
      imageRegistry: props.imageRegistry,
      images: ChartImages.kubePrometheusStack,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      // Each group becomes a PrometheusRule named after it: the names must stay distinct and valid.
      const groups = this.ruleGroups;
      const firstWithKey = new Map<string, RuleGroup>();
      groups.forEach((group, i) => {
        const key = ruleMapKey(group.name);
        checks.expect(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(key), `ruleGroups[${i}].name`, group.name, 'must give a PrometheusRule name: letters or digits, with dots, dashes or underscores between');
        const first = firstWithKey.get(key);
        if (first) checks.fail(`ruleGroups[${i}].name`, group.name, `gives the same PrometheusRule name as ${first.name}`);
        else firstWithKey.set(key, group);
      });
      checks.expect(/^\d+(ms|s|m|h|d|w|y)$/.test(prometheus.retention ?? '15d'), 'prometheus.retention', prometheus.retention, 'must be a Prometheus duration such as 15d');
      if (prometheus.retentionSize !== undefined) {
        checks.expect(/^\d+(B|KB|MB|GB|TB|PB|EB)$/.test(prometheus.retentionSize), 'prometheus.retentionSize', prometheus.retentionSize,
          'must be a Prometheus size such as 90GB (B, KB, MB, GB, TB, PB, EB)');
      }
      for (const [field, replicas] of [['prometheus.replicas', prometheus.replicas], ['alertmanager.replicas', alertmanager.replicas]] as const) {
        if (replicas !== undefined) checks.expect(Number.isInteger(replicas) && replicas >= 1, field, replicas, 'must be a whole number, one or more');
      }
      checks.quantity('prometheus.storage.size', prometheus.storage?.size);
      checks.quantity('alertmanager.storage.size', alertmanager.storage?.size);
      const receivers = alertmanager.receivers ?? [];
      const names = new Set<string>();
      receivers.forEach((r, i) => {
        checks.expect(/^[A-Za-z0-9_-]+$/.test(r.name) && !names.has(r.name), `alertmanager.receivers[${i}].name`, r.name, 'must be a unique name of letters, digits, _ or -');
        names.add(r.name);
        const credentials = r.slack || r.pagerDuty || r.webhook;
        checks.expect(!credentials || alertmanager.credentialsSecret !== undefined, `alertmanager.receivers[${i}]`, r.name,
          'reads its credentials from alertmanager.credentialsSecret, which is not set');
        for (const [field, key] of [['slack.apiUrlKey', r.slack?.apiUrlKey], ['pagerDuty.routingKeyKey', r.pagerDuty?.routingKeyKey], ['webhook.urlKey', r.webhook?.urlKey]] as const) {
          if (key !== undefined) checks.expect(SECRET_KEY.test(key), `alertmanager.receivers[${i}].${field}`, key, 'must be a Secret key: letters, digits, -, _ or .');
        }
      });
      if (alertmanager.credentialsSecret !== undefined) checks.dns1123Subdomain('alertmanager.credentialsSecret', alertmanager.credentialsSecret);
      if (props.grafana) checks.dns1123Subdomain('grafana.adminSecret', props.grafana.adminSecret);
      (alertmanager.routes ?? []).forEach((route, i) => {
        checks.expect(names.has(route.receiver) || route.receiver === 'null', `alertmanager.routes[${i}].receiver`, route.receiver, 'must name one of alertmanager.receivers');
      });
    });
  }

  /** Adds alert rules, computed at synth (so that they see the whole model). */
  public addRules(source: () => readonly RuleGroup[]): void {
    this.ruleSources.push(source);
  }

  /** Adds a Grafana data source, such as the log store's; none is rendered without Grafana. */
  public addGrafanaDataSource(source: ChartValues): void {
    this.dataSources.push(source);
  }

  /** Every rule group Prometheus evaluates from this stack. */
  public get ruleGroups(): readonly RuleGroup[] {
    return this.ruleSources.flatMap(source => source());
  }
}

/** A key of a Secret's data, as the API server accepts it. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The PrometheusRule suffix of a rule group: its name, lower case, with dashes for the rest. */
export function ruleMapKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function volumeClaim(volume: VolumeSpec): Record<string, unknown> {
  return {
    volumeClaimTemplate: {
      spec: {
        ...volume.storageClassName ? { storageClassName: volume.storageClassName } : {},
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: volume.size } },
      },
    },
  };
}

/** Alertmanager's configuration; secrets are referenced as files of the mounted Secret. */
function alertmanagerConfig(options: AlertmanagerOptions): Record<string, unknown> {
  const secretFile = (key: string) => `/etc/alertmanager/secrets/${options.credentialsSecret}/${key}`;
  // Watchdog fires always, to prove the pipeline works: it goes nowhere unless routed on purpose.
  const declared: readonly AlertReceiver[] = options.receivers ?? [];
  const all = declared.some(r => r.name === 'null') ? declared : [...declared, { name: 'null' }];
  const receivers = all.map(r => ({
    name: r.name,
    ...r.slack ? { slack_configs: [{ channel: r.slack.channel, api_url_file: secretFile(r.slack.apiUrlKey), send_resolved: true }] } : {},
    ...r.pagerDuty ? { pagerduty_configs: [{ routing_key_file: secretFile(r.pagerDuty.routingKeyKey), send_resolved: true }] } : {},
    ...r.webhook ? { webhook_configs: [{ url_file: secretFile(r.webhook.urlKey), send_resolved: true }] } : {},
  }));
  return {
    route: {
      receiver: receivers[0].name,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { matchers: ['alertname="Watchdog"'], receiver: 'null' },
        ...(options.routes ?? []).map(r => ({ matchers: [...r.matchers], receiver: r.receiver })),
      ],
    },
    receivers,
  };
}

/**
 * A drain takes one replica at a time, when there are several. Said as `minAvailable`, the field the chart
 * sets by default: with `maxUnavailable` too, the API server would refuse the budget.
 */
function disruptionBudget(replicas: number | undefined): ChartValues {
  const count = replicas ?? 1;
  return count > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: count - 1 } } : {};
}
