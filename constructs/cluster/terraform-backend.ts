import { Checks } from '../core/checks';
import type { TerraformSpec } from './cluster-spec';

/**
 * Where Terraform keeps the state of an environment's add-on releases. Only
 * locations and names are written into the stack: credentials come from the
 * deploying machine's environment (`AWS_*` or a profile for `s3`,
 * `TF_HTTP_USERNAME`/`TF_HTTP_PASSWORD` for `http`, `PG_CONN_STR` for `pg`,
 * the kubeconfig for `kubernetes`, application default credentials for
 * `gcs`), so that no secret is ever synthesized.
 * @see https://developer.hashicorp.com/terraform/language/backend
 */
export type TerraformBackendSpec =
  | LocalBackendSpec
  | S3BackendSpec
  | HttpBackendSpec
  | PgBackendSpec
  | KubernetesBackendSpec
  | GcsBackendSpec;

/** A state file on the deploying machine: for one person, or for trying things out. */
export interface LocalBackendSpec {
  readonly type: 'local';
  /**
   * The state file, relative to the stack's folder (`<out>/<env>/terraform`) or absolute.
   * @default `../../../.terraform-state/<env>.tfstate`: beside the output folder, never inside it
   */
  readonly path?: string;
}

/** An S3 bucket, locked with S3's own lock file (Terraform 1.10+). */
export interface S3BackendSpec {
  readonly type: 's3';
  readonly bucket: string;
  /** @default `prodk8s/<env>/terraform.tfstate` */
  readonly key?: string;
  readonly region: string;
  /** A named profile of the AWS configuration, instead of the `AWS_*` variables. */
  readonly profile?: string;
  /** An S3-compatible endpoint (MinIO, Ceph RGW). */
  readonly endpoint?: string;
  /**
   * Address buckets by path (`https://endpoint/bucket`), as MinIO and Ceph RGW usually need.
   * @default false: by host, as AWS does
   */
  readonly usePathStyle?: boolean;
  /** A DynamoDB table for locking, as before Terraform 1.10. @default S3's own lock file (`use_lockfile`) */
  readonly dynamodbTable?: string;
}

/** A REST endpoint (GitLab's managed state, for one). */
export interface HttpBackendSpec {
  readonly type: 'http';
  readonly address: string;
  /** @default no locking */
  readonly lockAddress?: string;
  /** @default `lockAddress` */
  readonly unlockAddress?: string;
  /** @default 'LOCK' as Terraform's http backend sends it */
  readonly lockMethod?: string;
  /** @default 'UNLOCK' */
  readonly unlockMethod?: string;
}

/** A PostgreSQL schema; the connection string comes from `PG_CONN_STR`. */
export interface PgBackendSpec {
  readonly type: 'pg';
  /** @default `prodk8s_<env>` */
  readonly schemaName?: string;
}

/** A Secret in a cluster (often a management cluster), reached through a kubeconfig. */
export interface KubernetesBackendSpec {
  readonly type: 'kubernetes';
  /** @default the environment's name */
  readonly secretSuffix?: string;
  /** @default 'default' as Terraform's kubernetes backend has it */
  readonly namespace?: string;
  /** @default the environment's `access.kubeconfigPath` */
  readonly configPath?: string;
  /** @default the environment's `access.kubeContext` */
  readonly configContext?: string;
}

/** A Google Cloud Storage bucket. */
export interface GcsBackendSpec {
  readonly type: 'gcs';
  readonly bucket: string;
  /** @default `prodk8s/<env>` */
  readonly prefix?: string;
}

/** The folder, relative to a stack's own, that holds the output folder: stacks sit in `<out>/<env>/terraform`. */
const BESIDE_THE_OUTPUT = '../../..';

/** The default local state: beside the output folder, so that replacing the output never touches it. */
export function defaultStatePath(environment: string): string {
  return `${BESIDE_THE_OUTPUT}/.terraform-state/${environment}.tfstate`;
}

/** The fields each backend type takes (text, but for the switches); anything else (a credential, say) is refused. */
const FIELDS: Record<TerraformBackendSpec['type'], { required: readonly string[]; optional: readonly string[]; switches?: readonly string[] }> = {
  local: { required: [], optional: ['path'] },
  s3: { required: ['bucket', 'region'], optional: ['key', 'profile', 'endpoint', 'dynamodbTable'], switches: ['usePathStyle'] },
  http: { required: ['address'], optional: ['lockAddress', 'unlockAddress', 'lockMethod', 'unlockMethod'] },
  pg: { required: [], optional: ['schemaName'] },
  kubernetes: { required: [], optional: ['secretSuffix', 'namespace', 'configPath', 'configContext'] },
  gcs: { required: ['bucket'], optional: ['prefix'] },
};

