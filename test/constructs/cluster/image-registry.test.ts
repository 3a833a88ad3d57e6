import { Testing } from 'cdk8s';
import { ClusterSpec, HelmAddon, kubeadmInitDocuments, ProductionCluster, Versions } from '../../../constructs';
import { nodeFiles } from '../../../stacks/node-files';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec, generalPool, tenantSpec } from '../../fixtures/cluster-spec';
import { findObject, problemsOf, synthObjects } from '../../helpers/objects';

const REGISTRY = 'harbor.example.com/k8s';
const HA = {
  count: 3, firstAddress: '10.0.0.11', sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
  endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' },
};
const RESOURCES = { requests: { cpu: '100m', memory: '64Mi' } };
const WORKLOADS = [
  { name: 'api', image: 'ghcr.io/example/api:2.1.0', resources: RESOURCES },
  { name: 'worker', image: 'harbor.example.com/payments/worker:1.4.0', resources: RESOURCES },
];
const spec: ClusterSpec = clusterSpec({
  name: 'offline',
  images: { registry: REGISTRY },
  controlPlane: HA,
  nodePools: [generalPool()],
  tenants: [tenantSpec({ workloads: WORKLOADS })],
});
const cluster = (overrides: Partial<ClusterSpec> = {}) => new ProductionCluster(Testing.chart(), 'cluster', { ...spec, ...overrides });

describe('images.registry: one field moves every image the model references', () => {
  const offline = cluster();
  const layer = offline.nodeLayer;

  test('kubeadm pulls the control plane, etcd, pause and CoreDNS from it, CoreDNS at its upstream path', () => {
    const config = kubeadmInitDocuments(layer).find(document => document.kind === 'ClusterConfiguration')!;
    expect(config.imageRepository).toBe(REGISTRY);
    // kubeadm's own default off registry.k8s.io would be harbor.example.com/k8s/coredns:<tag>.
    expect(config.dns).toEqual({ imageRepository: `${REGISTRY}/coredns` });
  });

  test('containerd\'s pinned sandbox image and kube-vip\'s static pod come from it, on every node that has them', () => {
    const files = nodeFiles(offline);
    const bootstraps = files.filter(file => 'cloudConfig' in file);
    expect(bootstraps).toHaveLength(6);
    for (const file of bootstraps) {
      const written = (file as { cloudConfig: Record<string, unknown> }).cloudConfig.write_files as { path: string; content: string }[];
      expect(written.find(f => f.path === '/etc/containerd/config.toml')!.content).toContain(`  sandbox = '${REGISTRY}/pause:3.10.2'\n`);
      const kubeVip = written.find(f => f.path === '/etc/kubernetes/manifests/kube-vip.yaml');
      if (file.path.startsWith('node/control-plane/')) {
        expect(JSON.parse(kubeVip!.content).spec.containers[0].image).toBe(`${REGISTRY}/kube-vip/kube-vip:${Versions.kubeVip.version}`);
      } else {
        expect(kubeVip).toBeUndefined();
      }
    }
  });

  test('the tenants\' workloads move too, unless already on the registry\'s host', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', spec));
    expect(findObject(objects, 'Deployment', 'api', 'team-a').spec.template.spec.containers[0].image).toBe(`${REGISTRY}/example/api:2.1.0`);
    expect(findObject(objects, 'Deployment', 'worker', 'team-a').spec.template.spec.containers[0].image).toBe('harbor.example.com/payments/worker:1.4.0');
  });

  test('the model is valid', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', spec))).toEqual([]);
  });

  test('every add-on with images is told so', () => {
    for (const addon of offline.addons) {
      expect({ release: addon.releaseName, moved: JSON.stringify(addon.values).includes(`"${REGISTRY}`) })
        .toEqual({ release: addon.releaseName, moved: addon.chart.name !== 'crd.projectcalico.org.v1' });
    }
  });

  test('nothing written names an upstream registry as an image source (chart repositories aside)', () => {
    const upstream = /(?<![\w/.:-])(registry\.k8s\.io|ghcr\.io|quay\.io|docker\.io|gcr\.io)\/[\w.-]+/g;
    const imageSources = (of: ClusterSpec) => renderEnvironments([of]).files.flatMap(file => (file.content.match(upstream) ?? [])
      .filter(text => !file.content.includes(`oci://${text}`))
      .map(text => `${file.path}: ${text}`));
    expect(imageSources(spec)).toEqual([]);
    expect(imageSources({ ...spec, images: undefined })).toContainEqual('offline/node/control-plane/kube-vip.yaml: ghcr.io/kube-vip');
  });

  test('without it every image keeps its own registry', () => {
    const upstream = cluster({ images: undefined });
    const config = kubeadmInitDocuments(upstream.nodeLayer).find(document => document.kind === 'ClusterConfiguration')!;
    expect(config).not.toHaveProperty('imageRepository');
    expect(config).not.toHaveProperty('dns');
    expect(JSON.stringify(upstream.addonSet.metricsServer!.release.values)).not.toContain('repository');
  });
});

