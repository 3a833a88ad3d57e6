import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ChartValueKeys, ChartValues } from '../addons/chart-values';
import ingressNginxKeys from '../addons/chart-values/ingress-nginx.keys.json';
import nginxIngressKeys from '../addons/chart-values/nginx-ingress.keys.json';
import { BASELINE_NAMESPACE, PRIVILEGED_NAMESPACE } from '../addons/cni';
import { ChartImages } from '../addons/chart-images';
import { HelmAddon } from '../addons/helm-addon';
import { Checks, validateWith } from '../core/checks';
import { ContainerResources, resourcesValue } from '../core/resources';
import { chartPodLabels, spreadOverNodes } from '../core/spread';
import { TAINT_EFFECTS, TaintSpec, tolerationOf } from '../core/taint';
import { addWarning } from '../core/warnings';
import { Versions } from '../versions';
import type { RouteSpec } from './tenant-routes';

/**
 * The entry's controller: `nginx` is F5's NGINX Ingress Controller (chart
 * `nginx-ingress`); `ingress-nginx` the community controller, retired in March 2026.
 */
export type EntryController = 'nginx' | 'ingress-nginx';
export const ENTRY_CONTROLLERS: readonly EntryController[] = ['nginx', 'ingress-nginx'];

/** The entry's Helm release, whose name the chart's pod labels carry. */
const RELEASE_NAME = 'nginx-entry';

/** The `spec.controller` of each controller's IngressClass. */
const CONTROLLER_NAMES: Record<EntryController, string> = {
  'nginx': 'nginx.org/ingress-controller',
  'ingress-nginx': 'k8s.io/ingress-nginx',
};

/** The nodes that run the entry: a pool of its own, labelled and tainted so that nothing else lands there. */
export interface EntryNodes {
  /** Labels of the entry nodes, the controller's nodeSelector, such as `{ 'prodk8s.io/node-pool': 'entry' }`. */
  readonly poolLabel: Readonly<Record<string, string>>;
  /** Taints of the entry nodes; the controller tolerates each. */
  readonly taints: readonly TaintSpec[];
  /** Number of entry nodes, at least one. */
  readonly count: number;
}

/** The controller binds ports 80 and 443 of each entry node itself. */
export interface HostNetworkExposure {
  readonly hostNetwork: true;
}

/** A NodePort Service, where a load balancer in front of the entry nodes sends traffic. */
export interface NodePortExposure {
  readonly nodePorts: { readonly http: number; readonly https: number };
}

export type EntryExposure = HostNetworkExposure | NodePortExposure;

export interface NginxEntryProps {
  /** @default 'nginx' */
  readonly controller?: EntryController;
  /** Namespace of the release; tenants accept connections from it. */
  readonly namespace: string;
  /**
   * The IngressClass the controller creates and serves; never the cluster's default class.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * A DaemonSet, one pod on every entry node, or a Deployment of `replicas` pods.
   * @default 'daemonset'
   */
  readonly kind?: 'daemonset' | 'deployment';
  /**
   * Pods of a Deployment; only with kind `deployment`.
   * @default entryNodes.count
   */
  readonly replicas?: number;
  /** Where the controller runs. */
  readonly entryNodes: EntryNodes;
  /**
   * How traffic reaches the controller. With the host network, the controller's connections to tenants
   * come from the node's address, so NetworkPolicies that admit the entry by namespace do not match them.
   */
  readonly exposure: EntryExposure;
  /** @default the chart's */
  readonly resources?: ContainerResources;
  /**
   * Prometheus metrics and a ServiceMonitor; the Prometheus operator's CRDs must be installed first.
   * @default false
   */
  readonly metrics?: boolean;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the controller's chart, merged last. */
  readonly rawValues?: ChartValues;
  /** Add-ons to install first, such as the Prometheus stack when `metrics` is set. */
  readonly dependsOn?: readonly HelmAddon[];
}

/**
 * The cluster's entry: an NGINX ingress controller on the dedicated entry
 * nodes, reached on fixed NodePorts or on the nodes' own ports 80 and 443,
 * serving one IngressClass that the tenants' routes name.
 */
