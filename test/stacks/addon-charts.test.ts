import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { HelmAddon, ProductionCluster, tolerationOf } from '../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { ENTRY_TAINT } from '../../src/environments/shared';
import { CrdSchemas } from '../helpers/crd-schemas';
import { AWAITING_CACHE, findChartFile, helmTemplate } from '../helpers/helm';
import { schemaError } from '../helpers/kube-schemas';

/*
 * Every add-on of every reference environment rendered by its real chart
 * (`helm template` of ../shared/charts, CRDs included), every object
 * validated: Kubernetes kinds against the Kubernetes schemas, custom
 * resources against the CRDs the environment's charts install. Then the
 * README's claims about the rendered objects.
 */
jest.setTimeout(300_000);

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('the add-ons of %s, rendered by their charts', (_, spec) => {
  const cluster = new ProductionCluster(Testing.chart(), 'cluster', spec);
  const rendered = new Map<HelmAddon, Record<string, any>[]>();
  const crds = new CrdSchemas();
  const objectsOf = (release: string) => [...rendered].find(([addon]) => addon.releaseName === release)![1];
  const renderable = cluster.addons.filter(addon => findChartFile(addon) !== undefined);
  beforeAll(() => {
    for (const addon of renderable) rendered.set(addon, helmTemplate(addon, spec.kubernetesVersion, undefined, { includeCrds: true }));
    for (const objects of rendered.values()) crds.add(objects);
  });

  test('renders every add-on but those whose pinned chart the cache does not hold yet, which are listed', () => {
    const missing = cluster.addons.filter(addon => !renderable.includes(addon)).map(addon => `${addon.chart.name}-${addon.chart.version}`);
    for (const chart of missing) expect(AWAITING_CACHE).toContain(chart);
  });

  test('every object is valid: Kubernetes kinds to their schema, custom resources to the CRDs the charts install', () => {
    const failures: string[] = [];
    for (const [addon, objects] of rendered) {
      for (const object of objects) {
        const core = schemaError(object as any);
        const error = core?.startsWith('no schema registered') ? crds.error(object) : core;
        if (error) failures.push(`${addon.releaseName}: ${object.kind}/${object.metadata?.name}: ${error}`);
      }
    }
    expect(failures).toEqual([]);
    expect(rendered.size).toBe(renderable.length);
    // The custom resources were checked against real schemas, not waved through.
    for (const [apiVersion, kind] of [['operator.tigera.io/v1', 'Installation'], ['monitoring.coreos.com/v1', 'Prometheus'], ['monitoring.coreos.com/v1', 'PrometheusRule']]) {
      expect({ kind, known: crds.has(apiVersion, kind) }).toEqual({ kind, known: true });
    }
    const installation = objectsOf('calico').find(o => o.kind === 'Installation')!;
    expect(crds.error({ ...installation, spec: { ...installation.spec, calicoNetwork: { ...installation.spec.calicoNetwork, bgp: 42 } } })).toMatch(/bgp/);
  });

  test('every custom resource\'s CRD is installed by its own chart or by an add-on installed before it', () => {
    const crdOwners = new Map<string, HelmAddon>();
    for (const [addon, objects] of rendered) {
      for (const crd of objects.filter(o => o.kind === 'CustomResourceDefinition')) {
        for (const version of crd.spec.versions) crdOwners.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, addon);
      }
    }
    const before = (addon: HelmAddon): Set<HelmAddon> => new Set([addon, ...addon.dependsOn.flatMap(d => [...before(d)])]);
    const missing: string[] = [];
    for (const [addon, objects] of rendered) {
      for (const object of objects.filter(o => schemaError(o as any)?.startsWith('no schema registered'))) {
        const owner = crdOwners.get(`${object.apiVersion}/${object.kind}`);
        if (!owner || !before(addon).has(owner)) missing.push(`${addon.releaseName}: ${object.kind}/${object.metadata.name} (CRD from ${owner?.releaseName ?? 'nothing'})`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('the entry runs on the entry pool only, on the NodePorts of the model', () => {
    const objects = objectsOf('nginx-entry');
    const workload = objects.find(o => ['DaemonSet', 'Deployment'].includes(o.kind))!;
    const pod = workload.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'prodk8s.io/node-pool': 'entry' });
    expect(pod.tolerations).toContainEqual(tolerationOf(ENTRY_TAINT));
    const service = objects.find(o => o.kind === 'Service' && o.spec.type === 'NodePort')!;
    const nodePorts = spec.entry?.nodePorts ?? { http: 30080, https: 30443 };
    expect(service.spec.ports.map((p: { nodePort: number }) => p.nodePort).sort()).toEqual([nodePorts.http, nodePorts.https].sort());
  });

  test('every pod at a system PriorityClass runs in a namespace the model gives a covering quota, and no add-on claims one it does not use', () => {
    const covered = new Set(cluster.addonSet.systemCriticalNamespaces);
    const uses = new Map<HelmAddon, Set<string>>();
    const uncovered: string[] = [];
    for (const [addon, objects] of rendered) {
      for (const object of objects) {
        const classes = systemClassesIn(object);
        if (classes.length === 0) continue;
        const namespace = object.metadata?.namespace ?? addon.namespace;
        uses.set(addon, new Set([...uses.get(addon) ?? [], namespace]));
        if (!covered.has(namespace)) uncovered.push(`${addon.releaseName}: ${object.kind}/${object.metadata.name} in ${namespace} (${classes.join(', ')})`);
      }
    }
    expect(uncovered).toEqual([]);
    // Each claim is seen in the chart's objects, or is where the add-on's operator runs its own pods.
    for (const addon of rendered.keys()) {
      const unseen = addon.systemCriticalNamespaces.filter(namespace => !uses.get(addon)?.has(namespace) && !(namespace in addon.operatorNamespaces));
      expect({ release: addon.releaseName, unseen }).toEqual({ release: addon.releaseName, unseen: [] });
    }
  });

  test('every PodDisruptionBudget allows a drain to evict at least one pod', () => {
    const blocking: string[] = [];
    let budgets = 0;
    for (const [addon, objects] of rendered) {
      for (const budget of objects.filter(o => o.kind === 'PodDisruptionBudget')) {
        budgets++;
        const replicas = replicasSelectedBy(budget, objects);
        const { minAvailable, maxUnavailable } = budget.spec;
        const evictable = maxUnavailable !== undefined ? percentOrCount(maxUnavailable, replicas, 'down')
          : minAvailable !== undefined ? replicas - percentOrCount(minAvailable, replicas, 'up') : replicas;
        if (!(evictable >= 1)) blocking.push(`${addon.releaseName}: ${budget.metadata.name} (replicas ${replicas}, ${JSON.stringify(budget.spec)})`);
      }
    }
    expect(blocking).toEqual([]);
    // dev runs one replica of everything, so no budget; the others run several of Prometheus, Alertmanager, metrics-server.
    expect({ env: spec.name, budgets: budgets > 0 }).toEqual({ env: spec.name, budgets: spec.name !== 'dev' });
  });

  test('metrics-server verifies the kubelets, and prefers their internal addresses', () => {
    const args: string[] = objectsOf('metrics-server').find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0].args;
    expect(args).toContain('--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname');
    expect(args).toContain('--metric-resolution=15s');
    expect(args).not.toContain('--kubelet-insecure-tls');
  });

  test('Prometheus gets the model\'s rule groups, and Alertmanager reads credentials from files only', () => {
    const objects = objectsOf('kube-prometheus-stack');
    const groups = objects.filter(o => o.kind === 'PrometheusRule').flatMap(o => o.spec.groups.map((g: { name: string }) => g.name));
    for (const group of cluster.alertGroups) expect(groups).toContain(group.name);
    const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name.startsWith('alertmanager-'))!;
    const config = Buffer.from(secret.data?.['alertmanager.yaml'] ?? '', 'base64').toString() || secret.stringData?.['alertmanager.yaml'];
    const receivers = parse(config).receivers as Record<string, any>[];
    const credentials = JSON.stringify(receivers).match(/"(api_url|routing_key|service_key|url|password)"/g);
    expect(credentials).toBeNull();
  });
});

