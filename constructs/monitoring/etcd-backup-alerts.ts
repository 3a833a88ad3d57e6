import { RuleGroup } from './alert-rules';

/** What the alerts need of the backup: its name and namespace, and how old its last success may be. */
export interface WatchedBackup {
  readonly maxAge: string;
}

const BACKUP = 'namespace="kube-system", cronjob="etcd-backup"';

const RUNBOOK = [
  '1. kubectl -n kube-system get cronjob,jobs,pods -l app.kubernetes.io/name=etcd-backup',
  '2. kubectl -n kube-system logs job/<the last job> --all-containers:',
  '   which step failed: the certificate, etcdctl or rclone',
  '3. kubectl -n kube-system create job --from=cronjob/etcd-backup etcd-backup-now: a backup now',
  '4. the bucket: that it takes writes, with the credentials Secret',
  '   (access-key-id, secret-access-key)',
].join('\n');

/** `13h` or `90m` in seconds. */
function seconds(duration: string): number {
  const amount = Number(duration.slice(0, -1));
  return duration.endsWith('h') ? amount * 3600 : amount * 60;
}

/**
 * Alerts on the etcd backups, from kube-state-metrics' record of the
 * CronJob's last success: older than the model's limit, or none at all
 * within it (a CronJob that never succeeded has no such series).
 */
export function etcdBackupAlerts(backup: WatchedBackup): RuleGroup {
  return {
    name: 'prodk8s.etcd-backup',
    rules: [
      {
        alert: 'EtcdBackupTooOld', expr: `time() - kube_cronjob_status_last_successful_time{${BACKUP}} > ${seconds(backup.maxAge)}`,
        for: '10m', severity: 'critical',
        summary: `The last etcd backup is older than ${backup.maxAge}`,
        description: `The newest snapshot shipped by kube-system/etcd-backup ({{ $labels.cronjob }}) is more than ${backup.maxAge} old.`,
        runbook: RUNBOOK,
      },
      {
        alert: 'EtcdBackupNeverSucceeded', expr: `absent(kube_cronjob_status_last_successful_time{${BACKUP}})`,
        for: backup.maxAge, severity: 'critical',
        summary: `No etcd backup has succeeded for ${backup.maxAge}`,
        description: 'kube-system/etcd-backup has no successful run on record ({{ $labels.cronjob }} absent).',
        runbook: RUNBOOK,
      },
    ],
  };
}
