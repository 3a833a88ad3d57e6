import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { isS3BucketName } from '../core/names';
import { Versions } from '../versions';
import { ChartImages } from './chart-images';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/loki.keys.json';
import { HelmAddon } from './helm-addon';
import { VolumeSpec } from './kube-prometheus-stack';
import { ContainerResources, resourcesValue } from '../core/resources';

/** How Loki runs: one pod holding every component, or write, read and backend pods sharing object storage. */
export type LogStoreMode = 'single-binary' | 'scalable';

/** An S3-compatible bucket for the log store's chunks and indexes. */
export interface LogObjectStorage {
  readonly bucket: string;
  /**
   * The S3 endpoint, `https://`, for storage other than AWS (MinIO, Ceph RGW); requests then use path-style URLs.
   * @default AWS S3 in `region`
   */
  readonly endpoint?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * A Secret in the logging namespace with keys `access-key-id` and `secret-access-key`, handed to Loki as the
   * AWS SDK's environment variables: the credentials never enter the model.
   */
  readonly credentialsSecret: string;
}

export interface LogStoreProps {
  readonly namespace: string;
  /** Where the cluster's DNS names end, such as `cluster.local`: the store's pods find each other by them. */
  readonly clusterDomain: string;
  /** How long logs are kept, in hours, days or weeks (`336h`, `14d`, `2w`), at least 24h. */
  readonly retention: string;
  /** @default 'scalable' with objectStorage, 'single-binary' without */
  readonly mode?: LogStoreMode;
  /** The volume of each store pod: its write-ahead log and index cache, and the chunks too without object storage. */
  readonly storage: VolumeSpec;
  /** @default none: chunks on the single binary's volume */
  readonly objectStorage?: LogObjectStorage;
  /** Pods of each of the write, read and backend targets in scalable mode. @default 3 */
  readonly replicas?: number;
  /** Of each store pod. @default requests of 250m cpu and 512Mi memory, a 2Gi memory limit */
  readonly resources?: ContainerResources;
  /**
   * The rate the whole cluster's logs may arrive at, in MiB per second; bursts may reach twice as much, and one
   * stream (a namespace's logs on one pool) half of it. Loki's defaults (4 MiB/s, 3 MiB/s a stream) are for one
   * application, not for every pod of a cluster in one store; records over it are discarded and alerted on.
   * @default 16
   */
  readonly ingestionRateMiB?: number;
  /** The one registry every image of the release is pulled from, upstream paths kept. */
  readonly imageRegistry?: string;
  /** Raw values of the loki chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/** The Secret keys of the object storage credentials, as the etcd backups name them. */
export const LOG_STORE_CREDENTIAL_KEYS = ['access-key-id', 'secret-access-key'] as const;

const RELEASE_NAME = 'loki';
const PORT = 3100;
/** The day the schema starts: fixed, as Loki reads every chunk written since with it. */
const SCHEMA_FROM = '2026-01-01';
const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };
/** A duration in whole hours, days or weeks, as Loki's retention takes it. */
const RETENTION = /^([1-9]\d*)(h|d|w)$/;
const HOURS = { h: 1, d: 24, w: 168 } as const;

/** The retention in hours, or undefined when it is no duration Loki's retention takes. */
export function retentionHours(retention: string): number | undefined {
  const match = RETENTION.exec(String(retention));
  return match ? Number(match[1]) * HOURS[match[2] as keyof typeof HOURS] : undefined;
}

/**
 * Loki, the log store: single binary with its chunks on a volume for a small
 * environment, or its write, read and backend targets with chunks in object
 * storage. Retention is the compactor's: it deletes what is older than the
 * model's retention. No multi-tenancy inside Loki (`auth_enabled: false`):
 * every record carries its tenant as a label, and only the logging and
 * monitoring namespaces may reach the store (`LogPipeline`'s NetworkPolicy).
 */
export class LogStore extends Construct {
  public readonly release: HelmAddon;
  public readonly mode: LogStoreMode;
  private readonly clusterDomain: string;