/** The system PriorityClasses an object sets anywhere: a pod template's `priorityClassName`, or a custom resource's. */
function systemClassesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(systemClassesIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    if (key === 'priorityClassName' && typeof item === 'string') return item.startsWith('system-') ? [item] : [];
    if (key === 'priorityClassNames' && typeof item === 'object' && item !== null) return Object.values(item).filter((c): c is string => typeof c === 'string' && c.startsWith('system-'));
    return systemClassesIn(item);
  });
}

/**
 * The replicas a budget covers: those of the workloads whose pod labels its
 * selector matches, or of the Prometheus operator's resources (the operator
 * labels their pods with the resource's kind and name).
 */
function replicasSelectedBy(budget: Record<string, any>, objects: readonly Record<string, any>[]): number {
  const selector: Record<string, string> = budget.spec.selector?.matchLabels ?? {};
  const matches = (labels: Record<string, string> = {}) => Object.entries(selector).every(([key, value]) => labels[key] === value);
  const workloads = objects.filter(o => ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind) && matches(o.spec?.template?.metadata?.labels));
  if (workloads.length > 0) return workloads.reduce((sum, o) => sum + (o.spec.replicas ?? 1), 0);
  const operated = objects.filter(o => ['Prometheus', 'Alertmanager'].includes(o.kind)
    && (selector[o.kind.toLowerCase()] === o.metadata.name || selector[`${o.kind.toLowerCase()}`] === undefined && Object.values(selector).includes(o.metadata.name)));
  return operated.reduce((sum, o) => sum + (o.spec.replicas ?? 1), 0);
}

/** A budget's count or percentage of `replicas`, rounded as the disruption controller does. */
function percentOrCount(value: number | string, replicas: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const exact = (Number(value.replace('%', '')) * replicas) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}
