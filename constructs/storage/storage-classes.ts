import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks } from '../core/checks';
import { Labels } from '../core/labels';
import { isDns1123Subdomain } from '../core/names';
import { LOCAL_PATH_PROVISIONER } from './local-path-provisioner';

/** The CSI driver of the NFS CSI driver add-on, which provisions the `nfs` classes. */
export const NFS_PROVISIONER = 'nfs.csi.k8s.io';

/** An NFS export whose subdirectories become volumes. */
export interface NfsExport {
  /** The server's DNS name or address. */
  readonly server: string;
  /** The exported path, such as `/exports/k8s`. */
  readonly share: string;
  /**
   * Options of every mount.
   * @default ['nfsvers=4.1']
   */
  readonly mountOptions?: readonly string[];
}

/** Node-local volumes. */
export interface LocalPathOptions {
  /**
   * The directory on every node under which volumes are created.
   * @default '/opt/local-path-provisioner'
   */
  readonly path?: string;
}

/** A StorageClass of the cluster and what provides it. */
export interface StorageClassSpec {
  /** The class's name, which PVCs, quotas, Prometheus and Alertmanager refer to. */
  readonly name: string;
  /**
   * What provisions its volumes: `local-path`, a directory on the node the first pod runs on (Rancher's
   * local-path provisioner, which the model installs; for small clusters and scratch data, as the volume
   * is lost with its node); `nfs`, subdirectories of an NFS export through the NFS CSI driver (an add-on
   * the model installs); `ceph-block` (RBD images, one pod at a time) and `ceph-filesystem` (CephFS,
   * shared by many pods), from the Ceph cluster of `storage.ceph`, which Rook installs; `external`, a
   * provisioner installed outside the model, such as a cloud's or a storage array's CSI driver, whose
   * class must exist before the add-ons: an external prerequisite.
   */
  readonly provisioner: StorageProvisioner;
  /** The NFS export; with provisioner `nfs` only. */
  readonly nfs?: NfsExport;
  /** Where on the nodes; with provisioner `local-path` only. */
  readonly localPath?: LocalPathOptions;
  /**
   * What becomes of a volume when its claim is deleted.
   * @default 'Delete'
   */
  readonly reclaimPolicy?: 'Delete' | 'Retain';
}

/** What provisions a StorageClass's volumes. */
export type StorageProvisioner = 'local-path' | 'nfs' | 'ceph-block' | 'ceph-filesystem' | 'external';
export const STORAGE_PROVISIONERS: readonly StorageProvisioner[] = ['local-path', 'nfs', 'ceph-block', 'ceph-filesystem', 'external'];

/** A Ceph cluster on a node pool of its own, which Rook installs and the `ceph-*` classes use. */
export interface CephSpec {
  /** The node pool whose nodes run Ceph: their disks become OSDs; monitors and managers run there too. */
  readonly nodePool: string;
  /**
   * Which disks become OSDs: a regular expression of device names, such as `^nvme[0-9]n1$`.
   * @default every disk of those nodes without a partition or filesystem
   */
  readonly deviceFilter?: string;
  /**
   * Copies of every object, each on another node of the pool.
   * @default 3
   */
  readonly replicas?: number;
}

/** The cluster's storage: its StorageClasses and which one a claim without a class gets. */
export interface StorageSpec {
  readonly classes: readonly StorageClassSpec[];
  /**
   * The Ceph cluster of the `ceph-block` and `ceph-filesystem` classes.
   * @default none
   */
  readonly ceph?: CephSpec;
  /**
   * The class of claims that name none (`storageclass.kubernetes.io/is-default-class`).
   * @default none: a claim without a class stays Pending
   */
  readonly defaultClass?: string;
}

export interface StorageClassesProps {
  readonly storage: StorageSpec;
}

/**
 * The StorageClasses the model provides (those of `external` provisioners
 * exist already), each annotated as the default when it is. NFS volumes bind
 * at once: any node can mount them.
 */
export class StorageClasses extends Construct {
  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    const defaultClass = props.storage.defaultClass;
    storageClassesOf(props).forEach((storageClass, index) => {
      const metadata = {
        name: storageClass.name,
        labels: { [Labels.MANAGED_BY]: 'prodk8s' },
        ...storageClass.name === defaultClass ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {},
      };
      if (storageClass.provisioner === 'local-path') {
        // Bound where the first pod is scheduled: the volume is a directory on that node. Its size is not enforced.
        new k8s.KubeStorageClass(this, String(index), {
          metadata, provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: storageClass.reclaimPolicy ?? 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
        });
      }
      if (storageClass.provisioner !== 'nfs' || !storageClass.nfs) return;
      new k8s.KubeStorageClass(this, String(index), {
        metadata,
        provisioner: NFS_PROVISIONER,
        parameters: { server: storageClass.nfs.server, share: storageClass.nfs.share },
        reclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
        volumeBindingMode: 'Immediate',
        allowVolumeExpansion: true,
        mountOptions: [...storageClass.nfs.mountOptions ?? ['nfsvers=4.1']],
      });
    });
  }
}

