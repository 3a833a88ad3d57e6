import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { ContainerResources, resourcesValue } from '../core/resources';
import { chartPodLabels, spreadOverNodes } from '../core/spread';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/metrics-server.keys.json';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';

export interface MetricsServerProps {
  /**
   * Replicas; with more than one, a PodDisruptionBudget keeps one running through node drains.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How often metrics are scraped from the kubelets, as a duration (`15s`). HPAs react no faster.
   * @default '15s'
   */
  readonly metricResolution?: string;
  /**
   * @default requests of 100m cpu and 200Mi memory, a 400Mi memory limit
   */
  readonly resources?: ContainerResources;
  /**
   * Whether the kubelets have serving certificates signed by the cluster CA (`serverTLSBootstrap`), which
   * metrics-server can verify. Without them it can only skip verification.
   */
  readonly kubeletServingCertificates: boolean;
  /**
   * Skip verifying the kubelets' serving certificates (`--kubelet-insecure-tls`): anyone on the node
   * network could then feed metrics-server, and so every HPA, false numbers. Refused while the kubelets have
   * verifiable certificates, and in production unless `acceptInsecureKubeletTlsInProduction` is set too.
   * @default false
   */
  readonly kubeletInsecureTls?: boolean;
  /** Whether the cluster is a production one. @default false */
  readonly production?: boolean;
  /** @default false */
  readonly acceptInsecureKubeletTlsInProduction?: boolean;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the metrics-server chart, merged last. */
  readonly rawValues?: ChartValues;
  /** Add-ons to install first, such as the pod network. */
  readonly dependsOn?: readonly HelmAddon[];
}

const RELEASE_NAME = 'metrics-server';

const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '400Mi' } };

/** metrics-server: the resource metrics API that HPAs and `kubectl top` read. */
export class MetricsServer extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    const replicas = props.replicas ?? 1;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.metricsServer,
      releaseName: RELEASE_NAME,
      namespace: 'kube-system',
      systemCriticalNamespaces: ['kube-system'],
      values: {
        replicas,
        // Replaces the chart's defaultArgs, so that no flag appears twice.
        defaultArgs: [
          '--cert-dir=/tmp',
          '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
          '--kubelet-use-node-status-port',
          `--metric-resolution=${props.metricResolution ?? '15s'}`,
        ],
        args: props.kubeletInsecureTls ? ['--kubelet-insecure-tls'] : [],
        podDisruptionBudget: replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
        // The disruption budget protects against losing a node only if the replicas are on different ones.
        ...replicas > 1 ? { topologySpreadConstraints: spreadOverNodes(chartPodLabels('metrics-server', RELEASE_NAME)) } : {},
        resources: resourcesValue(resources),
        priorityClassName: 'system-cluster-critical',
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.metricsServer,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      checks.expect(Number.isInteger(replicas) && replicas >= 1, 'replicas', props.replicas, 'must be a whole number, one or more');
      if (props.metricResolution !== undefined) {
        const duration = /^(\d+)(s|m)$/.exec(props.metricResolution);
        const seconds = duration ? Number(duration[1]) * (duration[2] === 'm' ? 60 : 1) : 0;
        checks.expect(seconds >= 10, 'metricResolution', props.metricResolution,
          'must be a duration of at least 10s, such as 15s: metrics-server refuses to start below it');
      }
      checks.containerResources('resources', resources);
      if (props.kubeletInsecureTls) {
        checks.expect(!props.kubeletServingCertificates, 'kubeletInsecureTls', true,
          'the kubelets have serving certificates signed by the cluster CA (serverTLSBootstrap): verify them instead');
        checks.expect(!props.production || props.acceptInsecureKubeletTlsInProduction === true, 'kubeletInsecureTls', true,
          'is refused in production unless acceptInsecureKubeletTlsInProduction is set too');
      }
    });
  }
}
