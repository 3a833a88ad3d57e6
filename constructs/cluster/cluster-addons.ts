import { Construct } from 'constructs';
import { Calico, Flannel } from '../addons/cni';
import { HelmAddon } from '../addons/helm-addon';
import { KubePrometheusStack } from '../addons/kube-prometheus-stack';
import { KubeletCsrApprover } from '../addons/kubelet-csr-approver';
import { LogLabelSource } from '../addons/log-labels';
import { LogPipeline } from '../addons/log-pipeline';
import { MetricsServer } from '../addons/metrics-server';
import { NodeProblemDetector } from '../addons/node-problem-detector';
import { NodeProblemTaints } from '../addons/node-problem-taints';
import { NfsCsiDriver } from '../addons/nfs-csi-driver';
import { NvidiaDevicePlugin } from '../addons/nvidia-device-plugin';
import { RookCeph } from '../addons/rook-ceph';
import { isImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { NginxEntry } from '../entry/nginx-entry';
import { AUDIT_LOG_HOST_FILE } from '../nodes/api-server-hardening';
import { NODE_EXPORTER_TEXTFILE_DIRECTORY } from '../nodes/certificate-lifecycle';
import { ControlPlane } from '../nodes/control-plane';
import { NodePool } from '../nodes/node-pool';
import { NVIDIA_GPU } from '../nodes/node-sku';
import { storageClassesOf } from '../storage/storage-classes';
import { ClusterSpec, EntryNodePorts } from './cluster-spec';

/** Where the entry's Service listens on every node when the spec names no NodePorts. */
export const DEFAULT_ENTRY_NODE_PORTS: EntryNodePorts = { http: 30080, https: 30443 };

export interface ClusterAddonsProps {
  readonly spec: ClusterSpec;
  readonly controlPlane: ControlPlane;
  readonly nodePools: readonly NodePool[];
  readonly entryNamespace: string;
  /** The tenants' names, read at synth: a tenant owns the namespace of its name. */
  readonly tenantNames: () => readonly string[];
}

/**
 * The cluster's add-ons, each a pinned Helm release, in install order: the
 * pod network first (nothing schedules without it), then the Prometheus
 * stack (its CRDs before any ServiceMonitor), then everything else.
 */
export class ClusterAddons extends Construct {
  /** Every release, each after the ones it depends on. */
  public readonly all: readonly HelmAddon[];
  public readonly network: readonly HelmAddon[];
  public readonly monitoring: KubePrometheusStack;
  /** The approver of the kubelets' serving certificates. */
  public readonly kubeletCsrApprover: KubeletCsrApprover;
  /** metrics-server, unless the spec turns it off. */
  public readonly metricsServer?: MetricsServer;
  public readonly nodeProblemDetector: NodeProblemDetector;
  /** The NGINX entry on the entry pool; none without a pool of role `entry`. */
  public readonly entry?: NginxEntry;
  /** The device plugin of the GPU pools; none without a pool declaring `nvidia.com/gpu`. */
  public readonly nvidiaDevicePlugin?: NvidiaDevicePlugin;
  /** Ceph through Rook; none without `storage.ceph`. */
  public readonly rookCeph?: RookCeph;
  /** The NFS CSI driver; none without a StorageClass of provisioner `nfs`. */
  public readonly nfsCsiDriver?: NfsCsiDriver;
  /** The taints of node problems; none unless the spec asks for them. */
  public readonly nodeProblemTaints?: NodeProblemTaints;
  /** The log store and agents; none without `addons.logging`. */
  public readonly logging?: LogPipeline;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const { spec, controlPlane } = props;
    // An invalid registry is reported once, by the cluster's node layer, not again by every add-on.
    const imageRegistry = isImageRegistry(spec.images?.registry) ? spec.images.registry : undefined;
    const cni = spec.cni ?? { plugin: 'calico' };
    const podCidr = spec.networking.podCidr;
    this.network = cni.plugin === 'flannel'
      ? new Flannel(this, 'cni', { podCidr, backend: cni.flannelBackend, mtu: cni.mtu, imageRegistry, rawValues: cni.rawValues }).addons
      : new Calico(this, 'cni', {
        podCidr, encapsulation: cni.calicoEncapsulation, bgp: cni.calicoBgp, natOutgoing: cni.natOutgoing,
        blockSize: cni.blockSize, mtu: cni.mtu, imageRegistry, rawValues: cni.rawValues,
      }).addons;
    const network = this.network[this.network.length - 1];
    const addons = spec.addons ?? {};

    this.monitoring = new KubePrometheusStack(this, 'monitoring', {
      ...addons.monitoring,
      imageRegistry,
      controlPlane: { externalEtcdAddresses: controlPlane.stackedEtcd ? [] : controlPlane.etcdHosts.map(host => host.address) },
      // The control plane's certificate renewal writes their end dates there.
      nodeTextfileDirectory: NODE_EXPORTER_TEXTFILE_DIRECTORY,
      dependsOn: [network],
    });
    const monitoring = this.monitoring.release;

    this.kubeletCsrApprover = new KubeletCsrApprover(this, 'kubelet-csr-approver', {
      hosts: [controlPlane.nodes, ...props.nodePools].flatMap(pool => pool.hosts),
      clusterDomain: spec.networking.dnsDomain ?? 'cluster.local',
      rawValues: addons.kubeletCsrApprover?.rawValues,
      imageRegistry,
      dependsOn: [network],
    });
    const approver = this.kubeletCsrApprover.release;

    const gpuPools = props.nodePools.filter(pool => pool.extendedResources.includes(NVIDIA_GPU));
    this.nvidiaDevicePlugin = gpuPools.length === 0 ? undefined : new NvidiaDevicePlugin(this, 'nvidia-device-plugin', {
      pools: gpuPools,
      imageRegistry,
      rawValues: addons.nvidiaDevicePlugin?.rawValues,
      dependsOn: [network],
    });

    const nfs = storageClassesOf(spec).some(storageClass => storageClass.provisioner === 'nfs');
    this.nfsCsiDriver = nfs ? new NfsCsiDriver(this, 'nfs-csi-driver', { imageRegistry, rawValues: addons.nfsCsiDriver?.rawValues, dependsOn: [network] }) : undefined;

    const ceph = spec.storage?.ceph;
    const cephPool = ceph && props.nodePools.find(pool => pool.name === ceph.nodePool);
    const cephClasses = (provisioner: string) => storageClassesOf(spec).filter(storageClass => storageClass.provisioner === provisioner)
      .map(storageClass => ({ name: storageClass.name, reclaimPolicy: storageClass.reclaimPolicy, isDefault: storageClass.name === spec.storage?.defaultClass }));
    // Without its pool (reported by the cluster's checks) there is nothing to place it on.
    this.rookCeph = ceph && cephPool ? new RookCeph(this, 'rook-ceph', {
      pool: { name: cephPool.name, nodes: cephPool.hosts.map(host => host.name), taints: cephPool.taints },
      deviceFilter: ceph.deviceFilter,
      replicas: ceph.replicas ?? 3,
      blockClasses: cephClasses('ceph-block'),
      filesystemClasses: cephClasses('ceph-filesystem'),
      imageRegistry,
      monitoring,
      dependsOn: [network],
    }) : undefined;

    const { enabled: metricsServerEnabled, ...metricsServer } = addons.metricsServer ?? {};
    this.metricsServer = metricsServerEnabled === false ? undefined : new MetricsServer(this, 'metrics-server', {
      ...metricsServer,
      replicas: metricsServer.replicas ?? (controlPlane.nodes.hosts.length > 1 ? 2 : 1),
      // The node layer always turns on serverTLSBootstrap.
      kubeletServingCertificates: true,
      imageRegistry,
      production: spec.production ?? false,
      // It reaches the kubelets through their serving certificates, which the approver lets them have.
      dependsOn: [network, approver],
    });

    this.nodeProblemDetector = new NodeProblemDetector(this, 'node-problem-detector', {
      ...addons.nodeProblemDetector,
      serviceMonitor: true,
      imageRegistry,
      dependsOn: [network, monitoring],
    });

    const npd = this.nodeProblemDetector;
    const taints = addons.nodeProblemTaints;
    this.nodeProblemTaints = taints && new NodeProblemTaints(this, 'node-problem-taints', {
      conditions: taints.conditions ?? npd.conditions.filter(c => c.severity === 'critical').map(c => c.type),
      knownConditions: npd.conditions.map(c => c.type),
      dryRun: taints.dryRun,
      imageRegistry,
      rawValues: taints.rawValues,
      dependsOn: [network],
    });

    const entrySpec = spec.entry;
    const entryPools = props.nodePools.filter(pool => pool.role === 'entry');
    const entryPool = entryPools[0];
    this.entry = entryPool && new NginxEntry(this, 'entry', {
      controller: entrySpec?.controller,
      namespace: props.entryNamespace,
      ingressClassName: entrySpec?.ingressClassName,
      kind: entrySpec?.kind,
      replicas: entrySpec?.replicas,
      entryNodes: {
        poolLabel: { [Labels.NODE_POOL]: entryPool.name },
        taints: entryPool.taints,
        count: entryPools.reduce((n, pool) => n + pool.hosts.length, 0),
      },
      exposure: { nodePorts: entrySpec?.nodePorts ?? DEFAULT_ENTRY_NODE_PORTS },
      resources: entrySpec?.resources,
      metrics: true,
      imageRegistry,
      rawValues: entrySpec?.rawValues,
      dependsOn: [network, monitoring],
    });

    const logging = addons.logging;
    const nodes = [controlPlane.nodes, ...props.nodePools];
    const labels = (): LogLabelSource => ({
      environment: spec.name,
      nodePools: new Map(nodes.flatMap(pool => pool.hosts.map(host => [host.name, pool.name] as const))),
      tenants: props.tenantNames(),
    });
    this.logging = logging && new LogPipeline(this, 'logging', {
      ...logging,
      labels,
      auditLogFile: AUDIT_LOG_HOST_FILE,
      clusterDomain: spec.networking.dnsDomain ?? 'cluster.local',
      monitoringNamespace: monitoring.namespace,
      imageRegistry,
      // Their ServiceMonitors need the Prometheus stack's CRDs.
      dependsOn: [network, monitoring],
    });
    if (this.logging) this.monitoring.addGrafanaDataSource(this.logging.dataSource);

    this.all = [
      ...this.network, approver, monitoring, ...this.metricsServer ? [this.metricsServer.release] : [], this.nodeProblemDetector.release,
      ...this.nvidiaDevicePlugin ? [this.nvidiaDevicePlugin.release] : [], ...this.nfsCsiDriver ? [this.nfsCsiDriver.release] : [],
      ...this.rookCeph ? this.rookCeph.addons : [],
      ...this.entry ? [this.entry.release] : [], ...this.nodeProblemTaints ? [this.nodeProblemTaints.release] : [],
      ...this.logging ? this.logging.addons : [],
    ];
  }

  /**
   * The namespaces the add-ons install into and those their operators create, with the labels they need, by
   * name; kube-system is left alone.
   */
  public get namespaces(): ReadonlyMap<string, Readonly<Record<string, string>>> {
    const namespaces = new Map<string, Record<string, string>>();
    for (const addon of this.all) {
      for (const [name, labels] of [[addon.namespace, addon.namespaceLabels] as const, ...Object.entries(addon.operatorNamespaces)]) {
        if (name !== 'kube-system') namespaces.set(name, { ...namespaces.get(name), ...labels });
      }
    }
    return namespaces;
  }

  /** Where the add-ons run pods at a system PriorityClass, in install order. */
  public get systemCriticalNamespaces(): readonly string[] {
    return [...new Set(this.all.flatMap(addon => addon.systemCriticalNamespaces))];
  }
}
