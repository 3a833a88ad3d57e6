import { Testing } from 'cdk8s';
import { CEPH_PROVISIONERS, ClusterSpec, ProductionCluster, tolerationOf } from '../../../constructs';
import { prod } from '../../../src/environments';
import { STORAGE_TAINT } from '../../../src/environments/shared';
import { clusterSpec, generalPool } from '../../fixtures/cluster-spec';
import { findChartFile, helmTemplate } from '../../helpers/helm';
import { problemsOf } from '../../helpers/objects';

// prod's Ceph, rendered by Rook's charts at the pinned version.
jest.setTimeout(120_000);

const cluster = new ProductionCluster(Testing.chart(), 'cluster', prod);
const rook = cluster.addonSet.rookCeph!;

describe('prod\'s Ceph cluster, rendered by rook-ceph-cluster', () => {
  let objects: Record<string, any>[];
  beforeAll(() => {
    objects = helmTemplate(rook.cluster, prod.kubernetesVersion);
  });
  const find = (kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name)!;

  test('runs on the storage pool only, using its NVMe disks, three monitors on three nodes', () => {
    const spec = find('CephCluster', 'rook-ceph').spec;
    expect(spec.storage).toEqual({
      useAllNodes: false, useAllDevices: false, deviceFilter: '^nvme[0-9]+n1$',
      nodes: [{ name: 'prod-storage-1' }, { name: 'prod-storage-2' }, { name: 'prod-storage-3' }],
    });
    expect(spec.placement.all).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'prodk8s.io/node-pool', operator: 'In', values: ['storage'] }] }] } },
      tolerations: [tolerationOf(STORAGE_TAINT)],
    });
    expect(spec.mon).toEqual({ count: 3, allowMultiplePerNode: false });
  });

  test('serves fast-ssd (block, the default) and shared-fs (CephFS), three copies on three nodes, through Rook\'s CSI drivers', () => {
    expect(find('CephBlockPool', 'fast-ssd').spec).toEqual({ failureDomain: 'host', replicated: { size: 3 } });
    const block = find('StorageClass', 'fast-ssd');
    expect(block).toMatchObject({ provisioner: CEPH_PROVISIONERS.block, parameters: { pool: 'fast-ssd', clusterID: 'rook-ceph' } });
    expect(block.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    const filesystem = find('StorageClass', 'shared-fs');
    expect(filesystem).toMatchObject({ provisioner: CEPH_PROVISIONERS.filesystem, parameters: { fsName: 'shared-fs', pool: 'shared-fs-data0' } });
    expect(filesystem.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false');
    expect(find('CephFilesystem', 'shared-fs').spec.dataPools).toEqual([{ name: 'data0', failureDomain: 'host', replicated: { size: 3 } }]);
    expect(find('CephFilesystem', 'shared-fs').spec.metadataServer.placement).toEqual(find('CephCluster', 'rook-ceph').spec.placement.all);
    // The Secrets the classes name are those Rook creates for the drivers, in its namespace.
    expect(block.parameters['csi.storage.k8s.io/node-stage-secret-name']).toBe('rook-csi-rbd-node');
    expect(filesystem.parameters['csi.storage.k8s.io/provisioner-secret-name']).toBe('rook-csi-cephfs-provisioner');
  });

  test('is installed after the operator, the CSI drivers and the Prometheus stack, whose CRDs its rules need', () => {
    expect(rook.cluster.dependsOn.map(a => a.releaseName)).toEqual(['rook-ceph', 'ceph-csi-drivers', 'kube-prometheus-stack']);
    expect(rook.csiDrivers.dependsOn.map(a => a.releaseName)).toEqual(['rook-ceph']);
    expect(objects.some(o => o.kind === 'PrometheusRule')).toBe(true);
  });
});

describe('the CSI drivers', () => {
  test('mount volumes on every node, whatever its taints, with the provisioner names the classes name', () => {
    const values = rook.csiDrivers.values as any;
    for (const driver of ['rbd', 'cephfs']) expect(values.drivers[driver].nodePlugin.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(values.drivers.rbd.name).toBe(CEPH_PROVISIONERS.block);
    expect(values.drivers.cephfs.name).toBe(CEPH_PROVISIONERS.filesystem);
  });

  // ../shared/charts does not hold ceph-csi-drivers 1.0.4 yet; rendered when it does (or from PRODK8S_EXTRA_CHARTS).
  (findChartFile(rook.csiDrivers) ? test : test.skip)('render Drivers whose node plugins tolerate every taint', () => {
    const drivers = helmTemplate(rook.csiDrivers, prod.kubernetesVersion).filter(o => o.kind === 'Driver');
    expect(drivers.map(d => d.metadata.name).sort()).toEqual([CEPH_PROVISIONERS.filesystem, CEPH_PROVISIONERS.block]);
    for (const driver of drivers) expect(driver.spec.nodePlugin.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('a Ceph spec that cannot work', () => {
  const storagePool = (count: number) => generalPool({ name: 'storage', count, firstAddress: '10.0.5.10', taints: [STORAGE_TAINT] });
  const problems = (overrides: Partial<ClusterSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));

  test('is refused: a class without the cluster, a cluster without a class, a missing or small pool, one copy, a bad filter', () => {
    expect(problems({ storage: { classes: [{ name: 'block', provisioner: 'ceph-block' }] } })).toEqual([
      '[test/cluster] storage.classes[0].provisioner = "ceph-block": needs storage.ceph, the Ceph cluster it comes from',
    ]);
    expect(problems({ nodePools: [generalPool(), storagePool(3)], storage: { classes: [], ceph: { nodePool: 'storage' } }, addons: {} })).toEqual([
      '[test/cluster] storage.ceph = "storage": no class of provisioner ceph-block or ceph-filesystem uses it: a Ceph cluster no volume comes from',
    ]);
    const block = [{ name: 'block', provisioner: 'ceph-block' as const }];
    expect(problems({ storage: { classes: block, ceph: { nodePool: 'disks' } } })).toEqual([
      '[test/cluster] storage.ceph.nodePool = "disks": must be one of nodePools (general, gpu)',
    ]);
    expect(problems({ nodePools: [generalPool(), storagePool(2)], storage: { classes: block, ceph: { nodePool: 'storage', replicas: 1, deviceFilter: '^nvme[' } } })).toEqual([
      '[test/cluster] storage.ceph.replicas = 1: must be a whole number, 2 or more: one copy is lost with its disk',
      '[test/cluster] storage.ceph.deviceFilter = "^nvme[": must be a regular expression of device names, such as ^nvme[0-9]n1$',
      '[test/cluster] storage.ceph.nodePool = "storage": has 2 node(s); Ceph needs 3: three monitors on different nodes, and 1 copies of every object on different nodes',
    ]);
  });
});
