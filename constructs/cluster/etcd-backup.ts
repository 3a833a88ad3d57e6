import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as semver from 'semver';
import { Checks } from '../core/checks';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { isDns1123Subdomain, isS3BucketName } from '../core/names';
import { HostSpec } from '../nodes/host-set';
import { Versions } from '../versions';

/** Scheduled etcd snapshots, kept on the control plane node and shipped to S3-compatible object storage. */
export interface EtcdBackupSpec {
  /**
   * When, as a five-field cron expression (the CronJob's schedule, in the controller manager's time zone).
   * @default '0 *\/6 * * *' (every six hours)
   */
  readonly schedule?: string;
  /**
   * Snapshots kept on the node that took them, the newest; older ones are removed.
   * @default 4
   */
  readonly keep?: number;
  /** Where every snapshot is shipped. */
  readonly destination: EtcdBackupDestination;
  /**
   * How old the last successful backup may be before an alert fires, in hours or minutes (`12h`).
   * @default twice the schedule's every six hours: '13h'
   */
  readonly maxAge?: string;
}

/** An S3-compatible bucket; the bucket's own lifecycle rule decides how long it keeps the snapshots. */
export interface EtcdBackupDestination {
  readonly bucket: string;
  /**
   * Folder in the bucket.
   * @default the environment's name
   */
  readonly prefix?: string;
  /**
   * The S3 endpoint, `https://`, for storage other than AWS (MinIO, Ceph RGW).
   * @default AWS S3
   */
  readonly endpoint?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** A Secret in kube-system with keys `access-key-id` and `secret-access-key`: the credentials never enter the model. */
  readonly credentialsSecret: string;
}

export const ETCD_BACKUP_NAME = 'etcd-backup';
export const ETCD_BACKUP_NAMESPACE = 'kube-system';
export const ETCD_BACKUP_CREDENTIAL_KEYS = ['access-key-id', 'secret-access-key'] as const;
/** Where the node keeps its snapshots. */
export const ETCD_BACKUP_HOST_DIRECTORY = '/var/lib/etcd-backups';
const DEFAULT_SCHEDULE = '0 */6 * * *';
/** etcdctl writes here first; the name of a whole snapshot only once it is whole. */
const PARTIAL_SNAPSHOT = 'snapshot.partial';
const DEFAULT_KEEP = 4;
const DEFAULT_MAX_AGE = '13h';
/** rclone, which ships to any S3-compatible storage, in an image with a shell for the steps around etcdctl. */
export const RCLONE_IMAGE = 'docker.io/rclone/rclone:1.75.1';

/** The spec with its defaults filled in. */
export interface ResolvedEtcdBackup {
  readonly schedule: string;
  readonly keep: number;
  readonly maxAge: string;
  readonly destination: EtcdBackupDestination & { readonly prefix: string; readonly region: string };
}

export function resolvedEtcdBackup(spec: EtcdBackupSpec, environment: string): ResolvedEtcdBackup {
  return {
    schedule: spec.schedule ?? DEFAULT_SCHEDULE,
    keep: spec.keep ?? DEFAULT_KEEP,
    maxAge: spec.maxAge ?? DEFAULT_MAX_AGE,
    destination: { prefix: environment, region: 'us-east-1', ...spec.destination },
  };
}

/** The etcd image of a Kubernetes version, as kubeadm pins it: its etcdctl takes the snapshots. */
export function etcdImage(kubernetesVersion: string): string {
  // An invalid version is the cluster's checks' to report; nothing is rendered from it.
  if (semver.valid(kubernetesVersion) === null) return 'registry.k8s.io/etcd';
  const minor = `${semver.major(kubernetesVersion)}.${semver.minor(kubernetesVersion)}`;
  return `registry.k8s.io/etcd:${Versions.etcdImages[minor as keyof typeof Versions.etcdImages]}`;
}

/** A five-field cron expression as the CronJob controller reads it (robfig/cron's standard parser), or a descriptor. */
export function isCronSchedule(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value)) return true;
  const fields = value.trim().split(/\s+/);
  const bounds: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  const names = [undefined, undefined, undefined, 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec', 'sun|mon|tue|wed|thu|fri|sat'];
  return fields.length === 5 && fields.every((field, index) => field.split(',').every(part => {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) return false;
    if (range === '*' || range === '?') return true;
    const [low, high, ...more] = range.split('-');
    const [min, max] = bounds[index];
    const number = (text: string | undefined) => {
      if (text === undefined) return undefined;
      if (/^\d+$/.test(text)) return Number(text);
      const named = names[index]?.split('|').indexOf(text.toLowerCase()) ?? -1;
      return named >= 0 ? named + (index === 3 ? 1 : 0) : NaN;
    };
    const a = number(low);
    const b = number(high);
    return more.length === 0 && a !== undefined && a >= min && a <= max && (b === undefined || (b >= a && b <= max));
  }));
}

