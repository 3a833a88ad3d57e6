import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterSpec } from '../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { renderEnvironments } from '../../synth/synthesize';
import { clusterSpec, entryPool, generalPool, gpuPool } from '../fixtures/cluster-spec';

/** What any deployment target must agree on for one add-on. */
interface Installed {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: unknown;
  readonly dependsOn: readonly string[];
}

/** The add-ons as the Terraform stack installs them, by release name; `file` reads a file of the stack's folder. */
function fromTerraform(json: any, file: (path: string) => string | undefined): Record<string, Installed> {
  return Object.fromEntries(Object.values<any>(json.resource.helm_release).map(release => [release.name, {
    repository: release.repository,
    chart: release.chart,
    version: release.version,
    namespace: release.namespace,
    // Terraform's file(), relative to the stack's folder (path.module), as the release receives it.
    values: parse(file(/^\$\{file\("\$\{path\.module\}\/(values\/[a-z0-9-]+\.yaml)"\)\}$/.exec(release.values[0])![1])!),
    dependsOn: release.depends_on.map((ref: string) => ref.replace(/^helm_release\./, '')).sort(),
  }]));
}

/** The add-ons as Flux installs them: each HelmRelease with its chart source resolved. */
function fromFlux(objects: any[]): Record<string, Installed> {
  const find = (kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name);
  return Object.fromEntries(objects.filter(o => o.kind === 'HelmRelease').map(release => {
    const spec = release.spec;
    let source: { repository: string; chart: string; version: string };
    if (spec.chartRef) {
      // An OCIRepository holds the whole chart reference: <registry>/<chart>, at a tag.
      const oci = find('OCIRepository', spec.chartRef.name).spec;
      const slash = oci.url.lastIndexOf('/');
      source = { repository: oci.url.slice(0, slash), chart: oci.url.slice(slash + 1), version: oci.ref.tag };
    } else {
      const chart = spec.chart.spec;
      source = { repository: find('HelmRepository', chart.sourceRef.name).spec.url, chart: chart.chart, version: chart.version };
    }
    return [spec.releaseName, {
      ...source,
      namespace: spec.targetNamespace,
      values: spec.values,
      dependsOn: (spec.dependsOn ?? []).map((d: any) => d.name).sort(),
    }];
  }));
}

/** The add-ons as Argo CD installs them. Argo CD orders by sync wave, not by named dependencies. */
function fromArgoCd(objects: any[]): Record<string, Omit<Installed, 'dependsOn'> & { wave: number }> {
  return Object.fromEntries(objects.filter(o => o.kind === 'Application').map(app => {
    const source = app.spec.source;
    const oci = source.repoURL.startsWith('oci://');
    const slash = source.repoURL.lastIndexOf('/');
    return [source.helm.releaseName, {
      repository: oci ? source.repoURL.slice(0, slash) : source.repoURL,
      chart: oci ? source.repoURL.slice(slash + 1) : source.chart,
      version: source.targetRevision,
      namespace: app.spec.destination.namespace,
      values: source.helm.valuesObject,
      wave: Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']),
    }];
  }));
}

function targetsOf(spec: ClusterSpec) {
  const files = renderEnvironments([spec]).files;
  const file = (path: string) => files.find(f => f.path === `${spec.name}/${path}`)?.content;
  const engine = spec.gitops?.engine ?? 'flux';
  const gitops = file(`manifests/10-${spec.gitops?.namespace ?? (engine === 'flux' ? 'flux-system' : 'argocd')}.yaml`)!;
  return {
    terraform: fromTerraform(JSON.parse(file('terraform/cdk.tf.json')!), path => file(`terraform/${path}`)),
    gitops: parseAllDocuments(gitops).map(d => d.toJS()),
  };
}

const WITH_ENTRY = { nodePools: [generalPool(), gpuPool(), entryPool()] };
const VARIANTS: [string, ClusterSpec][] = [
  ...REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as [string, ClusterSpec]),
  ['a Flux cluster with Flannel and ingress-nginx', clusterSpec({
    ...WITH_ENTRY, gitops: { engine: 'flux' }, cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true },
    entry: { namespace: 'nginx-entry', controller: 'ingress-nginx' },
  })],
  ['an Argo CD cluster', clusterSpec({ ...WITH_ENTRY, gitops: { engine: 'argocd', namespace: 'gitops' } })],
];

describe('Terraform and GitOps install the same add-ons', () => {
  test.each(VARIANTS)('%s: every add-on with the same chart, repository, version, namespace and values', (_, spec) => {
    const { terraform, gitops } = targetsOf(spec);
    const releases = Object.keys(terraform).sort();
    expect(releases.length).toBeGreaterThanOrEqual(5);
    if (spec.gitops?.engine === 'argocd') {
      const apps = fromArgoCd(gitops);
      expect(Object.keys(apps).sort()).toEqual(releases);
      for (const name of releases) {
        const { dependsOn, ...installed } = terraform[name];
        expect({ name, ...apps[name], wave: undefined }).toEqual({ name, ...installed, wave: undefined });
        // Each application syncs after everything it depends on.
        for (const dependency of dependsOn) expect(apps[name].wave).toBeGreaterThan(apps[dependency].wave);
      }
    } else {
      const flux = fromFlux(gitops);
      expect(Object.keys(flux).sort()).toEqual(releases);
      for (const name of releases) expect({ name, ...flux[name] }).toEqual({ name, ...terraform[name] });
    }
  });

  test('the proof can fail: a value changed in one target is noticed', () => {
    const { terraform, gitops } = targetsOf(REFERENCE_ENVIRONMENTS.find(spec => spec.name === 'prod')!);
    const flux = fromFlux(gitops);
    (flux['metrics-server'].values as any).replicas = 99;
    expect(flux['metrics-server']).not.toEqual(terraform['metrics-server']);
  });
});

describe('npx cdktf synth', () => {
  test('writes the very stacks that npm run synth writes to dist/', () => {
    const output = mkdtempSync(join(tmpdir(), 'prodk8s-cdktf-cli-'));
    try {
      execFileSync('npx', ['cdktf', 'synth', '--output', output], {
        cwd: join(__dirname, '../..'),
        env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const rendered = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
      for (const spec of REFERENCE_ENVIRONMENTS) {
        // The stack and every values file beside it.
        const stackFiles = rendered.filter(f => f.path.startsWith(`${spec.name}/terraform/`));
        expect(stackFiles.map(f => f.path)).toContain(`${spec.name}/terraform/values/kube-prometheus-stack.yaml`);
        for (const file of stackFiles) {
          expect(readFileSync(join(output, 'stacks', spec.name, file.path.slice(`${spec.name}/terraform/`.length)), 'utf8')).toBe(file.content);
        }
      }
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  }, 120_000);
});