/** Where each backend takes its credentials from, for the message that refuses one in the spec. */
const CREDENTIALS: Record<TerraformBackendSpec['type'], string> = {
  local: 'none are needed',
  s3: 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or `profile`',
  http: 'TF_HTTP_USERNAME/TF_HTTP_PASSWORD',
  pg: 'PG_CONN_STR',
  kubernetes: 'the kubeconfig',
  gcs: 'GOOGLE_APPLICATION_CREDENTIALS',
};

/** Records every broken rule of an environment's `terraform` settings under `field`. */
export function checkTerraformSpec(checks: Checks, field: string, terraform: TerraformSpec | undefined): void {
  if (terraform === undefined) return;
  for (const key of Object.keys(terraform)) {
    if (key !== 'backend') checks.fail(`${field}.${key}`, '(not shown)', 'is not a setting of the Terraform stack (backend)');
  }
  checkTerraformBackend(checks, `${field}.backend`, terraform.backend);
}

function checkTerraformBackend(checks: Checks, field: string, backend: TerraformBackendSpec | undefined): void {
  if (backend === undefined) return;
  if (typeof backend !== 'object' || backend === null || !Object.hasOwn(FIELDS, (backend as { type?: unknown }).type as string)) {
    checks.fail(`${field}.type`, (backend as { type?: unknown } | null)?.type, `must be one of ${Object.keys(FIELDS).map(t => `"${t}"`).join(', ')}`);
    return;
  }
  const { required, optional, switches = [] } = FIELDS[backend.type];
  const values = backend as unknown as Record<string, unknown>;
  for (const key of required) {
    if (values[key] === undefined) checks.fail(`${field}.${key}`, undefined, `a ${backend.type} backend needs it`);
  }
  for (const [key, value] of Object.entries(values)) {
    if (key === 'type') continue;
    if (switches.includes(key)) {
      checks.expect(typeof value === 'boolean', `${field}.${key}`, value, 'must be true or false');
      continue;
    }
    if (!required.includes(key) && !optional.includes(key)) {
      checks.fail(`${field}.${key}`, '(not shown)', `is not a field of the ${backend.type} backend (${[...required, ...optional, ...switches].join(', ') || 'none'}); `
        + `credentials are never written into the stack: Terraform takes them from ${CREDENTIALS[backend.type]}`);
      continue;
    }
    checks.expect(typeof value === 'string' && value.trim() !== '' && !/[$%]\{/.test(value) && !/[\n\r]/.test(value), `${field}.${key}`, value,
      'must be a non-empty line of text without `${` or `%{`: Terraform reads backend settings literally, without interpolation');
  }
}

/** A backend with its defaults filled in: its type, and its settings by the spec's field names. */
export interface ResolvedBackend {
  readonly type: TerraformBackendSpec['type'];
  readonly [field: string]: string | boolean;
}

/** The backend of environment `environment`, its defaults filled in. */
export function resolvedBackend(backend: TerraformBackendSpec | undefined, environment: string,
  access: { kubeconfigPath: string; kubeContext: string }): ResolvedBackend {
  switch (backend?.type) {
    case undefined:
    case 'local': return { type: 'local', path: backend?.path ?? defaultStatePath(environment) };
    case 's3': return { ...backend, key: backend.key ?? `prodk8s/${environment}/terraform.tfstate` };
    case 'http': return { ...backend };
    case 'pg': return { type: 'pg', schemaName: backend.schemaName ?? `prodk8s_${environment.replace(/-/g, '_')}` };
    case 'kubernetes': return {
      type: 'kubernetes',
      secretSuffix: backend.secretSuffix ?? environment,
      ...(backend.namespace !== undefined ? { namespace: backend.namespace } : {}),
      configPath: backend.configPath ?? access.kubeconfigPath,
      configContext: backend.configContext ?? access.kubeContext,
    };
    case 'gcs': return { ...backend, prefix: backend.prefix ?? `prodk8s/${environment}` };
  }
}
