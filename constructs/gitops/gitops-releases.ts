import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { HelmAddon } from '../addons/helm-addon';

export type GitOpsEngine = 'flux' | 'argocd';

/** Where each engine's objects go unless the spec says otherwise: where each installs itself. */
export const GITOPS_NAMESPACES: Readonly<Record<GitOpsEngine, string>> = { flux: 'flux-system', argocd: 'argocd' };

export interface GitOpsReleasesProps {
  /** The add-ons, each after its dependencies. */
  readonly addons: readonly HelmAddon[];
  /**
   * Namespace of the GitOps engine, where its objects live.
   * @default 'flux-system' for Flux, 'argocd' for Argo CD
   */
  readonly namespace?: string;
  /**
   * How often the engine reconciles, as a duration.
   * @default '10m'
   */
  readonly interval?: string;
}

/** Flux: the media type of a Helm chart's layer in an OCI artifact. */
const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/**
 * The add-ons as Flux objects: a `HelmRepository` per HTTPS repository or an
 * `OCIRepository` per OCI chart, and a `HelmRelease` per add-on whose
 * `dependsOn` waits for the add-ons it needs to be ready.
 */
export class FluxReleases extends Construct {
  constructor(scope: Construct, id: string, props: GitOpsReleasesProps) {
    super(scope, id);
    const namespace = props.namespace ?? GITOPS_NAMESPACES.flux;
    const interval = props.interval ?? '10m';
    const repositories = new Set<string>();
    for (const addon of props.addons) {
      const { repository, name, version } = addon.chart;
      let chartSource: Record<string, unknown>;
      if (repository.startsWith('oci://')) {
        new ApiObject(this, `oci-${addon.releaseName}`, {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'OCIRepository',
          metadata: { name: addon.releaseName, namespace },
          spec: {
            interval,
            url: `${repository.replace(/\/$/, '')}/${name}`,
            ref: { tag: version },
            layerSelector: { mediaType: HELM_CHART_LAYER, operation: 'copy' },
          },
        });
        chartSource = { chartRef: { kind: 'OCIRepository', name: addon.releaseName, namespace } };
      } else {
        const repositoryName = repositoryObjectName(repository);
        if (!repositories.has(repository)) {
          repositories.add(repository);
          new ApiObject(this, `repository-${repositoryName}`, {
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'HelmRepository',
            metadata: { name: repositoryName, namespace },
            spec: { interval, url: repository },
          });
        }
        chartSource = { chart: { spec: { chart: name, version, sourceRef: { kind: 'HelmRepository', name: repositoryName, namespace }, interval } } };
      }
      new ApiObject(this, `release-${addon.releaseName}`, {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: addon.releaseName, namespace },
        spec: {
          interval,
          releaseName: addon.releaseName,
          targetNamespace: addon.namespace,
          // Helm's record of the release lives beside it, as with `helm install -n` and Terraform.
          storageNamespace: addon.namespace,
          ...chartSource,
          install: { createNamespace: true, crds: 'CreateReplace', remediation: { retries: 3 } },
          upgrade: { crds: 'CreateReplace', cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true } },
          timeout: '15m',
          ...addon.dependsOn.length > 0 ? { dependsOn: addon.dependsOn.map(d => ({ name: d.releaseName, namespace })) } : {},
          // Resolved at synth: some values (alert rules) depend on what is added to the model later.
          values: Lazy.any({ produce: () => addon.values }),
        },
      });
    }
  }
}

/**
 * The add-ons as Argo CD `Application`s. Argo CD has no dependencies between
 * applications: each gets a sync wave one above its deepest dependency, which
 * orders them when an app of apps syncs this folder.
 */
export class ArgoCdApplications extends Construct {
  constructor(scope: Construct, id: string, props: GitOpsReleasesProps) {
    super(scope, id);
    const namespace = props.namespace ?? GITOPS_NAMESPACES.argocd;
    for (const addon of props.addons) {
      const { repository, name, version } = addon.chart;
      const oci = repository.startsWith('oci://');
      new ApiObject(this, addon.releaseName, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: addon.releaseName,
          namespace,
          annotations: { 'argocd.argoproj.io/sync-wave': String(syncWave(addon)) },
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'default',
          source: {
            // Argo CD 3.1+ reads an OCI chart from its full reference, with path '.'.
            ...oci ? { repoURL: `${repository.replace(/\/$/, '')}/${name}`, path: '.' } : { repoURL: repository, chart: name },
            targetRevision: version,
            helm: { releaseName: addon.releaseName, valuesObject: Lazy.any({ produce: () => addon.values }) },
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: addon.namespace },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // Server-side apply: several CRDs exceed the 256 KiB annotation client-side apply needs.
            syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
            ...Object.keys(addon.namespaceLabels).length > 0 ? { managedNamespaceMetadata: { labels: { ...addon.namespaceLabels } } } : {},
          },
        },
      });
    }
  }
}

/** 0 for an add-on without dependencies, else one more than its deepest dependency. */
export function syncWave(addon: HelmAddon, seen: readonly HelmAddon[] = []): number {
  if (seen.includes(addon)) return 0; // a cycle, reported by the add-on's own check
  return addon.dependsOn.reduce((wave, d) => Math.max(wave, syncWave(d, [...seen, addon]) + 1), 0);
}

/** A Kubernetes name for a Helm repository URL: its host and path as a DNS-1123 label. */
export function repositoryObjectName(url: string): string {
  const slug = url.replace(/^https:\/\//, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-+|-+$/g, '').toLowerCase();
  return slug.slice(0, 63).replace(/-+$/, '');
}