export function checkEtcdBackup(checks: Checks, spec: EtcdBackupSpec): void {
  checks.expect(spec.schedule === undefined || isCronSchedule(spec.schedule), 'backups.etcd.schedule', spec.schedule,
    'must be a cron expression of five fields (minute hour day-of-month month day-of-week), such as "0 */6 * * *"');
  checks.expect(spec.keep === undefined || (Number.isInteger(spec.keep) && spec.keep >= 1), 'backups.etcd.keep', spec.keep,
    'must be a whole number, one or more: the newest snapshot is always kept');
  checks.expect(spec.maxAge === undefined || /^[1-9]\d*(m|h)$/.test(spec.maxAge), 'backups.etcd.maxAge', spec.maxAge, 'must be minutes or hours, such as 13h');
  const destination = spec.destination;
  if (destination === undefined) return;
  checks.expect(isS3BucketName(destination.bucket), 'backups.etcd.destination.bucket', destination.bucket,
    'must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens');
  checks.expect(destination.endpoint === undefined || /^https:\/\/[^\s/"'\\]+(\/[^\s"'\\]*)?$/.test(destination.endpoint),
    'backups.etcd.destination.endpoint', destination.endpoint, 'must be an https:// URL: snapshots hold every Secret of the cluster');
  checks.expect(destination.prefix === undefined || /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(destination.prefix),
    'backups.etcd.destination.prefix', destination.prefix, 'must be a folder path of letters, digits, dots, hyphens and underscores');
  checks.expect(destination.region === undefined || /^[a-z0-9-]+$/.test(destination.region), 'backups.etcd.destination.region', destination.region,
    'must be a region name such as eu-central-1');
  checks.expect(isDns1123Subdomain(destination.credentialsSecret), 'backups.etcd.destination.credentialsSecret', destination.credentialsSecret,
    `must name a Secret in ${ETCD_BACKUP_NAMESPACE} (keys ${ETCD_BACKUP_CREDENTIAL_KEYS.join(', ')}): a destination needs credentials, `
    + 'which stay out of the model');
}

export interface EtcdBackupProps {
  readonly spec: EtcdBackupSpec;
  readonly environment: string;
  readonly kubernetesVersion: string;
  /** The etcd members: the control plane nodes when stacked. */
  readonly members: readonly HostSpec[];
  readonly stacked: boolean;
  readonly imageRegistry?: ImageRegistry;
}

/**
 * A CronJob on a control plane node that snapshots etcd with etcdctl, keeps
 * the newest snapshots on the node and ships each to S3-compatible storage
 * with rclone. The same for both topologies and both installers: stacked etcd
 * is reached on the node itself, dedicated etcd at its first member; the
 * client certificate is the API server's own, where kubeadm or Kubespray puts
 * it. kube-state-metrics reports its last success, which an alert watches.
 */
export class EtcdBackup extends Construct {
  constructor(scope: Construct, id: string, props: EtcdBackupProps) {
    super(scope, id);
    const backup = resolvedEtcdBackup(props.spec, props.environment);
    const image = (reference: string) => props.imageRegistry?.image(reference) ?? reference;
    const endpoint = props.stacked ? 'https://127.0.0.1:2379' : `https://${props.members[0]?.address}:2379`;
    const labels = { 'app.kubernetes.io/name': ETCD_BACKUP_NAME, [Labels.MANAGED_BY]: 'prodk8s' };
    const destination = backup.destination;
    const secret = (key: string) => ({ valueFrom: { secretKeyRef: { name: destination.credentialsSecret, key } } });
    new k8s.KubeCronJob(this, 'cron-job', {
      metadata: { name: ETCD_BACKUP_NAME, namespace: ETCD_BACKUP_NAMESPACE, labels },
      spec: {
        schedule: backup.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 1800,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                // etcd serves its clients on the node's addresses.
                hostNetwork: true,
                nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
                tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
                initContainers: [
                  {
                    name: 'client-certificate',
                    image: image(RCLONE_IMAGE),
                    command: ['/bin/sh', '-c', CLIENT_CERTIFICATE_SCRIPT],
                    env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                    volumeMounts: [
                      { name: 'kubernetes-pki', mountPath: '/host/pki', readOnly: true },
                      { name: 'host-ssl', mountPath: '/host/ssl', readOnly: true },
                      { name: 'certificates', mountPath: '/certificates' },
                    ],
                  },
                  {
                    // Distroless: etcdctl itself, with the certificate the step before chose.
                    name: 'snapshot',
                    image: image(etcdImage(props.kubernetesVersion)),
                    command: ['etcdctl', `--endpoints=${endpoint}`, '--cacert=/certificates/ca.crt', '--cert=/certificates/client.crt',
                      '--key=/certificates/client.key', 'snapshot', 'save', `/backups/${PARTIAL_SNAPSHOT}`],
                    volumeMounts: [{ name: 'certificates', mountPath: '/certificates', readOnly: true }, { name: 'backups', mountPath: '/backups' }],
                  },
                ],
                containers: [{
                  name: 'ship',
                  image: image(RCLONE_IMAGE),
                  command: ['/bin/sh', '-c', shipScript(backup.keep)],
                  env: [
                    { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                    { name: 'DESTINATION', value: `backup:${destination.bucket}/${destination.prefix}` },
                    { name: 'RCLONE_CONFIG_BACKUP_TYPE', value: 's3' },
                    { name: 'RCLONE_CONFIG_BACKUP_PROVIDER', value: destination.endpoint ? 'Other' : 'AWS' },
                    { name: 'RCLONE_CONFIG_BACKUP_REGION', value: destination.region },
                    ...destination.endpoint ? [{ name: 'RCLONE_CONFIG_BACKUP_ENDPOINT', value: destination.endpoint }] : [],
                    { name: 'RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID', ...secret('access-key-id') },
                    { name: 'RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY', ...secret('secret-access-key') },
                  ],
                  volumeMounts: [{ name: 'backups', mountPath: '/backups' }],
                }],
                volumes: [
                  { name: 'kubernetes-pki', hostPath: { path: '/etc/kubernetes/pki', type: 'Directory' } },
                  { name: 'host-ssl', hostPath: { path: '/etc/ssl', type: 'Directory' } },
                  { name: 'backups', hostPath: { path: ETCD_BACKUP_HOST_DIRECTORY, type: 'DirectoryOrCreate' } },
                  // The client key is copied to memory only.
                  { name: 'certificates', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
                ],
              },
            },
          },
        },
      },
    });
  }
}

