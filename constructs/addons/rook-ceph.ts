import { Construct } from 'constructs';
import { Labels } from '../core/labels';
import { TaintSpec, tolerationOf } from '../core/taint';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import cephCsiDriversKeys from './chart-values/ceph-csi-drivers.keys.json';
import rookCephClusterKeys from './chart-values/rook-ceph-cluster.keys.json';
import rookCephKeys from './chart-values/rook-ceph.keys.json';
import { ChartImages } from './chart-images';
import { PRIVILEGED_NAMESPACE } from './cni';
import { HelmAddon } from './helm-addon';

/** The namespace of the operator, the CSI drivers and the Ceph cluster, and the prefix of the drivers' names. */
export const ROOK_NAMESPACE = 'rook-ceph';

/** The CSI drivers' names, which the StorageClasses name as provisioners. */
export const CEPH_PROVISIONERS = { block: `${ROOK_NAMESPACE}.rbd.csi.ceph.com`, filesystem: `${ROOK_NAMESPACE}.cephfs.csi.ceph.com` } as const;

/** A StorageClass served by Ceph. */
export interface CephClass {
  readonly name: string;
  /** @default 'Delete' */
  readonly reclaimPolicy?: 'Delete' | 'Retain';
  /** Whether it is the cluster's default class. */
  readonly isDefault: boolean;
}

/** The node pool whose nodes hold the Ceph cluster. */
export interface CephPool {
  readonly name: string;
  /** The pool's node names: each one's disks become OSDs. */
  readonly nodes: readonly string[];
  /** The pool's taints, which the Ceph daemons tolerate. */
  readonly taints: readonly TaintSpec[];
}

export interface RookCephProps {
  readonly pool: CephPool;
  /**
   * Which disks of the pool's nodes become OSDs: a regular expression of device names, such as `^nvme[0-9]n1$`.
   * @default every disk without a partition or filesystem
   */
  readonly deviceFilter?: string;
  /** Copies of every object, each on another node. */
  readonly replicas: number;
  /** Block volumes (RBD): one pool and StorageClass each. */
  readonly blockClasses: readonly CephClass[];
  /** Shared filesystem volumes (CephFS): one filesystem and StorageClass each. */
  readonly filesystemClasses: readonly CephClass[];
  /**
   * The one registry every image of the releases is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** The Prometheus stack, whose CRDs the cluster's ServiceMonitor and alert rules need. */
  readonly monitoring: HelmAddon;
  /** Add-ons to install first, such as the pod network. */
  readonly dependsOn?: readonly HelmAddon[];
}

/** The Secrets Rook creates for the CSI drivers, which a class names for each operation. */
function csiSecrets(driver: 'rbd' | 'cephfs'): Record<string, string> {
  const provisioner = `rook-csi-${driver}-provisioner`;
  const node = `rook-csi-${driver}-node`;
  return Object.fromEntries([
    ['provisioner', provisioner], ['controller-expand', provisioner], ['controller-publish', provisioner], ['node-stage', node],
  ].flatMap(([operation, secret]) => [
    [`csi.storage.k8s.io/${operation}-secret-name`, secret],
    [`csi.storage.k8s.io/${operation}-secret-namespace`, ROOK_NAMESPACE],
  ]));
}

/**
 * Ceph through Rook, in the order Rook 1.20 installs it: the operator (with
 * the Ceph-CSI operator), the Ceph-CSI drivers, then the cluster with its
 * block pools, filesystems and StorageClasses. Monitors, managers and OSDs
 * run on the storage pool only (its label required, its taints tolerated),
 * every object replicated on as many nodes; the CSI node plugins run on
 * every node, whatever its taints, so that any pod can mount a volume.
 */
export class RookCeph extends Construct {
  public readonly operator: HelmAddon;
  public readonly csiDrivers: HelmAddon;
  public readonly cluster: HelmAddon;

