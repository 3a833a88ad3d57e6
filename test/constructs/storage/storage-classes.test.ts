import { Testing } from 'cdk8s';
import { ClusterSpec, ProductionCluster, StorageSpec } from '../../../constructs';
import { prod } from '../../../src/environments';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';
import { helmTemplate } from '../../helpers/helm';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';

// Every volume the model asks for has a StorageClass, provided by the model or declared external.
jest.setTimeout(60_000);

const NFS: StorageSpec = { classes: [{ name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs.internal', share: '/exports/k8s' } }], defaultClass: 'nfs' };
const problems = (overrides: Partial<ClusterSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));

describe('an NFS StorageClass', () => {
  const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ storage: NFS })));
  const cluster = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ storage: NFS }));

  test('is rendered for the NFS CSI driver, as the default class, valid to the Kubernetes schema', () => {
    const storageClass = findObject(objects, 'StorageClass', 'nfs');
    expect(schemaError(storageClass)).toBeUndefined();
    expect(storageClass).toMatchObject({
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'nfs.csi.k8s.io', parameters: { server: 'nfs.internal', share: '/exports/k8s' },
      reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', mountOptions: ['nfsvers=4.1'],
    });
  });

  test('brings the driver, whose chart renders its controller and a node plugin on every node, and no class of its own', () => {
    const release = cluster.addonSet.nfsCsiDriver!.release;
    const rendered = helmTemplate(release, '1.36.4');
    const driver = rendered.find(o => o.kind === 'CSIDriver')!;
    expect(driver.metadata.name).toBe('nfs.csi.k8s.io');
    expect(rendered.find(o => o.kind === 'DaemonSet')!.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(namesOf(rendered as any, 'Deployment')).toEqual(['csi-nfs-controller']);
    expect(rendered.some(o => ['StorageClass', 'VolumeSnapshotClass', 'CustomResourceDefinition'].includes(o.kind))).toBe(false);
    const controller = rendered.find(o => o.kind === 'Deployment')!.spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(controller).not.toContain('csi-snapshotter');
  });

  test('is not installed without an nfs class', () => {
    expect(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec()).addonSet.nfsCsiDriver).toBeUndefined();
    const external = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ storage: { classes: [{ name: 'san', provisioner: 'external' }] } }));
    expect(external.addonSet.nfsCsiDriver).toBeUndefined();
    expect(namesOf(synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ storage: { classes: [{ name: 'san', provisioner: 'external' }] } }))), 'StorageClass')).toEqual([]);
  });
});

describe('quotas per StorageClass', () => {
  test('are ResourceQuota entries of the class, within the tenant\'s totals', () => {
    const tenant = tenantSpec({ quota: {
      requests: { cpu: '2', memory: '4Gi' }, pods: 20, persistentVolumeClaims: 6, storage: '200Gi',
      storageClasses: { nfs: { storage: '50Gi', persistentVolumeClaims: 2 } },
    } });
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ storage: NFS, tenants: [tenant] })));
    expect(findObject(objects, 'ResourceQuota', 'objects', 'team-a').spec.hard).toMatchObject({
      'requests.storage': '200Gi', 'persistentvolumeclaims': '6',
      'nfs.storageclass.storage.k8s.io/requests.storage': '50Gi', 'nfs.storageclass.storage.k8s.io/persistentvolumeclaims': '2',
    });
  });
});

