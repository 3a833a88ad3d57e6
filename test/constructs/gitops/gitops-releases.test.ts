import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ArgoCdApplications, FluxReleases, GitOpsReleasesProps, HelmAddon, repositoryObjectName, syncWave,
} from '../../../constructs';
import { findObject, namesOf, synthObjects } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';

/** Three add-ons: two from one HTTPS repository, one from an OCI registry that depends on both. */
function addons(scope: Construct): HelmAddon[] {
  const network = new HelmAddon(scope, 'network', {
    chart: { repository: 'https://charts.example.com/stable', name: 'net', version: '1.2.3' },
    releaseName: 'net', namespace: 'net-system', values: { pool: { cidr: '10.244.0.0/16' } },
    namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
  });
  const metrics = new HelmAddon(scope, 'metrics', {
    chart: { repository: 'https://charts.example.com/stable', name: 'metrics', version: '2.0.0' },
    releaseName: 'metrics', namespace: 'kube-system', values: { replicas: 2 }, dependsOn: [network],
  });
  const entry = new HelmAddon(scope, 'entry', {
    chart: { repository: 'oci://ghcr.io/example/charts', name: 'entry', version: '3.1.0' },
    releaseName: 'entry', namespace: 'edge', values: { controller: { kind: 'daemonset' } }, dependsOn: [network, metrics],
  });
  return [network, metrics, entry];
}

function render(engine: (scope: Construct, id: string, props: GitOpsReleasesProps) => unknown, props: Partial<GitOpsReleasesProps> = {}) {
  return synthObjects((chart: Chart) => engine(chart, 'gitops', { addons: addons(chart), ...props }));
}

describe('FluxReleases', () => {
  const objects = render((s, id, p) => new FluxReleases(s, id, p));

  test('declares each HTTPS repository once, and an OCIRepository per OCI chart pinned to its version', () => {
    expect(namesOf(objects, 'HelmRepository')).toEqual(['charts-example-com-stable']);
    expect(findObject(objects, 'HelmRepository', 'charts-example-com-stable', 'flux-system').spec)
      .toEqual({ interval: '10m', url: 'https://charts.example.com/stable' });
    expect(findObject(objects, 'OCIRepository', 'entry', 'flux-system').spec).toEqual({
      interval: '10m',
      url: 'oci://ghcr.io/example/charts/entry',
      ref: { tag: '3.1.0' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
  });

  test('installs each add-on with a HelmRelease into its namespace, with its values', () => {
    const net = findObject(objects, 'HelmRelease', 'net', 'flux-system').spec;
    expect(net).toMatchObject({
      releaseName: 'net', targetNamespace: 'net-system', storageNamespace: 'net-system', timeout: '15m',
      chart: { spec: { chart: 'net', version: '1.2.3', sourceRef: { kind: 'HelmRepository', name: 'charts-example-com-stable', namespace: 'flux-system' } } },
      install: { createNamespace: true, crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true } },
      values: { pool: { cidr: '10.244.0.0/16' } },
    });
    expect(net.dependsOn).toBeUndefined();
    expect(findObject(objects, 'HelmRelease', 'entry', 'flux-system').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'entry', namespace: 'flux-system' });
  });

  test('waits for the add-ons each one depends on', () => {
    expect(findObject(objects, 'HelmRelease', 'entry', 'flux-system').spec.dependsOn).toEqual([
      { name: 'net', namespace: 'flux-system' }, { name: 'metrics', namespace: 'flux-system' },
    ]);
  });

  test('passes the Flux CRD schemas', () => {
    expect(objects.map(o => [`${o.kind}/${o.metadata.name}`, schemaError(o)]).filter(([, error]) => error)).toEqual([]);
  });

  test('lives in the namespace given', () => {
    const elsewhere = render((s, id, p) => new FluxReleases(s, id, p), { namespace: 'gitops', interval: '1h' });
    expect(elsewhere.every(o => o.metadata.namespace === 'gitops')).toBe(true);
    expect(findObject(elsewhere, 'HelmRelease', 'net', 'gitops').spec.interval).toBe('1h');
  });
});

describe('ArgoCdApplications', () => {
  const objects = render((s, id, p) => new ArgoCdApplications(s, id, p));

  test('an Application per add-on, with its chart, version, release, values and namespace', () => {
    expect(namesOf(objects, 'Application')).toEqual(['entry', 'metrics', 'net']);
    const net = findObject(objects, 'Application', 'net', 'argocd');
    expect(net.spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'https://charts.example.com/stable', chart: 'net', targetRevision: '1.2.3',
        helm: { releaseName: 'net', valuesObject: { pool: { cidr: '10.244.0.0/16' } } },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'net-system' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        managedNamespaceMetadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
      },
    });
    expect(net.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
  });

  test('reads an OCI chart from its full reference', () => {
    expect(findObject(objects, 'Application', 'entry', 'argocd').spec.source).toMatchObject({
      repoURL: 'oci://ghcr.io/example/charts/entry', path: '.', targetRevision: '3.1.0',
    });
  });

  test('orders applications by sync wave, each after its dependencies', () => {
    const wave = (name: string) => findObject(objects, 'Application', name, 'argocd').metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect([wave('net'), wave('metrics'), wave('entry')]).toEqual(['0', '1', '2']);
  });

  test('passes the Argo CD CRD schema', () => {
    expect(objects.map(o => [`${o.kind}/${o.metadata.name}`, schemaError(o)]).filter(([, error]) => error)).toEqual([]);
  });
});

describe('the CRD schemas', () => {
  test('refuse a broken HelmRelease and a broken Application', () => {
    const release = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' },
      spec: { interval: '10m', install: { crds: 'Sometimes' } } };
    expect(schemaError(release)).toMatch(/install\/crds must be equal to one of the allowed values/);
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x', namespace: 'argocd' },
      spec: { source: { repoURL: 'https://example.com' }, destination: {}, syncPolicy: { syncOptions: 'CreateNamespace=true' } } };
    expect(schemaError(app)).toMatch(/must have required property project/);
  });
});

describe('helpers', () => {
  test.each([
    ['https://prometheus-community.github.io/helm-charts', 'prometheus-community-github-io-helm-charts'],
    ['https://kubernetes-sigs.github.io/metrics-server/', 'kubernetes-sigs-github-io-metrics-server'],
    [`https://${'a'.repeat(70)}.example.com/`, 'a'.repeat(63)],
  ])('names the repository %s %s', (url, name) => expect(repositoryObjectName(url)).toBe(name));

  test('syncWave survives a dependency cycle, which the add-on itself reports', () => {
    const scope = new Construct(undefined as any, 'root');
    const a = new HelmAddon(scope, 'a', { chart: { repository: 'https://x', name: 'a', version: '1.0.0' }, releaseName: 'a', namespace: 'a', values: {} });
    const b = new HelmAddon(scope, 'b', { chart: { repository: 'https://x', name: 'b', version: '1.0.0' }, releaseName: 'b', namespace: 'b', values: {}, dependsOn: [a] });
    a.addDependency(b);
    expect(Number.isFinite(syncWave(b))).toBe(true);
  });
});