describe('images.registry refused', () => {
  const problems = (images: ClusterSpec['images']) => problemsOf(chart => new ProductionCluster(chart, 'cluster', { ...spec, images }));

  test.each([
    ['https://harbor.example.com', 'a URL'],
    ['harbor.example.com/k8s/', 'a trailing slash'],
    ['Harbor.example.com', 'capitals'],
    ['harbor', 'a bare name, which image references read as a Docker Hub path'],
  ])('%s (%s), once for the cluster, not again by every add-on', registry => {
    expect(problems({ registry })).toEqual([
      `[test/cluster] images.registry = ${JSON.stringify(registry)}: must be a registry host with an optional port and repository path, as image references begin, `
      + 'such as registry.internal:5000 or harbor.example.com/k8s (no scheme, no trailing slash)',
    ]);
  });

  test('beside mirrors, which would never be asked', () => {
    expect(problems({ registry: REGISTRY, mirrors: { 'registry.k8s.io': ['https://mirror.internal'], 'quay.io': ['https://mirror.internal'] } })).toEqual([
      '[test/cluster] images.mirrors = "quay.io, registry.k8s.io": must not be set with images.registry: every image reference then names that registry, '
      + 'so mirrors of the upstream registries would never be asked',
    ]);
  });
});

describe('HelmAddon imageRegistry', () => {
  const chart = { repository: 'https://charts.example.com', name: 'demo', version: '1.2.3' };
  const addon = (props: Partial<ConstructorParameters<typeof HelmAddon>[2]>) => problemsOf(scope => new HelmAddon(scope, 'addon', {
    chart, releaseName: 'demo', namespace: 'demo', values: { replicas: 2 }, ...props,
  }));

  test('merges the chart\'s image settings over the typed values, under the raw ones', () => {
    const release = new HelmAddon(Testing.chart(), 'addon', {
      chart, releaseName: 'demo', namespace: 'demo', values: { replicas: 2, image: { tag: 'v1' } },
      imageRegistry: REGISTRY, images: registry => ({ image: { repository: registry.image('quay.io/demo/demo') } }),
      rawValues: { image: { tag: 'v2' } },
    });
    expect(release.values).toEqual({ replicas: 2, image: { repository: `${REGISTRY}/demo/demo`, tag: 'v2' } });
  });

  test('is refused for a chart whose image settings are unknown, or when it is no registry', () => {
    expect(addon({ imageRegistry: REGISTRY })).toEqual([
      `[test/addon] imageRegistry = "${REGISTRY}": needs the image settings of chart demo (images), which say where each of its images is set`,
    ]);
    expect(addon({ imageRegistry: 'https://harbor.example.com', images: () => ({}) })).toEqual([
      '[test/addon] imageRegistry = "https://harbor.example.com": must be a registry host with an optional port and repository path, such as registry.internal:5000 or harbor.example.com/k8s',
    ]);
  });
});