describe('references without a provider', () => {
  test('prod\'s monitoring volumes and tenant storage all have a class', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', prod))).toEqual([]);
    expect(prod.storage!.classes.map(c => c.name)).toContain(prod.addons!.monitoring!.prometheus!.storage!.storageClassName);
  });

  test('a class nothing provides, an unset default, and storage quotas without classes are refused', () => {
    const monitoring = {
      prometheus: { storage: { size: '50Gi', storageClassName: 'fast-ssd' } },
      alertmanager: { storage: { size: '1Gi' } },
    };
    const tenant = tenantSpec({ quota: { requests: { cpu: '2', memory: '4Gi' }, pods: 20, storage: '10Gi', storageClasses: { ssd: { storage: '20Gi' } } } });
    expect(problems({ addons: { monitoring }, tenants: [tenant], storage: { classes: [NFS.classes[0]] } })).toEqual([
      '[test/cluster] addons.monitoring.prometheus.storage.storageClassName = "fast-ssd": must be one of storage.classes (nfs): its pods would stay Pending',
      '[test/cluster] addons.monitoring.alertmanager.storage = "1Gi": names no storageClassName and storage.defaultClass is not set: its pods would stay Pending',
      '[test/cluster] tenants[0].quota.storageClasses = "ssd": must be one of storage.classes (nfs)',
      '[test/cluster] tenants[0].quota.storageClasses.ssd.storage = "20Gi": must be within quota.storage (10Gi): the tenant\'s total caps every class',
    ]);
    const withoutClasses = tenantSpec({ quota: { requests: { cpu: '2', memory: '4Gi' }, pods: 20, persistentVolumeClaims: 2, storage: '10Gi' } });
    expect(problems({ tenants: [withoutClasses] })).toEqual([
      '[test/cluster] tenants[0].quota.storage = "10Gi": grants storage, but the cluster has no default StorageClass and the quota no storageClasses: '
      + 'the tenant\'s claims would stay Pending',
    ]);
  });

  test('a storage spec breaking its own rules is refused, field by field', () => {
    expect(problems({ storage: {
      classes: [
        { name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs internal', share: 'exports' } },
        { name: 'nfs', provisioner: 'external', nfs: { server: 'x', share: '/y' } },
        { name: 'Fast_SSD', provisioner: 'ceph' as 'external', reclaimPolicy: 'Recycle' as 'Delete' },
      ],
      defaultClass: 'standard',
    }, addons: {} })).toEqual([
      '[test/cluster] storage.classes[0].nfs.server = "nfs internal": must be the NFS server\'s DNS name or address',
      '[test/cluster] storage.classes[0].nfs.share = "exports": must be the exported path, absolute, such as /exports/k8s',
      '[test/cluster] storage.classes[1].name = "nfs": StorageClass names must be unique',
      '[test/cluster] storage.classes[1].nfs = {"server":"x","share":"/y"}: is for provisioner "nfs" only',
      '[test/cluster] storage.classes[2].name = "Fast_SSD": must be a DNS-1123 subdomain, as object names are',
      '[test/cluster] storage.classes[2].provisioner = "ceph": must be one of "local-path", "nfs", "ceph-block", "ceph-filesystem", "external"',
      '[test/cluster] storage.classes[2].reclaimPolicy = "Recycle": must be one of "Delete", "Retain"',
      '[test/cluster] storage.defaultClass = "standard": must be one of storage.classes',
    ]);
  });

  test('per-class budgets are held to the quota\'s totals, defaults included', () => {
    const tenant = tenantSpec({ quota: {
      requests: { cpu: '2', memory: '4Gi' }, pods: 20,
      storageClasses: { nfs: { storage: '100Gi', persistentVolumeClaims: 5 } },
    } });
    expect(problems({ storage: NFS, tenants: [tenant] })).toEqual([
      '[test/cluster] tenants[0].quota.storageClasses.nfs.storage = "100Gi": must be within quota.storage (0, its default): the tenant\'s total caps every class',
      '[test/cluster] tenants[0].quota.storageClasses.nfs.persistentVolumeClaims = 5: must be within quota.persistentVolumeClaims (0, its default)',
    ]);
  });
});

describe('storage input from plain JavaScript or JSON', () => {
  const problems = (overrides: Record<string, unknown>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides as Partial<ClusterSpec>)));

  test('is refused field by field, never with a TypeError', () => {
    expect(problems({ storage: { defaultClass: 'nfs' }, addons: {} })).toEqual([
      '[test/cluster] storage.classes = (missing): must be a list of StorageClasses, such as [{ name: \'nfs\', provisioner: \'nfs\', nfs: { … } }]',
    ]);
    const quota = (storageClasses: unknown) => ({ requests: { cpu: '2', memory: '4Gi' }, pods: 20, storage: '10Gi', storageClasses });
    expect(problems({ storage: NFS, tenants: [tenantSpec({ quota: quota({ nfs: null }) as any })] })).toEqual([
      '[test/cluster] tenants[0].quota.storageClasses.nfs = null: must be a budget such as { storage: \'100Gi\', persistentVolumeClaims: 4 }',
    ]);
    expect(problems({ storage: NFS, tenants: [tenantSpec({ quota: quota('nfs') as any })] })).toEqual([
      '[test/cluster] tenants[0].quota.storageClasses = "nfs": must map StorageClass names to budgets, such as { nfs: { storage: \'100Gi\' } }',
    ]);
    expect(problems({ storage: NFS, tenants: [tenantSpec({ quota: quota({ nfs: {} }) as any })] })).toEqual([
      '[test/cluster] tenants[0].quota.storageClasses.nfs.storage = (missing): must be the storage its claims of the class may request, such as 100Gi',
    ]);
  });

  test('an extended-resource list or a registry of the wrong type is refused, not a crash', () => {
    expect(problems({ externalExtendedResources: 'amd.com/gpu' })).toEqual([
      '[test/cluster] externalExtendedResources = "amd.com/gpu": must be a list of extended resource names, such as ["example.com/fpga"]',
    ]);
    const workload = { name: 'api', image: 'ghcr.io/example/api:1.0.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } };
    expect(problems({ images: { registry: 5000 }, tenants: [tenantSpec({ workloads: [workload] })] })).toEqual([
      expect.stringMatching(/^\[test\/cluster\] images.registry = "5000": must be a registry host/),
    ]);
  });
});
