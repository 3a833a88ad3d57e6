import { provider, release } from '@cdktf/provider-helm';
import { GcsBackend, HttpBackend, LocalBackend, PgBackend, PgBackendConfig, S3Backend, TerraformBackend, TerraformRemoteState, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { HelmAddon, ProductionCluster, requireValid, ResolvedBackend, sortedYaml } from '../constructs';

/** How long Terraform waits for one release to become ready; the Prometheus stack's CRDs and volumes take minutes. */
export const RELEASE_TIMEOUT_SECONDS = 900;

/** Where each release's values are, relative to the stack's folder. */
export function valuesFilePath(releaseName: string): string {
  return `values/${releaseName}.yaml`;
}

/**
 * The Terraform stack of one environment: the Helm provider pointed at the
 * environment's cluster, and one `helm_release` per add-on with its
 * dependencies as `depends_on`. Releases are atomic: a failed install or
 * upgrade is rolled back. Each release's values are a YAML file of their own
 * beside the stack (`values/<release>.yaml`, read with Terraform's `file()`),
 * so that a change to one value is a changed line a reviewer reads. The state
 * goes where the environment's backend says; the default local path is
 * relative, so the synthesized `cdk.tf.json` carries no path of the machine
 * that produced it and runs under plain `terraform` or OpenTofu too. The
 * cluster must be valid: an invalid one is refused with its problems (a
 * `SynthError`).
 */
export class AddonReleasesStack extends TerraformStack {
  /** The `helm_release` of each add-on, by release name. */
  public readonly releases = new Map<string, release.Release>();
  /** The values files, relative to the stack's folder, in release order: `cdk.tf.json` reads them. */
  public readonly valuesFiles: { readonly path: string; readonly content: string }[] = [];

  constructor(scope: Construct, cluster: ProductionCluster) {
    requireValid(cluster);
    super(scope, cluster.name);
    backendOf(this, cluster.terraformBackend);
    new provider.HelmProvider(this, 'helm', {
      // Every string Terraform reads is escaped, the provider's too.
      kubernetes: { configPath: terraformLiteral(cluster.access.kubeconfigPath), configContext: terraformLiteral(cluster.access.kubeContext) },
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
        // file() reads the text as it is: no Terraform interpolation happens in it.
        values: [`\${file("\${path.module}/${valuesFilePath(addon.releaseName)}")}`],
        dependsOn: addon.dependsOn.map(dependency => this.releaseOf(dependency)),
      }));
      this.valuesFiles.push({ path: valuesFilePath(addon.releaseName), content: valuesText(addon) });
    }
    // cdktf's synthesizer writes cdk.tf.json into the stack's folder; the values files go beside it.
    const synthesizeStack = this.synthesizer;
    this.synthesizer = {
      synthesize: session => {
        synthesizeStack.synthesize(session);
        const folder = path.join(session.outdir, session.manifest.forStack(this).workingDirectory);
        for (const file of this.valuesFiles) {
          fs.mkdirSync(path.dirname(path.join(folder, file.path)), { recursive: true });
          fs.writeFileSync(path.join(folder, file.path), file.content);
        }
      },
    };
  }

  private releaseOf(addon: HelmAddon): release.Release {
    const found = this.releases.get(addon.releaseName);
    // ProductionCluster lists add-ons after their dependencies.
    if (!found) throw new Error(`add-on ${addon.releaseName} must be declared before the add-ons that depend on it`);
    return found;
  }
}

/** The cdktf backend construct of a resolved backend; credentials stay out, Terraform reads them from the environment. */
function backendOf(stack: TerraformStack, backend: ResolvedBackend): TerraformBackend {
  const { type, usePathStyle, ...text } = backend;
  const settings = text as Record<string, string>;
  switch (type) {
    case 'local': return new LocalBackend(stack, { path: settings.path });
    case 's3': {
      const s3 = new S3Backend(stack, {
        bucket: settings.bucket, key: settings.key, region: settings.region, encrypt: true,
        profile: settings.profile, dynamodbTable: settings.dynamodbTable, endpoints: settings.endpoint ? { s3: settings.endpoint } : undefined,
        usePathStyle: usePathStyle === true ? true : undefined,
      });
      // S3's own lock file (Terraform 1.10+), which cdktf's S3 backend has no field for.
      if (settings.dynamodbTable === undefined) s3.addOverride('use_lockfile', true);
      return s3;
    }
    case 'http': return new HttpBackend(stack, {
      address: settings.address, lockAddress: settings.lockAddress, unlockAddress: settings.unlockAddress ?? settings.lockAddress,
      lockMethod: settings.lockMethod, unlockMethod: settings.unlockMethod,
    });
    // The connection string, which holds the password, comes from PG_CONN_STR.
    case 'pg': return new PgBackend(stack, { schemaName: settings.schemaName } as PgBackendConfig);
    case 'gcs': return new GcsBackend(stack, { bucket: settings.bucket, prefix: settings.prefix });
    case 'kubernetes': return new KubernetesBackend(stack, settings);
  }
}

/** Terraform's kubernetes backend (a Secret per state), for which cdktf has no construct. */
class KubernetesBackend extends TerraformBackend {
  constructor(scope: Construct, private readonly settings: Readonly<Record<string, string>>) {
    super(scope, 'backend', 'kubernetes');
  }

  protected synthesizeAttributes(): Record<string, string> {
    const { secretSuffix, namespace, configPath, configContext } = this.settings;
    return { secret_suffix: secretSuffix, ...(namespace ? { namespace } : {}), config_path: configPath, config_context: configContext };
  }

  public getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error('the kubernetes backend of a prodk8s stack offers no remote state data source');
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
 * An add-on's values as the YAML Helm reads: keys sorted, one value per line,
 * long strings folded, so that the text changes only where a value does.
 */
export function valuesText(addon: HelmAddon): string {
  return sortedYaml(addon.values);
}