  constructor(scope: Construct, id: string, props: RookCephProps) {
    super(scope, id);
    const placement = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: Labels.NODE_POOL, operator: 'In', values: [props.pool.name] }] }],
        },
      },
      tolerations: props.pool.taints.map(tolerationOf),
    };
    const replicated = { replicated: { size: props.replicas } };

    this.operator = new HelmAddon(this, 'operator', {
      chart: Versions.charts.rookCeph,
      releaseName: 'rook-ceph',
      namespace: ROOK_NAMESPACE,
      // OSDs and the CSI node plugins use the host's devices and paths.
      namespaceLabels: PRIVILEGED_NAMESPACE,
      systemCriticalNamespaces: [ROOK_NAMESPACE],
      values: { csi: { installCsiOperator: true }, priorityClassName: 'system-cluster-critical' },
      imageRegistry: props.imageRegistry,
      images: ChartImages.rookCeph,
      valueKeys: rookCephKeys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });

    const driverSpec = {
      snapshotPolicy: 'none',
      nodePlugin: { priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists' }] },
      controllerPlugin: { priorityClassName: 'system-cluster-critical' },
    };
    this.csiDrivers = new HelmAddon(this, 'csi-drivers', {
      chart: Versions.charts.cephCsiDrivers,
      releaseName: 'ceph-csi-drivers',
      namespace: ROOK_NAMESPACE,
      // The CSI operator runs the drivers' plugins there.
      systemCriticalNamespaces: [ROOK_NAMESPACE],
      // As Rook's values for this chart set them, with the node plugins on every node.
      values: {
        operatorConfig: {
          namespace: ROOK_NAMESPACE,
          driverSpecDefaults: {
            imageSet: { name: 'rook-csi-operator-image-set-configmap' },
            ...driverSpec,
          },
        },
        // Each driver restates what matters: the chart gives every Driver its own (empty) tolerations, and a
        // Driver's fields win over the OperatorConfig's defaults. No snapshots: nothing installs their CRDs.
        drivers: {
          rbd: { enabled: props.blockClasses.length > 0, name: CEPH_PROVISIONERS.block, ...driverSpec },
          cephfs: { enabled: props.filesystemClasses.length > 0, name: CEPH_PROVISIONERS.filesystem, ...driverSpec },
          nfs: { enabled: false, name: `${ROOK_NAMESPACE}.nfs.csi.ceph.com` },
          nvmeof: { enabled: false, name: `${ROOK_NAMESPACE}.nvmeof.csi.ceph.com` },
        },
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.cephCsiDrivers,
      valueKeys: cephCsiDriversKeys as ChartValueKeys,
      dependsOn: [this.operator],
    });

    const storageClass = (cephClass: CephClass, parameters: ChartValues) => ({
      enabled: true,
      name: cephClass.name,
      isDefault: cephClass.isDefault,
      reclaimPolicy: cephClass.reclaimPolicy ?? 'Delete',
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
      parameters,
    });
    this.cluster = new HelmAddon(this, 'cluster', {
      chart: Versions.charts.rookCephCluster,
      releaseName: 'rook-ceph-cluster',
      namespace: ROOK_NAMESPACE,
      namespaceLabels: PRIVILEGED_NAMESPACE,
      // Rook runs the Ceph daemons there (the metadata servers at system-cluster-critical).
      systemCriticalNamespaces: [ROOK_NAMESPACE],
      values: {
        operatorNamespace: ROOK_NAMESPACE,
        toolbox: { enabled: false },
        // A ServiceMonitor and Ceph's own alert rules, for the cluster's Prometheus.
        monitoring: { enabled: true, createPrometheusRules: true },
        cephClusterSpec: {
          mon: { count: 3, allowMultiplePerNode: false },
          mgr: { count: 2, allowMultiplePerNode: false },
          storage: {
            useAllNodes: false,
            useAllDevices: props.deviceFilter === undefined,
            ...props.deviceFilter === undefined ? {} : { deviceFilter: props.deviceFilter },
            nodes: props.pool.nodes.map(name => ({ name })),
          },
          placement: { all: placement },
        },
        cephBlockPools: props.blockClasses.map(cephClass => ({
          name: cephClass.name,
          spec: { failureDomain: 'host', ...replicated },
          storageClass: storageClass(cephClass, { 'imageFormat': '2', 'imageFeatures': 'layering', ...csiSecrets('rbd'), 'csi.storage.k8s.io/fstype': 'ext4' }),
        })),
        cephFileSystems: props.filesystemClasses.map(cephClass => ({
          name: cephClass.name,
          spec: {
            metadataPool: replicated,
            dataPools: [{ name: 'data0', failureDomain: 'host', ...replicated }],
            metadataServer: { activeCount: 1, activeStandby: true, priorityClassName: 'system-cluster-critical', placement },
          },
          storageClass: { ...storageClass(cephClass, { ...csiSecrets('cephfs'), 'csi.storage.k8s.io/fstype': 'ext4' }), pool: 'data0' },
        })),
        cephObjectStores: [],
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.rookCephCluster,
      valueKeys: rookCephClusterKeys as ChartValueKeys,
      dependsOn: [this.operator, this.csiDrivers, props.monitoring],
    });
  }

  /** The three releases, in install order. */
  public get addons(): HelmAddon[] {
    return [this.operator, this.csiDrivers, this.cluster];
  }
}
