import { Testing } from 'cdk8s';
import { ChartValueKeys, ChartValues, unknownValueKeys } from '../../../constructs/addons/chart-values';
import ingressNginxKeys from '../../../constructs/addons/chart-values/ingress-nginx.keys.json';
import nginxIngressKeys from '../../../constructs/addons/chart-values/nginx-ingress.keys.json';
import { BASELINE_NAMESPACE } from '../../../constructs/addons/cni';
import { HelmAddon } from '../../../constructs/addons/helm-addon';
import { TaintSpec } from '../../../constructs/core/taint';
import { collectWarnings } from '../../../constructs/core/warnings';
import { EntryController, NginxEntry, NginxEntryProps, routeAnnotations } from '../../../constructs/entry/nginx-entry';
import { Versions } from '../../../constructs/versions';
import { problemsOf } from '../../helpers/objects';

const TAINTS: TaintSpec[] = [
  { key: 'prodk8s.io/dedicated', value: 'entry', effect: 'NoSchedule' },
  { key: 'prodk8s.io/entry-only', effect: 'NoExecute' },
];
const TOLERATIONS = [
  { key: 'prodk8s.io/dedicated', operator: 'Equal', value: 'entry', effect: 'NoSchedule' },
  { key: 'prodk8s.io/entry-only', operator: 'Exists', effect: 'NoExecute' },
];
const base: NginxEntryProps = {
  namespace: 'nginx-entry',
  entryNodes: { poolLabel: { 'prodk8s.io/node-pool': 'entry' }, taints: TAINTS, count: 3 },
  exposure: { nodePorts: { http: 30080, https: 30443 } },
};
const HOST_NETWORK = { hostNetwork: true } as const;

function entryOf(overrides: Partial<NginxEntryProps> = {}): NginxEntry {
  return new NginxEntry(Testing.chart(), 'entry', { ...base, ...overrides });
}

/** The value at a dotted path, such as `controller.service.type`. */
function at(values: ChartValues, path: string): unknown {
  return path.split('.').reduce<any>((node, key) => node?.[key], values);
}

function entryProblems(overrides: Partial<NginxEntryProps>): string[] {
  return problemsOf(chart => new NginxEntry(chart, 'entry', { ...base, ...overrides }));
}