/** The classes of a cluster's storage spec; none when it has no list (which its checks report). */
export function storageClassesOf(spec: { readonly storage?: StorageSpec }): readonly StorageClassSpec[] {
  return Array.isArray(spec.storage?.classes) ? spec.storage.classes : [];
}

/** The rules of a storage spec: unique valid names, the fields of each provisioner, a default that exists. */
export function checkStorage(checks: Checks, storage: StorageSpec | undefined): void {
  if (storage === undefined) return;
  if (!Array.isArray(storage.classes)) {
    checks.fail('storage.classes', storage.classes, 'must be a list of StorageClasses, such as [{ name: \'nfs\', provisioner: \'nfs\', nfs: { … } }]');
    return;
  }
  const names = new Set<string>();
  storage.classes.forEach((storageClass, index) => {
    const field = `storage.classes[${index}]`;
    checks.expect(isDns1123Subdomain(storageClass.name), `${field}.name`, storageClass.name, 'must be a DNS-1123 subdomain, as object names are');
    checks.expect(!names.has(storageClass.name), `${field}.name`, storageClass.name, 'StorageClass names must be unique');
    names.add(storageClass.name);
    checks.oneOf(`${field}.provisioner`, storageClass.provisioner, STORAGE_PROVISIONERS);
    if (storageClass.provisioner?.startsWith('ceph-')) {
      checks.expect(storage.ceph !== undefined, `${field}.provisioner`, storageClass.provisioner, 'needs storage.ceph, the Ceph cluster it comes from');
    }
    checks.oneOf(`${field}.reclaimPolicy`, storageClass.reclaimPolicy, ['Delete', 'Retain']);
    if (storageClass.provisioner === 'nfs') {
      const nfs = storageClass.nfs;
      checks.expect(nfs !== undefined && typeof nfs.server === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(nfs.server), `${field}.nfs.server`, nfs?.server,
        'must be the NFS server\'s DNS name or address');
      checks.expect(nfs !== undefined && typeof nfs.share === 'string' && /^\/[^\s,]*$/.test(nfs.share), `${field}.nfs.share`, nfs?.share,
        'must be the exported path, absolute, such as /exports/k8s');
    } else {
      checks.expect(storageClass.nfs === undefined, `${field}.nfs`, storageClass.nfs, `is for provisioner "nfs" only`);
    }
    if (storageClass.provisioner === 'local-path') {
      const path = storageClass.localPath?.path;
      if (path !== undefined) {
        checks.expect(typeof path === 'string' && /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(path) && !path.split('/').includes('..'), `${field}.localPath.path`, path,
          'must be an absolute directory such as /var/lib/local-volumes, of letters, digits, ., _, - and /');
      }
    } else {
      checks.expect(storageClass.localPath === undefined, `${field}.localPath`, storageClass.localPath, 'is for provisioner "local-path" only');
    }
  });
  const localPathClasses = storage.classes.filter(storageClass => storageClass.provisioner === 'local-path');
  checks.expect(localPathClasses.length <= 1, 'storage.classes', localPathClasses.map(storageClass => storageClass.name).join(', '),
    'may hold one class of provisioner "local-path": its one provisioner has one directory per node');
  if (storage.ceph !== undefined) {
    checks.expect(storage.classes.some(storageClass => storageClass.provisioner?.startsWith('ceph-')), 'storage.ceph', storage.ceph.nodePool,
      'no class of provisioner ceph-block or ceph-filesystem uses it: a Ceph cluster no volume comes from');
    const replicas = storage.ceph.replicas;
    if (replicas !== undefined) checks.expect(Number.isInteger(replicas) && replicas >= 2, 'storage.ceph.replicas', replicas, 'must be a whole number, 2 or more: one copy is lost with its disk');
    const filter = storage.ceph.deviceFilter;
    if (filter !== undefined) {
      let valid = typeof filter === 'string' && filter.length > 0;
      try {
        if (valid) new RegExp(filter);
      } catch {
        valid = false;
      }
      checks.expect(valid, 'storage.ceph.deviceFilter', filter, 'must be a regular expression of device names, such as ^nvme[0-9]n1$');
    }
  }
  if (storage.defaultClass !== undefined) {
    checks.expect(names.has(storage.defaultClass), 'storage.defaultClass', storage.defaultClass, 'must be one of storage.classes');
  }
}
