import { Testing } from 'cdk8s';
import { ClusterSpec, HelmAddon, ProductionCluster } from '../../../constructs';
import { splitImageReference } from '../../../constructs/core/image-registry';
import { clusterSpec, entryPool, generalPool, gpuPool } from '../../fixtures/cluster-spec';
import { AWAITING_CACHE, findChartFile, helmTemplate } from '../../helpers/helm';

// Every add-on rendered by its real chart with `images.registry` set: no image may be pulled from anywhere else.
jest.setTimeout(300_000);

const REGISTRY = 'registry.internal:5000/k8s';

/** Upstream registries any of the charts names; none may remain in a rendered string. */
const UPSTREAM = /\b(registry\.k8s\.io|k8s\.gcr\.io|gcr\.io|quay\.io|ghcr\.io|docker\.io|nvcr\.io|public\.ecr\.aws|mcr\.microsoft\.com|private-registry\.nginx\.com)\//;

/** Every string under an `image` key, and every string naming an upstream registry, with where it is. */
function imageReferences(objects: Record<string, any>[]): { images: { at: string; image: string }[]; upstream: { at: string; text: string }[] } {
  const images: { at: string; image: string }[] = [];
  const upstream: { at: string; text: string }[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      if (/(^|\.)image$/.test(at)) images.push({ at, image: node });
      if (UPSTREAM.test(node)) upstream.push({ at, text: node.slice(0, 200) });
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${at}[${index}]`));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, at ? `${at}.${key}` : key);
    }
  };
  for (const object of objects.filter(isInstalled)) {
    // A CRD's schema describes images in prose; it deploys none.
    if (object.kind !== 'CustomResourceDefinition') walk(object, `${object.kind}/${object.metadata?.name}`);
  }
  return { images, upstream };
}

/**
 * Whether Helm installs the object: `helm test` hooks (kubelet-csr-approver's busybox, whose image no value sets)
 * run only under `helm test`, which neither Terraform's helm_release, Flux nor Argo CD runs as the model sets them up.
 */
function isInstalled(object: Record<string, any>): boolean {
  return !/(^|,)\s*test(-success)?\s*(,|$)/.test(object.metadata?.annotations?.['helm.sh/hook'] ?? '');
}

function cluster(overrides: Partial<ClusterSpec>): ProductionCluster {
  return new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({
    nodePools: [generalPool(), entryPool(), gpuPool({ firstAddress: '10.0.3.10' }), generalPool({ name: 'storage', firstAddress: '10.0.5.10', taints: [{ key: 'prodk8s.io/storage', effect: 'NoSchedule' }] })],
    images: { registry: REGISTRY },
    storage: {
      ceph: { nodePool: 'storage' },
      classes: [
        { name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs.internal', share: '/exports' } },
        { name: 'block', provisioner: 'ceph-block' }, { name: 'files', provisioner: 'ceph-filesystem' },
      ],
    },
    addons: { nodeProblemTaints: {} },
    ...overrides,
  }));
}

// Optional parts turned on, so that their images are rendered too.
const calico = cluster({
  addons: {
    nodeProblemTaints: {},
    monitoring: { grafana: { adminSecret: 'grafana-admin' } },
    metricsServer: { rawValues: { addonResizer: { enabled: true } } },
    logging: {
      retention: '7d',
      store: {
        storage: { size: '10Gi', storageClassName: 'nfs' },
        objectStorage: { bucket: 'logs', endpoint: 'https://s3.internal', credentialsSecret: 'loki-s3' },
        rawValues: {
          gateway: { enabled: true }, chunksCache: { enabled: true }, resultsCache: { enabled: true },
          lokiCanary: { enabled: true }, test: { enabled: true }, sidecar: { rules: { enabled: true } },
        },
      },
      agent: { rawValues: { hotReload: { enabled: true } } },
    },
  },
});
const flannel = cluster({ cni: { plugin: 'flannel', rawValues: { netpol: { enabled: true } } }, entry: { namespace: 'entry', controller: 'ingress-nginx' } });
// Charts the cache does not hold yet (see AWAITING_CACHE) are left out, and listed by the test below.
const releases: [string, HelmAddon][] = [
  ...calico.addons.filter(addon => findChartFile(addon) !== undefined).map(addon => [`${addon.chart.name} ${addon.chart.version}`, addon] as [string, HelmAddon]),
  ...flannel.addons.filter(addon => ['flannel', 'ingress-nginx'].includes(addon.chart.name))
    .map(addon => [`${addon.chart.name} ${addon.chart.version}`, addon] as [string, HelmAddon]),
];

test('every add-on of both CNIs and both entry controllers is covered, but charts the cache does not hold yet', () => {
  const awaiting = calico.addons.filter(addon => findChartFile(addon) === undefined);
  for (const addon of awaiting) expect(AWAITING_CACHE).toContain(`${addon.chart.name}-${addon.chart.version}`);
  expect(releases.map(([name]) => name.split(' ')[0]).sort()).toEqual([
    'ceph-csi-drivers', 'crd.projectcalico.org.v1', 'csi-driver-nfs', 'flannel', 'fluent-bit', 'ingress-nginx', 'kube-prometheus-stack', 'kubelet-csr-approver',
    'loki', 'metrics-server', 'nginx-ingress', 'node-problem-detector', 'node-readiness-controller', 'nvidia-device-plugin', 'rook-ceph', 'rook-ceph-cluster',
    'tigera-operator',
  ].filter(name => !awaiting.some(addon => addon.chart.name === name)));
});

describe.each(releases)('%s with images.registry, rendered by its chart', (_, addon) => {
  let rendered: ReturnType<typeof imageReferences>;
  beforeAll(() => {
    const objects = helmTemplate(addon, '1.36.4');
    rendered = imageReferences(objects);
  });

  test('pulls every image it deploys from the registry, upstream paths kept', () => {
    for (const { at, image } of rendered.images) {
      expect({ at, image }).toEqual({ at, image: expect.stringMatching(new RegExp(`^${REGISTRY.replace(/[.]/g, '\\.')}/[a-z0-9]`)) });
      expect(image).not.toContain(`${REGISTRY}/${REGISTRY}`);
    }
  });

  test('names no upstream registry anywhere, operator-made images included', () => {
    expect(rendered.upstream).toEqual([]);
  });
});

test('without images.registry the same scan finds the upstream registries', () => {
  const upstream = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ nodePools: [generalPool()] }));
  const { images, upstream: named } = imageReferences(helmTemplate(upstream.addonSet.metricsServer!.release, '1.36.4'));
  expect(images.map(i => i.image)).toEqual([expect.stringMatching(/^registry\.k8s\.io\/metrics-server\/metrics-server:v/)]);
  expect(named.length).toBeGreaterThan(0);
});

test('optional parts are rendered with their images: the addon resizer, Grafana and its sidecar, the network policy agent, the log store\'s caches', () => {
  const images = (addon: HelmAddon) => imageReferences(helmTemplate(addon, '1.36.4')).images.map(i => splitImageReference(i.image).path);
  expect(images(calico.addonSet.metricsServer!.release)).toContainEqual(expect.stringMatching(/^k8s\/autoscaling\/addon-resizer:/));
  const stack = images(calico.addonSet.monitoring.release);
  expect(stack).toContainEqual(expect.stringMatching(/^k8s\/grafana\/grafana:/));
  expect(stack).toContainEqual(expect.stringMatching(/^k8s\/kiwigrid\/k8s-sidecar:/));
  expect(images(flannel.addonSet.network[0])).toContainEqual(expect.stringMatching(/^k8s\/networking\/kube-network-policies:/));
  const store = images(calico.addonSet.logging!.store.release);
  expect(store).toContainEqual(expect.stringMatching(/^k8s\/library\/memcached:/));
  expect(store).toContainEqual(expect.stringMatching(/^k8s\/nginxinc\/nginx-unprivileged:/));
  expect(store).toContainEqual(expect.stringMatching(/^k8s\/grafana\/loki-canary:/));
  expect(images(calico.addonSet.logging!.agent.release)).toContainEqual(expect.stringMatching(/^k8s\/jimmidyson\/configmap-reload:/));
});

test('the Calico operator pulls its components from the registry: the Installation names it, ending in a slash', () => {
  const operator = calico.addons.find(addon => addon.chart.name === 'tigera-operator')!;
  const installation = helmTemplate(operator, '1.36.4').find(o => o.kind === 'Installation')!;
  expect(installation.spec.registry).toBe(`${REGISTRY}/`);
});

test('Prometheus, Alertmanager and the config reloader the operator adds come from the registry', () => {
  const stack = helmTemplate(calico.addonSet.monitoring.release, '1.36.4');
  const prometheus = stack.find(o => o.kind === 'Prometheus')!;
  expect(prometheus.spec.image).toMatch(new RegExp(`^${REGISTRY}/prometheus/prometheus:v`));
  const operator = stack.find(o => o.kind === 'Deployment' && o.metadata.name.endsWith('-operator'))!;
  const args: string[] = operator.spec.template.spec.containers[0].args;
  expect(args).toContainEqual(expect.stringMatching(new RegExp(`^--prometheus-config-reloader=${REGISTRY}/prometheus-operator/prometheus-config-reloader:v`)));
});

test('an image keeps its upstream path: the registry host goes, nothing else', () => {
  const metrics = calico.addonSet.metricsServer!.release;
  const deployment = helmTemplate(metrics, '1.36.4').find(o => o.kind === 'Deployment')!;
  const { host, path } = splitImageReference(deployment.spec.template.spec.containers[0].image);
  expect(host).toBe('registry.internal:5000');
  expect(path).toMatch(/^k8s\/metrics-server\/metrics-server:v\d/);
});