export class NginxEntry extends Construct {
  public readonly release: HelmAddon;
  public readonly controller: EntryController;
  public readonly ingressClassName: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: NginxEntryProps) {
    super(scope, id);
    this.controller = props.controller ?? 'nginx';
    this.ingressClassName = props.ingressClassName ?? 'nginx';
    this.namespace = props.namespace;
    const ingressNginx = this.controller === 'ingress-nginx';
    const hostNetwork = isHostNetwork(props.exposure);
    this.release = new HelmAddon(this, 'release', {
      chart: ingressNginx ? Versions.charts.ingressNginx : Versions.charts.nginxIngress,
      releaseName: RELEASE_NAME,
      namespace: props.namespace,
      // Host ports and the host network are beyond the baseline Pod Security level; the controller needs
      // NET_BIND_SERVICE and may escalate privileges, which restricted forbids.
      namespaceLabels: hostNetwork ? PRIVILEGED_NAMESPACE : BASELINE_NAMESPACE,
      values: ingressNginx ? ingressNginxValues(props, this.ingressClassName) : nginxIngressValues(props, this.ingressClassName),
      imageRegistry: props.imageRegistry,
      images: ingressNginx ? ChartImages.ingressNginx : ChartImages.nginxIngress,
      rawValues: props.rawValues,
      valueKeys: (ingressNginx ? ingressNginxKeys : nginxIngressKeys) as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    if (ingressNginx) {
      addWarning(this, 'controller = "ingress-nginx": the community ingress-nginx was retired in March 2026 and gets no more releases, '
        + 'security fixes included; prefer "nginx", F5\'s NGINX Ingress Controller');
    }
    validateWith(this, checks => checkEntry(checks, props));
  }

  /** The `spec.controller` of the IngressClass the controller serves. */
  public get controllerName(): string {
    return CONTROLLER_NAMES[this.controller];
  }

  /** The annotations an Ingress of `route` needs with this controller. */
  public routeAnnotations(route: RouteSpec): Record<string, string> {
    return routeAnnotations(this.controller, route);
  }
}

/**
 * The annotations an Ingress of `route` needs with `controller`: none, or,
 * to strip the route's prefix, those that make its path a regular expression
 * whose second group (what follows the prefix) is what the backend receives.
 */
export function routeAnnotations(controller: EntryController, route: RouteSpec): Record<string, string> {
  if (!route.stripPrefix) return {};
  return controller === 'ingress-nginx'
    ? { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }
    : { 'nginx.org/path-regex': 'case_sensitive', 'nginx.org/rewrite-target': '/$2' };
}

function isHostNetwork(exposure: EntryExposure): exposure is HostNetworkExposure {
  return 'hostNetwork' in exposure && exposure.hostNetwork === true;
}

/** Kubernetes tolerations of the entry taints; a taint without a value is tolerated whatever its value. */
function tolerations(taints: readonly TaintSpec[]): k8s.Toleration[] {
  return taints.map(tolerationOf);
}

function resourceValues(resources: ContainerResources | undefined): ChartValues {
  if (!resources) return {};
  return { resources: resourcesValue(resources) };
}

/** A Deployment of several pods, which must be spread over the entry nodes and drained one at a time (a DaemonSet is one per node). */
function replicated(props: NginxEntryProps): boolean {
  return props.kind === 'deployment' && (props.replicas ?? props.entryNodes.count) > 1;
}

/** F5 NGINX Ingress Controller, chart `nginx-ingress`. */
function nginxIngressValues(props: NginxEntryProps, className: string): ChartValues {
  const kind = props.kind ?? 'daemonset';
  const exposure = props.exposure;
  const metrics = props.metrics ?? false;
  return {
    controller: {
      kind,
      ...kind === 'deployment' ? { replicaCount: props.replicas ?? props.entryNodes.count } : {},
      nodeSelector: { ...props.entryNodes.poolLabel },
      tolerations: tolerations(props.entryNodes.taints),
      ...replicated(props) ? {
        topologySpreadConstraints: spreadOverNodes(chartPodLabels('nginx-ingress', RELEASE_NAME)),
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      } : {},
      ...isHostNetwork(exposure)
        // The pods bind the nodes' ports 80 and 443: no Service, which would be a LoadBalancer by default.
        ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', service: { create: false } }
        : {
          hostNetwork: false,
          service: {
            create: true,
            type: 'NodePort',
            httpPort: { enable: true, nodePort: exposure.nodePorts.http },
            httpsPort: { enable: true, nodePort: exposure.nodePorts.https },
          },
        },
      ingressClass: { name: className, create: true, setAsDefaultIngress: false },
      // The custom resources (VirtualServer, Policy, TransportServer, …) need CRDs that Helm installs on a
      // release's first install only, never upgrades, and nothing here manages; when they are missing the
      // pods never become ready. Routes are plain Ingresses, which need none. rawValues may turn them on.
      enableCustomResources: false,
      ...resourceValues(props.resources),
    },
    // The ServiceMonitor selects the metrics Service, which the chart creates only when asked.
    prometheus: { create: metrics, service: { create: metrics }, serviceMonitor: { create: metrics } },
  };
}

/** The community ingress-nginx, chart `ingress-nginx`. */
function ingressNginxValues(props: NginxEntryProps, className: string): ChartValues {
  const kind = props.kind ?? 'daemonset';
  const exposure = props.exposure;
  const metrics = props.metrics ?? false;
  return {
    controller: {
      kind: kind === 'deployment' ? 'Deployment' : 'DaemonSet',
      ...kind === 'deployment' ? { replicaCount: props.replicas ?? props.entryNodes.count } : {},
      nodeSelector: { ...props.entryNodes.poolLabel },
      tolerations: tolerations(props.entryNodes.taints),
      // The chart adds a disruption budget (minAvailable 1) to a Deployment of several replicas.
      ...replicated(props) ? {
        topologySpreadConstraints: spreadOverNodes({ ...chartPodLabels('ingress-nginx', RELEASE_NAME), 'app.kubernetes.io/component': 'controller' }),
      } : {},
      ...isHostNetwork(exposure)
        // Host ports keep two pods off one node; the ClusterIP Service only serves the admission webhook and status.
        ? { hostNetwork: true, hostPort: { enabled: true }, dnsPolicy: 'ClusterFirstWithHostNet', service: { enabled: true, type: 'ClusterIP' } }
        : {
          hostNetwork: false,
          hostPort: { enabled: false },
          service: { enabled: true, type: 'NodePort', nodePorts: { http: exposure.nodePorts.http, https: exposure.nodePorts.https } },
        },
      // `ingressClass` is the class the controller claims, `ingressClassResource` the IngressClass it creates.
      ingressClass: className,
      ingressClassResource: { name: className, enabled: true, default: false, controllerValue: CONTROLLER_NAMES['ingress-nginx'] },
      metrics: { enabled: metrics, serviceMonitor: { enabled: metrics } },
      ...resourceValues(props.resources),
    },
  };
}

function checkEntry(checks: Checks, props: NginxEntryProps): void {
  checks.oneOf('controller', props.controller, ENTRY_CONTROLLERS);
  checks.oneOf('kind', props.kind, ['daemonset', 'deployment']);
  if (props.ingressClassName !== undefined) checks.dns1123Subdomain('ingressClassName', props.ingressClassName);
  if (props.replicas !== undefined) {
    checks.expect(Number.isInteger(props.replicas) && props.replicas >= 1, 'replicas', props.replicas, 'must be a whole number, one or more');
    checks.expect(props.kind === 'deployment', 'replicas', props.replicas,
      'only a Deployment has replicas: set kind "deployment", or leave replicas out');
  }

  const nodes = props.entryNodes;
  checks.expect(Number.isInteger(nodes.count) && nodes.count >= 1, 'entryNodes.count', nodes.count,
    'an entry needs a dedicated entry pool: a whole number of nodes, one or more');
  checks.expect(Object.keys(nodes.poolLabel).length > 0, 'entryNodes.poolLabel', nodes.poolLabel,
    'must name at least one label of the entry nodes, or the controller may run on any node');
  checks.labels('entryNodes.poolLabel', nodes.poolLabel);
  nodes.taints.forEach((taint, i) => checks.oneOf(`entryNodes.taints[${i}].effect`, taint.effect, TAINT_EFFECTS));

  if (!isHostNetwork(props.exposure)) {
    const { http, https } = props.exposure.nodePorts;
    for (const [name, port] of [['http', http], ['https', https]] as const) {
      checks.expect(Number.isInteger(port) && port >= 1 && port <= 65535, `exposure.nodePorts.${name}`, port,
        'must be a port number from 1 to 65535');
    }
    checks.expect(http !== https, 'exposure.nodePorts.https', https,
      'must differ from exposure.nodePorts.http: a NodePort serves one Service port');
  }

  checks.containerResources('resources', props.resources);
}
