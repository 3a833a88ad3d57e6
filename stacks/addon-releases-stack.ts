import { provider, release } from '@cdktf/provider-helm';
import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import stableStringify = require('json-stable-stringify');
import { HelmAddon, ProductionCluster } from '../constructs';

/** How long Terraform waits for one release to become ready; the Prometheus stack's CRDs and volumes take minutes. */
export const RELEASE_TIMEOUT_SECONDS = 900;

/**
 * The Terraform stack of one environment: the Helm provider pointed at the
 * environment's cluster, and one `helm_release` per add-on with its
 * dependencies as `depends_on`. Releases are atomic: a failed install or
 * upgrade is rolled back. The state path is relative, so the synthesized
 * `cdk.tf.json` carries no path of the machine that produced it and runs
 * under plain `terraform` or OpenTofu too.
 */
export class AddonReleasesStack extends TerraformStack {
  /** The `helm_release` of each add-on, by release name. */
  public readonly releases = new Map<string, release.Release>();

  constructor(scope: Construct, cluster: ProductionCluster) {
    super(scope, cluster.name);
    new LocalBackend(this, { path: `terraform.${cluster.name}.tfstate` });
    new provider.HelmProvider(this, 'helm', {
      kubernetes: { configPath: cluster.access.kubeconfigPath, configContext: cluster.access.kubeContext },
    });
    for (const addon of cluster.addons) {
      this.releases.set(addon.releaseName, new release.Release(this, addon.releaseName, {
        name: addon.releaseName,
        repository: addon.chart.repository,
        chart: addon.chart.name,
        version: addon.chart.version,
        namespace: addon.namespace,
        createNamespace: true,
        atomic: true,
        cleanupOnFail: true,
        wait: true,
        timeout: RELEASE_TIMEOUT_SECONDS,
        values: [terraformLiteral(valuesText(addon))],
        dependsOn: addon.dependsOn.map(dependency => this.releaseOf(dependency)),
      }));
    }
  }

  private releaseOf(addon: HelmAddon): release.Release {
    const found = this.releases.get(addon.releaseName);
    // ProductionCluster lists add-ons after their dependencies.
    if (!found) throw new Error(`add-on ${addon.releaseName} must be declared before the add-ons that depend on it`);
    return found;
  }
}

/**
 * Text that Terraform reads literally: `${` and `%{` open interpolations and
 * directives in every Terraform string, so a value such as a shell script's
 * `${VAR}` would be evaluated, or fail the plan, unless escaped.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/([$%])\{/g, (_, sign: string) => `${sign}${sign}{`);
}

/**
 * An add-on's values as the text Helm reads: JSON, which is YAML too, with
 * keys sorted so that the text changes only where a value does. JSON rather
 * than YAML in a JSON stack: it reads the same in a plan, and is written in a
 * fraction of the time (the Prometheus stack's values, alert rules included,
 * are some 45 KB).
 */
export function valuesText(addon: HelmAddon): string {
  return stableStringify(addon.values, { space: 2, collapseEmpty: true })!;
}