describe('NginxEntry', () => {
  describe('with F5 NGINX Ingress Controller (the default)', () => {
    const entry = entryOf();
    const values = entry.release.values;

    test('installs the pinned nginx-ingress chart as release nginx-entry in the namespace', () => {
      expect(entry.controller).toBe('nginx');
      expect(entry.release.chart).toEqual(Versions.charts.nginxIngress);
      expect(entry.release.releaseName).toBe('nginx-entry');
      expect(entry.release.namespace).toBe('nginx-entry');
      expect(entry.release.namespaceLabels).toEqual(BASELINE_NAMESPACE);
    });

    test('runs a DaemonSet on the entry pool only, tolerating its taints', () => {
      expect(at(values, 'controller.kind')).toBe('daemonset');
      expect(at(values, 'controller.replicaCount')).toBeUndefined();
      expect(at(values, 'controller.nodeSelector')).toEqual({ 'prodk8s.io/node-pool': 'entry' });
      expect(at(values, 'controller.tolerations')).toEqual(TOLERATIONS);
    });

    test('is reached on the fixed NodePorts of a NodePort Service', () => {
      expect(at(values, 'controller.hostNetwork')).toBe(false);
      expect(at(values, 'controller.dnsPolicy')).toBeUndefined();
      expect(at(values, 'controller.service.create')).toBe(true);
      expect(at(values, 'controller.service.type')).toBe('NodePort');
      expect(at(values, 'controller.service.httpPort.enable')).toBe(true);
      expect(at(values, 'controller.service.httpPort.nodePort')).toBe(30080);
      expect(at(values, 'controller.service.httpsPort.enable')).toBe(true);
      expect(at(values, 'controller.service.httpsPort.nodePort')).toBe(30443);
    });

    test('creates its IngressClass, not as the default class', () => {
      expect(at(values, 'controller.ingressClass')).toEqual({ name: 'nginx', create: true, setAsDefaultIngress: false });
      expect(entry.ingressClassName).toBe('nginx');
      expect(entry.controllerName).toBe('nginx.org/ingress-controller');
    });

    test('leaves the custom resources off, and metrics and resources to the chart', () => {
      expect(at(values, 'controller.enableCustomResources')).toBe(false);
      expect(at(values, 'prometheus')).toEqual({ create: false, service: { create: false }, serviceMonitor: { create: false } });
      expect(at(values, 'controller.resources')).toBeUndefined();
    });

    test('does not warn', () => {
      const chart = Testing.chart();
      new NginxEntry(chart, 'entry', base);
      expect(collectWarnings(chart)).toEqual([]);
    });
  });

  describe('with F5 NGINX Ingress Controller on the host network', () => {
    const entry = entryOf({ exposure: HOST_NETWORK });
    const values = entry.release.values;

    test('binds the nodes\' ports, with cluster DNS, and creates no Service', () => {
      expect(at(values, 'controller.hostNetwork')).toBe(true);
      expect(at(values, 'controller.dnsPolicy')).toBe('ClusterFirstWithHostNet');
      expect(at(values, 'controller.service')).toEqual({ create: false });
    });

    test('labels its namespace privileged, as host networking needs', () => {
      expect(entry.release.namespaceLabels).toEqual({
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      });
    });
  });

  describe('with the community ingress-nginx', () => {
    const entry = entryOf({ controller: 'ingress-nginx' });
    const values = entry.release.values;

    test('installs the pinned ingress-nginx chart as release nginx-entry', () => {
      expect(entry.release.chart).toEqual(Versions.charts.ingressNginx);
      expect(entry.release.releaseName).toBe('nginx-entry');
      expect(entry.release.namespace).toBe('nginx-entry');
    });

    test('runs a DaemonSet on the entry pool only, tolerating its taints', () => {
      expect(at(values, 'controller.kind')).toBe('DaemonSet');
      expect(at(values, 'controller.replicaCount')).toBeUndefined();
      expect(at(values, 'controller.nodeSelector')).toEqual({ 'prodk8s.io/node-pool': 'entry' });
      expect(at(values, 'controller.tolerations')).toEqual(TOLERATIONS);
    });

    test('is reached on the fixed NodePorts of a NodePort Service', () => {
      expect(at(values, 'controller.hostNetwork')).toBe(false);
      expect(at(values, 'controller.hostPort.enabled')).toBe(false);
      expect(at(values, 'controller.service.enabled')).toBe(true);
      expect(at(values, 'controller.service.type')).toBe('NodePort');
      expect(at(values, 'controller.service.nodePorts.http')).toBe(30080);
      expect(at(values, 'controller.service.nodePorts.https')).toBe(30443);
    });

    test('creates and claims its IngressClass, not as the default class', () => {
      expect(at(values, 'controller.ingressClass')).toBe('nginx');
      expect(at(values, 'controller.ingressClassResource')).toEqual({
        name: 'nginx', enabled: true, default: false, controllerValue: 'k8s.io/ingress-nginx',
      });
      expect(entry.controllerName).toBe('k8s.io/ingress-nginx');
    });

    test('leaves metrics off', () => {
      expect(at(values, 'controller.metrics')).toEqual({ enabled: false, serviceMonitor: { enabled: false } });
    });

    test('warns that the community controller is retired', () => {
      const chart = Testing.chart();
      new NginxEntry(chart, 'entry', { ...base, controller: 'ingress-nginx' });
      expect(collectWarnings(chart)).toEqual([
        '[test/entry] controller = "ingress-nginx": the community ingress-nginx was retired in March 2026 and gets no more releases, '
        + 'security fixes included; prefer "nginx", F5\'s NGINX Ingress Controller',
      ]);
    });
  });

  describe('with the community ingress-nginx on the host network', () => {
    const values = entryOf({ controller: 'ingress-nginx', exposure: HOST_NETWORK }).release.values;

    test('binds the nodes\' ports through host ports, with cluster DNS, behind a ClusterIP Service only', () => {
      expect(at(values, 'controller.hostNetwork')).toBe(true);
      expect(at(values, 'controller.hostPort.enabled')).toBe(true);
      expect(at(values, 'controller.dnsPolicy')).toBe('ClusterFirstWithHostNet');
      expect(at(values, 'controller.service')).toEqual({ enabled: true, type: 'ClusterIP' });
    });
  });

  describe.each<[EntryController, string, string]>([
    ['nginx', 'deployment', 'controller.replicaCount'],
    ['ingress-nginx', 'Deployment', 'controller.replicaCount'],
  ])('as a Deployment with %s', (controller, kind, replicas) => {
    test('runs one pod per entry node by default', () => {
      const values = entryOf({ controller, kind: 'deployment' }).release.values;
      expect(at(values, 'controller.kind')).toBe(kind);
      expect(at(values, replicas)).toBe(3);
    });

    test('runs the replicas it is given', () => {
      expect(at(entryOf({ controller, kind: 'deployment', replicas: 2 }).release.values, replicas)).toBe(2);
    });
  });

  describe.each<[EntryController]>([['nginx'], ['ingress-nginx']])('with %s', controller => {
    test('serves the IngressClass it is given', () => {
      const entry = entryOf({ controller, ingressClassName: 'public' });
      const values = entry.release.values;
      expect(entry.ingressClassName).toBe('public');
      if (controller === 'nginx') {
        expect(at(values, 'controller.ingressClass.name')).toBe('public');
      } else {
        expect(at(values, 'controller.ingressClass')).toBe('public');
        expect(at(values, 'controller.ingressClassResource.name')).toBe('public');
      }
    });

    test('sets the container resources it is given', () => {
      const requestsOnly = entryOf({ controller, resources: { requests: { cpu: '200m', memory: '256Mi' } } });
      expect(at(requestsOnly.release.values, 'controller.resources')).toEqual({ requests: { cpu: '200m', memory: '256Mi' } });
      const limited = entryOf({ controller, resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } } });
      expect(at(limited.release.values, 'controller.resources')).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    });

    test('installs after the add-ons it depends on', () => {
      const chart = Testing.chart();
      const monitoring = new HelmAddon(chart, 'monitoring', { chart: Versions.charts.kubePrometheusStack, releaseName: 'monitoring', namespace: 'monitoring', values: {} });
      const entry = new NginxEntry(chart, 'entry', { ...base, controller, metrics: true, dependsOn: [monitoring] });
      expect(entry.release.dependsOn).toEqual([monitoring]);
    });

    test('merges raw values last', () => {
      const values = entryOf({ controller, rawValues: { controller: { tolerations: [], config: { entries: { 'server-tokens': 'false' } } } } }).release.values;
      expect(at(values, 'controller.tolerations')).toEqual([]);
      expect(at(values, 'controller.nodeSelector')).toEqual({ 'prodk8s.io/node-pool': 'entry' });
    });

    test('strips prefixes with the controller\'s annotations', () => {
      const entry = entryOf({ controller });
      const route = { host: 'shop.example.com', pathPrefix: '/api', service: 'api', port: 80, stripPrefix: true };
      expect(entry.routeAnnotations(route)).toEqual(routeAnnotations(controller, route));
      expect(entry.routeAnnotations({ ...route, stripPrefix: false })).toEqual({});
    });
  });

  test('exports metrics to a ServiceMonitor with F5 NGINX Ingress Controller', () => {
    expect(at(entryOf({ metrics: true }).release.values, 'prometheus')).toEqual({
      create: true, service: { create: true }, serviceMonitor: { create: true },
    });
  });

  test('exports metrics to a ServiceMonitor with ingress-nginx', () => {
    expect(at(entryOf({ controller: 'ingress-nginx', metrics: true }).release.values, 'controller.metrics')).toEqual({
      enabled: true, serviceMonitor: { enabled: true },
    });
  });

  test('lets raw values turn the F5 custom resources on', () => {
    expect(at(entryOf({ rawValues: { controller: { enableCustomResources: true } } }).release.values, 'controller.enableCustomResources')).toBe(true);
  });

  test('renders the stripping annotations of each controller', () => {
    const route = { host: 'shop.example.com', pathPrefix: '/api', service: 'api', port: 80, stripPrefix: true };
    expect(routeAnnotations('nginx', route)).toEqual({ 'nginx.org/path-regex': 'case_sensitive', 'nginx.org/rewrite-target': '/$2' });
    expect(routeAnnotations('ingress-nginx', route)).toEqual({
      'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
    });
  });

  describe('sets only values its chart knows', () => {
    const variants: [string, Partial<NginxEntryProps>][] = [];
    for (const controller of ['nginx', 'ingress-nginx'] as const) {
      for (const exposure of [base.exposure, HOST_NETWORK]) {
        for (const kind of ['daemonset', 'deployment'] as const) {
          variants.push([`${controller} ${'hostNetwork' in exposure ? 'host network' : 'NodePorts'} ${kind}`, {
            controller, exposure, kind, metrics: true, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          }]);
        }
      }
    }

    test.each(variants)('%s', (_, overrides) => {
      const entry = entryOf(overrides);
      const keys = (overrides.controller === 'ingress-nginx' ? ingressNginxKeys : nginxIngressKeys) as ChartValueKeys;
      expect(keys.chart).toBe(entry.release.chart.name);
      expect(keys.version).toBe(entry.release.chart.version);
      expect(unknownValueKeys(entry.release.values, keys.keys)).toEqual([]);
      expect(entryProblems(overrides)).toEqual([]);
    });
  });

  describe('refuses', () => {
    test.each<[string, Partial<NginxEntryProps>, string]>([
      ['zero replicas', { kind: 'deployment', replicas: 0 }, 'replicas = 0: must be a whole number, one or more'],
      ['a fraction of a replica', { kind: 'deployment', replicas: 1.5 }, 'replicas = 1.5: must be a whole number, one or more'],
      ['replicas of a DaemonSet', { replicas: 2 }, 'replicas = 2: only a Deployment has replicas: set kind "deployment", or leave replicas out'],
      ['an HTTP NodePort of zero', { exposure: { nodePorts: { http: 0, https: 30443 } } }, 'exposure.nodePorts.http = 0: must be a port number from 1 to 65535'],
      ['an HTTPS NodePort above 65535', { exposure: { nodePorts: { http: 30080, https: 65536 } } },
        'exposure.nodePorts.https = 65536: must be a port number from 1 to 65535'],
      ['a NodePort that is not whole', { exposure: { nodePorts: { http: 30080.5, https: 30443 } } },
        'exposure.nodePorts.http = 30080.5: must be a port number from 1 to 65535'],
      ['one NodePort for both', { exposure: { nodePorts: { http: 30080, https: 30080 } } },
        'exposure.nodePorts.https = 30080: must differ from exposure.nodePorts.http: a NodePort serves one Service port'],
      ['no entry nodes', { entryNodes: { ...base.entryNodes, count: 0 } },
        'entryNodes.count = 0: an entry needs a dedicated entry pool: a whole number of nodes, one or more'],
      ['an entry pool without a label', { entryNodes: { ...base.entryNodes, poolLabel: {} } },
        'entryNodes.poolLabel = {}: must name at least one label of the entry nodes, or the controller may run on any node'],
      ['an invalid pool label', { entryNodes: { ...base.entryNodes, poolLabel: { 'prodk8s.io/node-pool': 'entry pool' } } },
        'entryNodes.poolLabel.prodk8s.io/node-pool = "entry pool": label values must be'],
      ['an unknown taint effect', { entryNodes: { ...base.entryNodes, taints: [{ key: 'entry', effect: 'NoEntry' as any }] } },
        'entryNodes.taints[0].effect = "NoEntry": must be one of "NoSchedule", "PreferNoSchedule", "NoExecute"'],
      ['an unknown controller', { controller: 'traefik' as any }, 'controller = "traefik": must be one of "nginx", "ingress-nginx"'],
      ['an unknown kind', { kind: 'statefulset' as any }, 'kind = "statefulset": must be one of "daemonset", "deployment"'],
      ['an invalid IngressClass name', { ingressClassName: 'Public' }, 'ingressClassName = "Public": must be a DNS-1123 subdomain'],
      ['an invalid resource quantity', { resources: { requests: { cpu: 'lots', memory: '128Mi' } } },
        'resources.requests.cpu = "lots": must be a Kubernetes quantity'],
    ])('%s', (_, overrides, message) => {
      const problems = entryProblems(overrides);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`[test/entry] ${message}`);
    });

    test('a raw value its chart does not know', () => {
      expect(entryProblems({ rawValues: { controller: { replicas: 2 } } })).toEqual([
        '[test/entry/release] values.controller.replicas = 2: is not a value of chart nginx-ingress 2.6.4',
      ]);
    });
  });
});