  constructor(scope: Construct, id: string, props: LogStoreProps) {
    super(scope, id);
    const mode = props.mode ?? (props.objectStorage ? 'scalable' : 'single-binary');
    this.mode = mode;
    this.clusterDomain = props.clusterDomain;
    const replicas = props.replicas ?? 3;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const objects = props.objectStorage;
    const store = objects ? 's3' : 'filesystem';
    const hours = retentionHours(props.retention);
    const rate = props.ingestionRateMiB ?? 16;
    // The credentials reach Loki as the AWS SDK's variables, which its S3 client reads when none are configured.
    const credentials = objects ? [
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: objects.credentialsSecret, key: LOG_STORE_CREDENTIAL_KEYS[0] } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: objects.credentialsSecret, key: LOG_STORE_CREDENTIAL_KEYS[1] } } },
    ] : [];
    // A target's pods; `persistence` as the chart names its volume switch for that target, none for the stateless read pods.
    const target = (count: number, persistence?: 'enabled' | 'volumeClaimsEnabled') => ({
      replicas: count,
      priorityClassName: 'system-cluster-critical',
      resources: resourcesValue(resources),
      extraEnv: credentials,
      ...persistence ? { persistence: volume(props.storage, persistence) } : {},
    });
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.loki,
      releaseName: RELEASE_NAME,
      namespace: props.namespace,
      systemCriticalNamespaces: [props.namespace],
      values: {
        deploymentMode: mode === 'scalable' ? 'SimpleScalable' : 'SingleBinary',
        // Memberlist, the compactor and the query path address each other by the cluster's DNS names.
        global: { clusterDomain: props.clusterDomain },
        // Loki never calls the API server: no token. The rules sidecar would read every Secret and ConfigMap of the
        // cluster (its ClusterRole) and take alert rules from any namespace; the model's rules are Prometheus's.
        serviceAccount: { automountServiceAccountToken: false },
        sidecar: { rules: { enabled: false } },
        loki: {
          // One store for the cluster: the tenant is a label of every record, not a Loki tenant.
          auth_enabled: false,
          commonConfig: { replication_factor: mode === 'scalable' ? 3 : 1 },
          schemaConfig: {
            configs: [{ from: SCHEMA_FROM, store: 'tsdb', object_store: store, schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }],
          },
          storage: objects ? {
            type: 's3',
            bucketNames: { chunks: objects.bucket, ruler: objects.bucket, admin: objects.bucket },
            s3: {
              region: objects.region ?? 'us-east-1',
              ...objects.endpoint ? { endpoint: objects.endpoint, s3ForcePathStyle: true } : {},
            },
          } : { type: 'filesystem' },
          limits_config: {
            retention_period: hours === undefined ? props.retention : `${hours}h`,
            ingestion_rate_mb: rate,
            ingestion_burst_size_mb: rate * 2,
            per_stream_rate_limit: `${Math.max(1, Math.floor(rate / 2))}MB`,
            per_stream_rate_limit_burst: `${rate}MB`,
            // The agent reads audit events and joined CRI lines of up to 1 MiB and more; Loki's 256 KiB would refuse
            // the whole batch they come in. Longer lines are cut, not refused.
            max_line_size: '1MB',
            max_line_size_truncate: true,
          },
          compactor: { retention_enabled: true, delete_request_store: store },
        },
        singleBinary: mode === 'single-binary' ? target(1, 'enabled') : { replicas: 0 },
        write: mode === 'scalable' ? target(replicas, 'volumeClaimsEnabled') : { replicas: 0 },
        read: mode === 'scalable' ? target(replicas) : { replicas: 0 },
        backend: mode === 'scalable' ? target(replicas, 'volumeClaimsEnabled') : { replicas: 0 },
        // Clients reach the targets' own Services: no gateway in between.
        gateway: { enabled: false },
        // The caches' defaults ask for gigabytes of memory per pod; Loki queries its store without them.
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        // The canary and the helm test write synthetic logs of their own.
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: true } },
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.loki,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
    validateWith(this, checks => {
      checks.expect(hours !== undefined && hours >= 24, 'retention', props.retention,
        'must be a duration of whole hours, days or weeks (336h, 14d, 2w) of at least 24h, the shortest retention Loki\'s compactor applies');
      checks.expect(mode === 'single-binary' || mode === 'scalable', 'mode', mode, 'must be single-binary or scalable');
      checks.expect(Number.isInteger(rate) && rate >= 1, 'ingestionRateMiB', props.ingestionRateMiB, 'must be a whole number of MiB per second, one or more');
      checks.expect(mode !== 'scalable' || objects !== undefined, 'mode', mode,
        'needs objectStorage: the write, read and backend pods share the chunks only through object storage');
      if (mode === 'scalable') {
        checks.expect(Number.isInteger(replicas) && replicas >= 3, 'replicas', props.replicas,
          'must be a whole number of at least 3: the write path keeps three copies of every record, on different nodes');
      }
      checks.quantity('storage.size', props.storage.size);
      checks.expect(props.storage.size !== undefined, 'storage.size', props.storage.size, 'must be the size of each store pod\'s volume, such as 50Gi');
      if (props.storage.storageClassName !== undefined) checks.dns1123Subdomain('storage.storageClassName', props.storage.storageClassName);
      checks.containerResources('resources', resources);
      if (objects) {
        checks.expect(isS3BucketName(objects.bucket), 'objectStorage.bucket', objects.bucket,
          'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or dashes');
        if (objects.endpoint !== undefined) {
          checks.expect(/^https:\/\/[^\s/@?#]+\/?$/.test(String(objects.endpoint)), 'objectStorage.endpoint', objects.endpoint,
            'must be an https:// URL of the S3 service, without credentials or a path');
        }
        if (objects.region !== undefined) checks.expect(/^[a-z0-9-]+$/.test(String(objects.region)), 'objectStorage.region', objects.region, 'must be a region name such as eu-west-1');
        checks.dns1123Subdomain('objectStorage.credentialsSecret', objects.credentialsSecret);
      }
    });
  }

  /** Where the agents push: the single binary, or the write target. */
  public get pushEndpoint(): { readonly host: string; readonly port: number } {
    return { host: `${this.serviceName('write')}.${this.release.namespace}.svc.${this.clusterDomain}`, port: PORT };
  }

  /** Where Grafana queries: the single binary, or the read target. */
  public get queryUrl(): string {
    return `http://${this.serviceName('read')}.${this.release.namespace}.svc.${this.clusterDomain}:${PORT}`;
  }

  private serviceName(target: 'write' | 'read'): string {
    return this.mode === 'scalable' ? `${RELEASE_NAME}-${target}` : RELEASE_NAME;
  }
}

/**
 * A store pod's volume. Its claims outlive the StatefulSet (no automatic deletion), as they hold the logs: a
 * deleted release or a scale-down leaves them to be removed on purpose.
 */
function volume(storage: VolumeSpec, switchName: 'enabled' | 'volumeClaimsEnabled'): ChartValues {
  return {
    [switchName]: true,
    size: storage.size,
    ...storage.storageClassName ? { storageClass: storage.storageClassName } : {},
    enableStatefulSetAutoDeletePVC: false,
  };
}
