import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Labels } from '../core/labels';
import { ChartValues } from './chart-values';
import { HelmAddon } from './helm-addon';
import { LogAgent, LogAgentProps } from './log-agent';
import { LogLabelSource } from './log-labels';
import { LogStore, LogStoreProps } from './log-store';

export interface LogPipelineProps {
  /** @default 'logging' */
  readonly namespace?: string;
  /** How long logs are kept, in hours, days or weeks (`336h`, `14d`, `2w`), at least 24h. */
  readonly retention: string;
  readonly store: Omit<LogStoreProps, 'namespace' | 'retention' | 'clusterDomain' | 'imageRegistry' | 'dependsOn'>;
  readonly agent?: Omit<LogAgentProps, 'namespace' | 'labels' | 'auditLogFile' | 'store' | 'imageRegistry' | 'dependsOn'>;
  /** What records are labelled with; read at synth, so that tenants added later are included. */
  readonly labels: () => LogLabelSource;
  /** The API server's audit log on the control plane's hosts. */
  readonly auditLogFile: string;
  /** Where the cluster's DNS names end, such as `cluster.local`. */
  readonly clusterDomain: string;
  /** The namespace of Prometheus and Grafana, which may reach the store. */
  readonly monitoringNamespace: string;
  readonly imageRegistry?: string;
  readonly dependsOn?: readonly HelmAddon[];
}

/** The Grafana data source of a log store. */
export interface LogDataSource extends ChartValues {
  readonly name: string;
  readonly type: 'loki';
  readonly uid: string;
  readonly url: string;
  readonly access: 'proxy';
}

/**
 * The log pipeline: Loki as the store, Fluent Bit on every node shipping to
 * it. The store keeps every tenant's logs, and the audit log, with no
 * authentication of its own, so a NetworkPolicy lets only the agents (the
 * logging namespace) and Prometheus and Grafana (the monitoring namespace)
 * reach it: whoever queries it through Grafana reads everything, so Grafana
 * is the platform's.
 */
export class LogPipeline extends Construct {
  public readonly store: LogStore;
  public readonly agent: LogAgent;
  /** Grafana's data source for the store. */
  public readonly dataSource: LogDataSource;

  constructor(scope: Construct, id: string, props: LogPipelineProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'logging';
    this.store = new LogStore(this, 'store', {
      ...props.store, namespace, retention: props.retention, clusterDomain: props.clusterDomain, imageRegistry: props.imageRegistry, dependsOn: props.dependsOn,
    });
    this.agent = new LogAgent(this, 'agent', {
      ...props.agent,
      namespace,
      labels: props.labels,
      auditLogFile: props.auditLogFile,
      store: this.store.pushEndpoint,
      imageRegistry: props.imageRegistry,
      // Records wait in the agents' buffers until the store takes them.
      dependsOn: [...props.dependsOn ?? [], this.store.release],
    });
    this.dataSource = { name: 'Logs', type: 'loki', uid: 'prodk8s-logs', url: this.store.queryUrl, access: 'proxy' };
    new k8s.KubeNetworkPolicy(this, 'store-ingress', {
      metadata: { name: 'loki-ingress', namespace },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': this.store.release.releaseName } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [namespace, props.monitoringNamespace].map(name => ({ namespaceSelector: { matchLabels: { [Labels.NAMESPACE_NAME]: name } } })),
        }],
      },
    });
  }

  /** Both releases, the store first. */
  public get addons(): readonly HelmAddon[] {
    return [this.store.release, this.agent.release];
  }
}
