import { ETCD_BACKUP_HOST_DIRECTORY, etcdImage, ProductionCluster, requireValid, resolvedEtcdBackup } from '../constructs';
import { wrapMarkdownLines } from './summary';

/** The restore runbook's file, beside the summary. */
export const ETCD_RESTORE_FILE = 'etcd-restore.md';

/**
 * How to restore this environment's etcd from a snapshot, with its own
 * members, addresses and paths: for kubeadm (stacked etcd as a static pod, or
 * dedicated members) and for Kubespray (etcd as a systemd service, members
 * named `etcd1`…). Every member is restored from the same snapshot into a new
 * cluster; the API servers stay stopped until etcd is whole again.
 */
export function etcdRestoreRunbook(cluster: ProductionCluster): string {
  requireValid(cluster);
  const spec = cluster.spec;
  const backup = spec.backups?.etcd && resolvedEtcdBackup(spec.backups.etcd, spec.name);
  const { controlPlane } = cluster;
  const members = controlPlane.etcdHosts;
  // The member list as a shell variable, a line per member, so that no line runs long however many there are.
  const peers = (name: (index: number) => string) => members.map((host, i) => `${i === 0 ? 'members=' : 'members=$members,'}${name(i)}=https://${host.address}:2380`);
  const restore = (name: string, address: string, memberLines: readonly string[]) => [
    '   ```sh',
    ...memberLines.map(line => `   ${line}`),
    `   etcdutl snapshot restore ${ETCD_BACKUP_HOST_DIRECTORY}/restore.db \\`,
    `     --name ${name} --initial-cluster "$members" \\`,
    `     --initial-cluster-token ${spec.name}-restored \\`,
    `     --initial-advertise-peer-urls https://${address}:2380 \\`,
    '     --data-dir /var/lib/etcd-restored',
    '   ```',
  ];
  const image = cluster.imageRegistry?.image(etcdImage(spec.kubernetesVersion)) ?? etcdImage(spec.kubernetesVersion);
  const lines = [
    `# Restoring etcd of ${spec.name}`,
    '',
    backup
      ? `Snapshots: the newest ${backup.keep} on the control plane node that took each, \`${ETCD_BACKUP_HOST_DIRECTORY}/etcd-<node>-<time>.db\`, `
        + `and every one in \`${backup.destination.bucket}/${backup.destination.prefix}\` (${backup.destination.endpoint ?? `AWS S3, ${backup.destination.region}`}), `
        + `taken on the schedule \`${backup.schedule}\`.`
      : 'This environment takes no etcd backups (`backups.etcd`): there is nothing to restore from.',
    '',
    `Members: ${members.map(host => `${host.name} (${host.address})`).join(', ')}; etcd ${controlPlane.stackedEtcd ? 'stacked on the control plane nodes' : 'on dedicated hosts'}.`,
    '',
    'Every member is restored from one snapshot into a new cluster: the data written after the snapshot is lost, and',
    'the API servers stay stopped until etcd is whole again. `etcdutl` is in the etcd image: on a host without it,',
    `run it from \`${image}\`:`,
    '',
    '```sh',
    `ctr image pull ${image}`,
    'ctr run --rm --net-host --mount type=bind,src=/var/lib,dst=/var/lib,options=rbind:rw \\',
    `  ${image} restore etcdutl …`,
    '```',
    '',
    '1. Copy one snapshot to every member as `' + `${ETCD_BACKUP_HOST_DIRECTORY}/restore.db\`, and check it: \`etcdutl snapshot status ${ETCD_BACKUP_HOST_DIRECTORY}/restore.db\`.`,
    '2. Stop every API server: on each control plane node, `mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/`.',
    '',
    '## kubeadm',
    '',
    ...controlPlane.stackedEtcd ? [
      '3. On each control plane node, stop etcd: `mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/`, and wait until',
      '   `crictl ps --name etcd` lists nothing.',
      '4. On each control plane node, restore its member:',
      '',
      ...members.flatMap(host => [`   - ${host.name}:`, '', ...restore(host.name, host.address, peers(i => members[i].name)).map(line => `  ${line}`), '']),
      '5. On each: `mv /var/lib/etcd /var/lib/etcd-before-restore && mv /var/lib/etcd-restored /var/lib/etcd`, then',
      '   `mv /etc/kubernetes/etcd.yaml /etc/kubernetes/manifests/`.',
    ] : [
      '3. The members are dedicated hosts, outside kubeadm: on each, stop etcd (`systemctl stop etcd`, or however it runs).',
      '4. On each member, restore it under its own name:',
      '',
      ...members.flatMap(host => [`   - ${host.name}:`, '', ...restore(host.name, host.address, peers(i => members[i].name)).map(line => `  ${line}`), '']),
      '5. On each: replace its data directory with `/var/lib/etcd-restored` and start etcd.',
    ],
    '6. When `etcdctl endpoint health --cluster` (with the API server\'s etcd client certificate) reports every member healthy,',
    '   put the API servers back: `mv /etc/kubernetes/kube-apiserver.yaml /etc/kubernetes/manifests/` on each node.',
    '7. `systemctl restart kubelet` on every node; `kubectl get nodes` and `kubectl get pods -A` settle as the controllers catch',
    '   up. Run the GitOps engine\'s reconciliation (or `terraform apply`) to bring back what changed after the snapshot.',
    '',
    '## Kubespray',
    '',
    'Kubespray runs etcd as a systemd service, members named `etcd1`, `etcd2`, … in the inventory\'s order, data in',
    '`/var/lib/etcd`.',
    '',
    '3. On each member: `systemctl stop etcd`.',
    '4. On each member, restore it under its Kubespray name:',
    '',
    ...members.flatMap((host, index) => [`   - ${host.name} (etcd${index + 1}):`, '',
      ...restore(`etcd${index + 1}`, host.address, peers(i => `etcd${i + 1}`)).map(line => `  ${line}`), '']),
    '5. On each: `mv /var/lib/etcd /var/lib/etcd-before-restore && mv /var/lib/etcd-restored /var/lib/etcd`, then',
    '   `systemctl start etcd`.',
    '6. and 7. as for kubeadm above.',
    '',
  ];
  return wrapMarkdownLines(lines).join('\n');
}