/**
 * The API server's etcd client certificate, where each installer puts it:
 * kubeadm's `apiserver-etcd-client` (stacked and external etcd alike), or
 * Kubespray's `node-<name>` certificate of its etcd CA.
 */
const CLIENT_CERTIFICATE_SCRIPT = [
  'set -eu',
  'if [ -f /host/pki/apiserver-etcd-client.crt ]; then',
  '  cp /host/pki/etcd/ca.crt /certificates/ca.crt',
  '  cp /host/pki/apiserver-etcd-client.crt /certificates/client.crt',
  '  cp /host/pki/apiserver-etcd-client.key /certificates/client.key',
  'elif [ -f "/host/ssl/etcd/ssl/node-$NODE_NAME.pem" ]; then',
  '  cp /host/ssl/etcd/ssl/ca.pem /certificates/ca.crt',
  '  cp "/host/ssl/etcd/ssl/node-$NODE_NAME.pem" /certificates/client.crt',
  '  cp "/host/ssl/etcd/ssl/node-$NODE_NAME-key.pem" /certificates/client.key',
  'else',
  '  echo "no etcd client certificate of kubeadm or Kubespray on $NODE_NAME" >&2',
  '  exit 1',
  'fi',
  '',
].join('\n');

/** Names the snapshot by node and time, keeps the newest `keep` on the node, ships it. */
function shipScript(keep: number): string {
  return [
    'set -eu',
    'name="etcd-$NODE_NAME-$(date -u +%Y%m%dT%H%M%SZ).db"',
    `mv /backups/${PARTIAL_SNAPSHOT} "/backups/$name"`,
    `ls -1t /backups/etcd-*.db | tail -n +${keep + 1} | xargs -r rm -f`,
    'rclone copyto --s3-no-check-bucket "/backups/$name" "$DESTINATION/$name"',
    'echo "shipped $name"',
    '',
  ].join('\n');
}
