import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as semver from 'semver';
import { isPlainObject } from '../addons/chart-values';
import { HelmAddon } from '../addons/helm-addon';
import { COUNTED_PROBLEMS } from '../addons/node-problem-detector';
import { RuleGroup } from '../monitoring/alert-rules';
import { nodePressureAlerts, nodeProblemAlerts } from '../monitoring/node-alerts';
import { tenancyAlerts } from '../monitoring/tenancy-alerts';
import { certificateAlerts } from '../monitoring/certificate-alerts';
import { Checks, validateWith } from '../core/checks';
import { Cidr } from '../core/cidr';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { Quantity } from '../core/quantity';
import { addWarning } from '../core/warnings';
import { capacityShortfalls, drainShortfalls, PoolSupply, TenantDemand } from '../nodes/capacity';
import { ControlPlane } from '../nodes/control-plane';
import { clusterPodCapacity, NodeLayer } from '../nodes/node-layer';
import { checkKubesprayVersion, checkNodeLayer } from '../nodes/node-layer-checks';
import { NodePool } from '../nodes/node-pool';
import { oidcPrefixes } from '../nodes/api-server-hardening';
import { NVIDIA_GPU } from '../nodes/node-sku';
import { DEFAULT_LOCAL_PATH, LocalPathProvisioner } from '../storage/local-path-provisioner';
import { checkStorage, StorageClasses, storageClassesOf } from '../storage/storage-classes';
import { NamespaceAdminRole } from '../tenancy/namespace-admin-role';
import { checkPodSecurity, isPodSecurityProfile } from '../tenancy/pod-security';
import { PriorityClasses } from '../tenancy/priority-classes';
import { SystemCriticalQuotas } from './system-critical-quotas';
import { checkOperations, OperationsAccess } from './operations-access';
import { checkEtcdBackup, ETCD_BACKUP_CREDENTIAL_KEYS, ETCD_BACKUP_NAMESPACE, EtcdBackup, resolvedEtcdBackup } from './etcd-backup';
import { etcdBackupAlerts } from '../monitoring/etcd-backup-alerts';
import { loggingAlerts } from '../monitoring/logging-alerts';
import { LOG_AGENT_NAME, LOG_AGENT_OUTPUT } from '../addons/log-agent';
import { LOG_STORE_CREDENTIAL_KEYS } from '../addons/log-store';
import { TenantRoutes } from '../entry/tenant-routes';
import { ArgoCdApplications, FluxReleases, GITOPS_NAMESPACES } from '../gitops/gitops-releases';
import { Tenant, TenantPlacement } from '../tenancy/tenant';
import { TenantWorkload } from '../tenancy/tenant-workload';
import { Versions } from '../versions';
import { ClusterAddons, DEFAULT_ENTRY_NODE_PORTS } from './cluster-addons';
import { ClusterSpec, TenantSpec } from './cluster-spec';
import { GRAFANA_ADMIN_KEYS, mergedPrerequisites, Prerequisite, TLS_SECRET_KEYS } from './prerequisites';
import { checkTerraformSpec, ResolvedBackend, resolvedBackend } from './terraform-backend';

/** Where external traffic enters when the spec names no entry. */
export const DEFAULT_ENTRY_NAMESPACE = 'nginx-entry';

/** Admission plugins that enforce a tenant's node pool pinning (namespace annotations). */
export const PINNING_ADMISSION_PLUGINS = ['PodNodeSelector', 'PodTolerationRestriction'] as const;

/** The extended resources the model's own device plugins advertise. */
const MODEL_DEVICE_PROVIDERS: readonly string[] = [NVIDIA_GPU];

/**
 * One environment's cluster: its control plane and node pools, its
 * PriorityClasses, the shared namespace-admin ClusterRole and a `Tenant` per
 * team, with the checks that span them (unique tenants, PriorityClasses and
 * node pools that exist, networks that do not overlap, a supported Kubernetes
 * version, tenant quotas that fit the pools they can land on).
 */
export class ProductionCluster extends Construct {
  /** The spec the cluster was built from. */
  public readonly spec: ClusterSpec;
  /** Every tenant, in the order added. */
  public readonly tenants: Tenant[] = [];

  /** The spec of every tenant, in the order added. */
  public readonly tenantSpecs: TenantSpec[] = [];
  private readonly tenantScope: Construct;
  private readonly adminRole: NamespaceAdminRole;
  /** The control plane nodes, endpoint and etcd. */
  public readonly controlPlane: ControlPlane;
  /** The worker pools, in spec order. */
  public readonly nodePools: readonly NodePool[];

  /** The add-ons, each a pinned Helm release. */
  public readonly addonSet: ClusterAddons;
  /** The on-call engineers' debugging access, when the spec names them. */
  public readonly operations?: OperationsAccess;

  private readonly priorityClasses: PriorityClasses;
  private alertCache?: { readonly tenants: number; readonly groups: readonly RuleGroup[] };
  private readonly poolsByName: ReadonlyMap<string, NodePool>;

  constructor(scope: Construct, id: string, spec: ClusterSpec) {
    super(scope, id);
    this.spec = spec;
    this.controlPlane = new ControlPlane(this, 'control-plane', { spec: spec.controlPlane, clusterName: spec.name });
    const pools = new Construct(this, 'node-pools');
    this.nodePools = spec.nodePools.map((pool, index) => new NodePool(pools, String(index), {
      ...pool, clusterName: spec.name, field: `nodePools[${index}]`,
    }));
    this.poolsByName = new Map(this.nodePools.map(pool => [pool.name, pool]));
    this.nodePools.forEach((pool, index) => {
      if (pool.hosts.length === 1) {
        addWarning(this, `nodePools[${index}] = "${pool.name}": one node; draining it stops every pod on it, so add a node where that matters`);
      }
    });
    if (spec.cni?.plugin === 'flannel' && spec.tenants.length > 0 && spec.cni.acceptUnenforcedNetworkPolicies === true) {
      addWarning(this, 'cni.plugin = "flannel": the tenants\' NetworkPolicies are written but not enforced '
        + '(cni.acceptUnenforcedNetworkPolicies), so tenants are not isolated from each other on the network');
    }
    if (this.nodeLayer.kubeProxy.mode === 'ipvs' && semver.valid(spec.kubernetesVersion) && semver.gte(spec.kubernetesVersion, '1.35.0')) {
      addWarning(this, 'kubeProxy.mode = "ipvs": deprecated since Kubernetes 1.35 and planned to be off by default in 1.40; prefer nftables');
    }
    this.addonSet = new ClusterAddons(this, 'addons', {
      spec, controlPlane: this.controlPlane, nodePools: this.nodePools, entryNamespace: this.entryNamespace,
      tenantNames: () => this.tenantSpecs.map(tenant => tenant.name),
    });
    if (!spec.addons?.logging) {
      addWarning(this, 'addons.logging is not set: logs live on the nodes only, rotated away and lost with evicted pods and replaced nodes');
    }
    this.renderAddonNamespaces();
    this.addonSet.monitoring.addRules(() => this.alertGroups);
    const gitops = spec.gitops ?? { engine: 'flux' };
    const GitOps = gitops.engine === 'argocd' ? ArgoCdApplications : FluxReleases;
    new GitOps(this, 'gitops', { addons: this.addons, namespace: gitops.namespace });
    this.priorityClasses = new PriorityClasses(this, 'priority-classes', { classes: spec.priorityClasses ?? [] });
    if (spec.storage) new StorageClasses(this, 'storage-classes', { storage: spec.storage });
    const localPath = storageClassesOf(spec).find(storageClass => storageClass.provisioner === 'local-path');
    if (localPath) new LocalPathProvisioner(this, 'local-path-provisioner', { path: localPath.localPath?.path ?? DEFAULT_LOCAL_PATH, imageRegistry: this.imageRegistry });
    if (spec.backups?.etcd) {
      new EtcdBackup(this, 'etcd-backup', {
        spec: spec.backups.etcd, environment: spec.name, kubernetesVersion: spec.kubernetesVersion,
        members: this.controlPlane.etcdHosts, stacked: this.controlPlane.stackedEtcd, imageRegistry: this.imageRegistry,
      });
    } else {
      addWarning(this, 'backups.etcd is not set: etcd is not backed up, so a lost control plane would lose the cluster\'s state');
    }
    if (spec.operations) {
      this.operations = new OperationsAccess(this, 'operations', { spec: spec.operations, environment: spec.name, imageRegistry: this.imageRegistry });
    }
    new SystemCriticalQuotas(this, 'system-critical-quotas', {
      // kube-system: the control plane's static pods, kube-proxy and CoreDNS.
      namespaces: ['kube-system', ...this.addonSet.systemCriticalNamespaces, ...localPath ? [LocalPathProvisioner.NAMESPACE] : []],
      clusterPods: clusterPodCapacity(this.nodeLayer),
    });
    this.adminRole = new NamespaceAdminRole(this, 'namespace-admin');
    this.tenantScope = new Construct(this, 'tenants');
    for (const tenant of spec.tenants) this.addTenant(tenant);
    validateWith(this, checks => this.checkModel(checks));
  }

  /** Namespace of the cluster's entry controller. */
  public get entryNamespace(): string {
    return this.spec.entry?.namespace ?? DEFAULT_ENTRY_NAMESPACE;
  }

  /** The environment's and cluster's name. */
  public get name(): string {
    return this.spec.name;
  }

  /** Where deployment tools find the cluster: a kubeconfig path and context, never a credential. */
  public get access(): { kubeconfigPath: string; kubeContext: string } {
    return { kubeconfigPath: this.spec.access?.kubeconfigPath ?? '~/.kube/config', kubeContext: this.spec.access?.kubeContext ?? this.spec.name };
  }

  /** Where Terraform keeps the state of the add-on releases, defaults filled in. */
  public get terraformBackend(): ResolvedBackend {
    return resolvedBackend(this.spec.terraform?.backend, this.spec.name, this.access);
  }

  /**
   * The alert rules derived from the model: the conditions node-problem-detector
   * sets, each pool's pressure and eviction thresholds, and the tenants' quotas.
   */
  public get alertGroups(): readonly RuleGroup[] {
    // Several renderers read them (the Prometheus stack's values, the rule file, the summary): computed once per
    // set of tenants, the one part of the model added after construction.
    if (this.alertCache?.tenants !== this.tenantSpecs.length) this.alertCache = { tenants: this.tenantSpecs.length, groups: this.deriveAlertGroups() };
    return this.alertCache.groups;
  }

  private deriveAlertGroups(): readonly RuleGroup[] {
    return [
      nodeProblemAlerts(this.addonSet.nodeProblemDetector.conditions, COUNTED_PROBLEMS, this.addonSet.nodeProblemTaints?.conditions ?? []),
      nodePressureAlerts([this.controlPlane.nodes, ...this.nodePools]),
      tenancyAlerts(this.tenantSpecs.map(tenant => tenant.name), this.spec.alerts?.quotaUsageShare),
      certificateAlerts(),
      ...this.spec.backups?.etcd ? [etcdBackupAlerts(resolvedEtcdBackup(this.spec.backups.etcd, this.spec.name))] : [],
      ...this.addonSet.logging ? [loggingAlerts({ namespace: this.addonSet.logging.agent.release.namespace, agent: LOG_AGENT_NAME, output: LOG_AGENT_OUTPUT })] : [],
    ];
  }

  /**
   * What the model refers to but does not create, to exist before it is installed: the Secrets of
   * Alertmanager's receivers, Grafana's admin and the routes' certificates (with the keys each must hold),
   * external StorageClasses and extended resources, an external API endpoint.
   */
  public get prerequisites(): readonly Prerequisite[] {
    const found: Prerequisite[] = [];
    const monitoring = this.addonSet.monitoring.release.namespace;
    const alertmanager = this.spec.addons?.monitoring?.alertmanager;
    if (alertmanager?.credentialsSecret) {
      const keys = (alertmanager.receivers ?? []).flatMap(r => [r.slack?.apiUrlKey, r.pagerDuty?.routingKeyKey, r.webhook?.urlKey]);
      found.push({
        kind: 'Secret', name: alertmanager.credentialsSecret, namespace: monitoring,
        holds: keys.filter((key): key is string => key !== undefined), usedBy: 'addons.monitoring.alertmanager.receivers',
      });
    }
    const grafana = this.spec.addons?.monitoring?.grafana;
    if (grafana) found.push({ kind: 'Secret', name: grafana.adminSecret, namespace: monitoring, holds: [...GRAFANA_ADMIN_KEYS], usedBy: 'addons.monitoring.grafana' });
    this.tenantSpecs.forEach(tenant => (tenant.routes ?? []).forEach(route => {
      if (route.tls) found.push({ kind: 'Secret', name: route.tls.secretName, namespace: tenant.name, holds: [...TLS_SECRET_KEYS], usedBy: `the routes of ${route.host}` });
      found.push({ kind: 'DNS name', name: route.host, holds: ['resolves to the load balancer in front of the entry nodes'], usedBy: `the routes of tenant ${tenant.name}` });
    }));
    // The entry listens on NodePorts of its nodes: something in front takes ports 80 and 443 to them.
    const entryPools = this.nodePools.filter(pool => pool.role === 'entry');
    if (this.tenantSpecs.some(tenant => (tenant.routes ?? []).length > 0) && entryPools.length > 0) {
      const ports = this.spec.entry?.nodePorts ?? DEFAULT_ENTRY_NODE_PORTS;
      found.push({
        kind: 'Load balancer', name: 'in front of the entry nodes', usedBy: 'the tenants\' routes',
        holds: [`TCP 80 to NodePort ${ports.http} and 443 to ${ports.https} of ${entryPools.flatMap(pool => pool.hosts.map(host => host.address)).join(', ')}`],
      });
    }
    for (const storageClass of storageClassesOf(this.spec)) {
      const isDefault = storageClass.name === this.spec.storage?.defaultClass;
      if (storageClass.provisioner === 'external') {
        // The model cannot annotate a class it does not create: claims without a class rely on it.
        found.push({
          kind: 'StorageClass', name: storageClass.name, usedBy: isDefault ? 'storage.classes, storage.defaultClass' : 'storage.classes',
          holds: isDefault ? ['storageclass.kubernetes.io/is-default-class: "true"'] : [],
        });
      }
      if (storageClass.provisioner === 'nfs' && storageClass.nfs) {
        found.push({ kind: 'NFS export', name: `${storageClass.nfs.server}:${storageClass.nfs.share}`, holds: ['writable by root from every node'], usedBy: `storage class ${storageClass.name}` });
      }
    }
    for (const name of this.spec.externalExtendedResources ?? []) {
      found.push({ kind: 'Extended resource', name, holds: [], usedBy: `the pools declaring it: ${this.nodePools.filter(p => p.extendedResources.includes(name)).map(p => p.name).join(', ')}` });
    }
    // Its controllers and CRDs, which the add-on objects of the manifests need (Terraform needs neither).
    const gitops = this.spec.gitops ?? { engine: 'flux' };
    found.push(gitops.engine === 'argocd'
      ? { kind: 'GitOps engine', name: 'Argo CD', namespace: gitops.namespace ?? GITOPS_NAMESPACES.argocd, holds: ['the Application CRD'], usedBy: 'gitops' }
      : { kind: 'GitOps engine', name: 'Flux', namespace: gitops.namespace ?? GITOPS_NAMESPACES.flux, holds: ['the HelmRelease, HelmRepository and OCIRepository CRDs'], usedBy: 'gitops' });
    const backup = this.spec.backups?.etcd && resolvedEtcdBackup(this.spec.backups.etcd, this.spec.name);
    if (backup) {
      found.push({ kind: 'Secret', name: backup.destination.credentialsSecret, namespace: ETCD_BACKUP_NAMESPACE, holds: [...ETCD_BACKUP_CREDENTIAL_KEYS], usedBy: 'backups.etcd' });
      found.push({
        kind: 'Bucket', name: `${backup.destination.bucket}/${backup.destination.prefix}`, usedBy: 'backups.etcd',
        holds: [`at ${backup.destination.endpoint ?? `AWS S3, ${backup.destination.region}`}`, 'writable with those credentials', 'a lifecycle rule: how long snapshots are kept'],
      });
    }
    const logStore = this.addonSet.logging?.store;
    const logObjects = this.spec.addons?.logging?.store?.objectStorage;
    if (logStore && logObjects) {
      found.push({ kind: 'Secret', name: logObjects.credentialsSecret, namespace: logStore.release.namespace, holds: [...LOG_STORE_CREDENTIAL_KEYS], usedBy: 'addons.logging.store' });
      found.push({
        kind: 'Bucket', name: logObjects.bucket, usedBy: 'addons.logging.store',
        holds: [`at ${logObjects.endpoint ?? `AWS S3, ${logObjects.region ?? 'us-east-1'}`}`, 'readable and writable with those credentials',
          `no lifecycle rule shorter than the retention (${this.spec.addons?.logging?.retention}): Loki deletes older logs itself`],
      });
    }
    const endpoint = this.controlPlane.endpoint;
    if (endpoint.provider === 'external') {
      found.push({ kind: 'API endpoint', name: `${endpoint.address}:${endpoint.port}`, holds: [], usedBy: 'controlPlane.endpoint (before kubeadm init)' });
    }
    return mergedPrerequisites(found);
  }

  /** The one registry every image is pulled from (`images.registry`), if the model has one. */
  public get imageRegistry(): ImageRegistry | undefined {
    // Whatever was given, as text: the node layer's checks report an invalid one, and nothing is rendered from it.
    const registry = this.spec.images?.registry;
    return registry === undefined ? undefined : new ImageRegistry(String(registry));
  }

  /** Every add-on, each after the ones it depends on. */
  public get addons(): readonly HelmAddon[] {
    return this.addonSet.all;
  }

  /** Everything the node installers' files are rendered from. */
  public get nodeLayer(): NodeLayer {
    const { networking, kubeProxy } = this.spec;
    const pinned = this.tenantSpecs.some(tenant => tenant.nodePool !== undefined);
    return {
      clusterName: this.spec.name,
      kubernetesVersion: this.spec.kubernetesVersion,
      podCidr: networking.podCidr,
      serviceCidr: networking.serviceCidr,
      dnsDomain: networking.dnsDomain ?? 'cluster.local',
      // Kubernetes' own defaults: a /24 per node for IPv4, a /64 for IPv6.
      nodeCidrMaskSize: networking.nodeCidrMaskSize ?? (Cidr.tryParse(networking.podCidr)?.family === 'ipv6' ? 64 : 24),
      nodePortRange: networking.nodePortRange ?? '30000-32767',
      // The entry's NodePorts, when there is an entry pool to serve them.
      nodePorts: this.nodePools.some(pool => pool.role === 'entry')
        ? Object.entries(this.spec.entry?.nodePorts ?? DEFAULT_ENTRY_NODE_PORTS).map(([name, port]) => ({ field: `entry.nodePorts.${name}`, port }))
        : [],
      controlPlane: this.controlPlane,
      pools: this.nodePools,
      kubeProxy: { ...kubeProxy, mode: kubeProxy?.mode ?? 'iptables' },
      cni: this.spec.cni ?? { plugin: 'calico' },
      admissionPlugins: pinned ? PINNING_ADMISSION_PLUGINS : [],
      registryMirrors: this.spec.images?.mirrors ?? {},
      imageRegistry: this.imageRegistry,
      oidc: this.spec.authentication?.oidc,
    };
  }

  /** Which node installers to render files for. */
  public get outputs(): { kubeadm: boolean; kubespray: boolean } {
    return { kubeadm: this.spec.outputs?.kubeadm ?? true, kubespray: this.spec.outputs?.kubespray ?? true };
  }

  /** Adds a tenant; it is validated with the rest of the cluster. */
  public addTenant(spec: TenantSpec): Tenant {
    const { nodePool, ...options } = spec;
    const pool = nodePool === undefined ? undefined : this.poolsByName.get(nodePool);
    const version = semver.valid(this.spec.kubernetesVersion);
    const tenant = new Tenant(this.tenantScope, this.tenantId(spec.name), {
      ...options,
      labels: { [Labels.ENVIRONMENT]: this.spec.name },
      // An invalid cluster default is reported once, by the cluster, not again by every tenant.
      podSecurity: spec.podSecurity ?? (isPodSecurityProfile(this.spec.podSecurity) ? this.spec.podSecurity : undefined),
      podSecurityVersion: version ? `v${semver.major(version)}.${semver.minor(version)}` : undefined,
      // The entry forwards requests; Prometheus scrapes the tenant's metrics.
      ingressFromNamespaces: [this.entryNamespace, this.addonSet.monitoring.release.namespace],
      placement: pool ? placementOn(pool) : undefined,
      adminRoleName: this.adminRole.roleName,
      defaultPriorityClass: this.priorityClasses.globalDefault,
    });
    const enforced = (spec.podSecurity ?? this.spec.podSecurity)?.enforce ?? 'restricted';
    (spec.workloads ?? []).forEach((workload, index) => new TenantWorkload(tenant, `workloads[${index}]`, {
      namespace: spec.name, workload, metricsServer: this.addonSet.metricsServer !== undefined, podSecurityRestricted: enforced === 'restricted',
      imageRegistry: this.imageRegistry,
    }));
    const entry = this.addonSet.entry;
    if (entry && (spec.routes ?? []).length > 0) {
      new TenantRoutes(tenant, 'routes', {
        namespace: spec.name, ingressClassName: entry.ingressClassName, controller: entry.controller, routes: spec.routes ?? [],
      });
    }
    this.tenantSpecs.push(spec);
    this.tenants.push(tenant);
    return tenant;
  }

  /** The add-ons' namespaces with the Pod Security levels their agents need, so that a plain apply creates them first. */
  private renderAddonNamespaces(): void {
    const scope = new Construct(this, 'addon-namespaces');
    for (const [name, labels] of this.addonSet.namespaces) {
      new k8s.KubeNamespace(scope, name, {
        // An operator's own labels win: it sets them again on every reconcile.
        metadata: { name, labels: { [Labels.ENVIRONMENT]: this.spec.name, [Labels.MANAGED_BY]: 'prodk8s', ...labels } },
      });
    }
  }

  /** A construct id for a tenant that never collides, so that duplicates are reported rather than thrown. */
  private tenantId(name: string): string {
    const id = name || 'unnamed';
    return this.tenantScope.node.tryFindChild(id) ? `${id}-duplicate-${this.tenantSpecs.length}` : id;
  }

  private checkModel(checks: Checks): void {
    const spec = this.spec;
    checks.dns1123Label('name', spec.name);
    if (spec.backups?.etcd) checkEtcdBackup(checks, spec.backups.etcd);
    if (spec.operations) {
      checkOperations(checks, spec.operations, new Map(this.tenantSpecs.flatMap(tenant => (tenant.admins?.groups ?? []).map(group => [group, tenant.name] as [string, string]))));
    }
    if (checkKubernetesVersion(checks, spec.kubernetesVersion) && this.outputs.kubespray) {
      checkKubesprayVersion(checks, spec.kubernetesVersion);
    }

    const podCidr = checks.cidr('networking.podCidr', spec.networking.podCidr);
    const serviceCidr = checks.cidr('networking.serviceCidr', spec.networking.serviceCidr);
    // Refused rather than rendered half-right: Calico's IPv6 block size, Kubespray's IPv6 variables and
    // kubeadm's dual-stack subnets are not in the model.
    for (const [field, cidr] of [['networking.podCidr', podCidr], ['networking.serviceCidr', serviceCidr]] as const) {
      checks.expect(cidr?.family !== 'ipv6', field, cidr?.text, 'IPv6 and dual-stack clusters are not supported yet: use IPv4 networks');
    }
    const gitopsNamespace = spec.gitops?.namespace;
    // It names the GitOps objects' namespace and their manifest file.
    if (gitopsNamespace !== undefined) checks.dns1123Label('gitops.namespace', gitopsNamespace);
    if (podCidr && serviceCidr) {
      checks.expect(!podCidr.overlaps(serviceCidr), 'networking.serviceCidr', serviceCidr.text,
        `must not overlap networking.podCidr (${podCidr.text}): a Service IP would be routed to a pod`);
      checks.expect(podCidr.family === serviceCidr.family, 'networking.serviceCidr', serviceCidr.text,
        `must be of the same IP family as networking.podCidr (${podCidr.text})`);
    }
    if (serviceCidr) {
      const widest = serviceCidr.family === 'ipv4' ? 12 : 108;
      checks.expect(serviceCidr.prefixLength >= widest, 'networking.serviceCidr', serviceCidr.text,
        `must be /${widest} or narrower: the API server refuses larger service ranges`);
    }
    if (spec.networking.dnsDomain !== undefined) checks.dns1123Subdomain('networking.dnsDomain', spec.networking.dnsDomain);
    checkPodSecurity(checks, 'podSecurity', spec.podSecurity);
    checkTerraformSpec(checks, 'terraform', spec.terraform);
    const share = spec.alerts?.quotaUsageShare;
    if (share !== undefined) {
      checks.expect(typeof share === 'number' && share > 0 && share <= 1, 'alerts.quotaUsageShare', share, 'must be a share of the quota above 0 and at most 1, such as 0.9');
    }
    checkNodeLayer(checks, this.nodeLayer);
    this.nodePools.forEach((pool, index) => {
      checks.expect(pool.role !== 'entry' || !pool.isShared, `nodePools[${index}].taints`, spec.nodePools[index].taints ?? [],
        'an entry pool needs a NoSchedule or NoExecute taint, or tenant pods land on the entry nodes');
    });
    checks.dns1123Label('entry.namespace', this.entryNamespace);
    const cni = spec.cni ?? { plugin: 'calico' };
    checks.expect(cni.plugin !== 'flannel' || spec.tenants.length === 0 || cni.acceptUnenforcedNetworkPolicies === true, 'cni.plugin', cni.plugin,
      'Flannel does not enforce NetworkPolicy, so the tenants would not be isolated: use calico, or set cni.acceptUnenforcedNetworkPolicies');
    this.checkTenants(checks, [podCidr, serviceCidr].filter((c): c is Cidr => c !== undefined));
    this.checkRoutes(checks);
    this.checkExtendedResources(checks);
    this.checkAuthentication(checks);
    checkStorage(checks, spec.storage);
    this.checkStorageReferences(checks);
    this.checkCapacity(checks);
  }

  /**
   * The OpenID Connect issuer is one the API server can use, and the tenants' admins are named as it
   * names them: with its prefixes, or their RoleBindings would bind no one it authenticates.
   */
  private checkAuthentication(checks: Checks): void {
    const oidc = this.spec.authentication?.oidc;
    if (oidc === undefined) return;
    let url: URL | undefined;
    try {
      url = new URL(String(oidc.issuerUrl));
    } catch {
      url = undefined;
    }
    checks.expect(url !== undefined && url.protocol === 'https:' && url.username === '' && url.password === '' && url.search === '' && url.hash === '',
      'authentication.oidc.issuerUrl', oidc.issuerUrl, 'must be the issuer\'s https:// URL, without credentials, query or fragment, as its tokens\' iss claim names it');
    checks.expect(Array.isArray(oidc.audiences) && oidc.audiences.length > 0 && oidc.audiences.every(a => typeof a === 'string' && a.length > 0),
      'authentication.oidc.audiences', oidc.audiences, 'must list the client IDs the tokens are issued to, such as ["kubernetes"]');
    for (const field of ['usernameClaim', 'groupsClaim', 'usernamePrefix', 'groupsPrefix'] as const) {
      const value = oidc[field];
      if (value !== undefined) checks.expect(typeof value === 'string' && /^[\x21-\x7e]+$/.test(value), `authentication.oidc.${field}`, value, 'must be a non-empty name without spaces');
    }
    if (oidc.certificateAuthority !== undefined) {
      checks.expect(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(String(oidc.certificateAuthority)), 'authentication.oidc.certificateAuthority',
        '(certificate)', 'must be PEM-encoded CA certificates');
    }
    const prefixes = oidcPrefixes(oidc);
    this.tenantSpecs.forEach((tenant, index) => {
      (tenant.admins?.users ?? []).forEach((user, u) => checks.expect(String(user).startsWith(prefixes.users), `tenants[${index}].admins.users[${u}]`, user,
        `must carry authentication.oidc's user prefix "${prefixes.users}", as the API server names its users`));
      (tenant.admins?.groups ?? []).forEach((group, g) => checks.expect(String(group).startsWith(prefixes.groups), `tenants[${index}].admins.groups[${g}]`, group,
        `must carry authentication.oidc's group prefix "${prefixes.groups}", as the API server names its groups`));
    });
    (this.spec.operations?.onCallGroups ?? []).forEach((group, g) => checks.expect(String(group).startsWith(prefixes.groups), `operations.onCallGroups[${g}]`, group,
      `must carry authentication.oidc's group prefix "${prefixes.groups}", as the API server names its groups`));
  }

  /**
   * Every volume the model asks for has a StorageClass behind it: the class a volume or quota names is one
   * of the model's, and a volume or storage quota without a class needs the default one.
   */
  private checkStorageReferences(checks: Checks): void {
    const classes = new Set(storageClassesOf(this.spec).map(storageClass => storageClass.name));
    const defaultClass = this.spec.storage?.defaultClass;
    const known = `one of storage.classes (${[...classes].join(', ') || 'none'})`;
    const monitoring = this.spec.addons?.monitoring;
    const volumes = [
      ['addons.monitoring.prometheus.storage', monitoring?.prometheus?.storage],
      ['addons.monitoring.alertmanager.storage', monitoring?.alertmanager?.storage],
      ['addons.logging.store.storage', this.spec.addons?.logging?.store?.storage],
    ] as const;
    for (const [field, volume] of volumes) {
      if (volume === undefined) continue;
      if (volume.storageClassName !== undefined) {
        checks.expect(classes.has(volume.storageClassName), `${field}.storageClassName`, volume.storageClassName, `must be ${known}: its pods would stay Pending`);
      } else {
        checks.expect(defaultClass !== undefined, field, volume.size, 'names no storageClassName and storage.defaultClass is not set: its pods would stay Pending');
      }
    }
    const ceph = this.spec.storage?.ceph;
    if (ceph !== undefined) {
      const pool = this.poolsByName.get(ceph.nodePool);
      const replicas = ceph.replicas ?? 3;
      if (pool === undefined) {
        checks.fail('storage.ceph.nodePool', ceph.nodePool, `must be one of nodePools (${this.nodePools.map(p => p.name).join(', ')})`);
      } else {
        // Three monitors on three nodes keep a quorum through the loss of one; each copy of an object on another node.
        const needed = Math.max(3, Number.isInteger(replicas) ? replicas : 3);
        checks.expect(pool.hosts.length >= needed, 'storage.ceph.nodePool', ceph.nodePool,
          `has ${pool.hosts.length} node(s); Ceph needs ${needed}: three monitors on different nodes, and ${replicas} copies of every object on different nodes`);
      }
    }
    this.tenantSpecs.forEach((tenant, index) => {
      const quota = tenant.quota;
      if (quota === undefined) return;
      const field = `tenants[${index}].quota`;
      if (quota.storageClasses !== undefined && !isPlainObject(quota.storageClasses)) {
        checks.fail(`${field}.storageClasses`, quota.storageClasses, 'must map StorageClass names to budgets, such as { nfs: { storage: \'100Gi\' } }');
        return;
      }
      const budgets = quota.storageClasses ?? {};
      // The quota's totals as the ResourceQuota sets them: nothing granted unless stated.
      const totalStorage = quota.storage ?? '0';
      const total = Quantity.isValid(totalStorage) ? Quantity.parse(totalStorage) : undefined;
      const totalClaims = quota.persistentVolumeClaims ?? 0;
      for (const [name, budget] of Object.entries(budgets)) {
        checks.expect(classes.has(name), `${field}.storageClasses`, name, `must be ${known}`);
        if (!isPlainObject(budget)) {
          checks.fail(`${field}.storageClasses.${name}`, budget, 'must be a budget such as { storage: \'100Gi\', persistentVolumeClaims: 4 }');
          continue;
        }
        checks.expect(budget.storage !== undefined, `${field}.storageClasses.${name}.storage`, budget.storage, 'must be the storage its claims of the class may request, such as 100Gi');
        const storage = checks.quantity(`${field}.storageClasses.${name}.storage`, budget.storage as string | undefined);
        if (storage && total) {
          checks.expect(storage.compare(total) <= 0, `${field}.storageClasses.${name}.storage`, budget.storage,
            `must be within quota.storage (${totalStorage}${quota.storage === undefined ? ', its default' : ''}): the tenant's total caps every class`);
        }
        if (budget.persistentVolumeClaims !== undefined) {
          checks.count(`${field}.storageClasses.${name}.persistentVolumeClaims`, budget.persistentVolumeClaims as number);
          checks.expect(Number(budget.persistentVolumeClaims) <= totalClaims, `${field}.storageClasses.${name}.persistentVolumeClaims`, budget.persistentVolumeClaims,
            `must be within quota.persistentVolumeClaims (${totalClaims}${quota.persistentVolumeClaims === undefined ? ', its default' : ''})`);
        }
      }
      const grantsStorage = (total !== undefined && total.compare(Quantity.of(0)) > 0) || (quota.persistentVolumeClaims ?? 0) > 0;
      checks.expect(!grantsStorage || defaultClass !== undefined || Object.keys(budgets).length > 0, `${field}.storage`, quota.storage,
        'grants storage, but the cluster has no default StorageClass and the quota no storageClasses: the tenant\'s claims would stay Pending');
    });
  }

  /**
   * Every extended resource has a provider: a SKU's is advertised by the model's device plugin or declared
   * external, a quota's is one some pool declares. Otherwise pods requesting it stay Pending.
   */
  private checkExtendedResources(checks: Checks): void {
    const listed = this.spec.externalExtendedResources;
    if (listed !== undefined && !Array.isArray(listed)) checks.fail('externalExtendedResources', listed, 'must be a list of extended resource names, such as ["example.com/fpga"]');
    const external: readonly string[] = Array.isArray(listed) ? listed : [];
    const declared = new Set(this.nodePools.flatMap(pool => pool.extendedResources));
    this.nodePools.forEach((pool, index) => {
      for (const name of pool.extendedResources) {
        checks.expect(MODEL_DEVICE_PROVIDERS.includes(name) || external.includes(name), `nodePools[${index}].sku.extendedResources`, name,
          `nothing in the model advertises it, so pods requesting it would stay Pending: the model provides ${MODEL_DEVICE_PROVIDERS.join(', ')} `
          + '(NVIDIA\'s device plugin); list what a plugin installed outside it provides in externalExtendedResources');
      }
    });
    external.forEach((name, index) => {
      checks.expect(!MODEL_DEVICE_PROVIDERS.includes(name), `externalExtendedResources[${index}]`, name,
        'is advertised by the model\'s own device plugin: a second plugin would advertise the devices twice');
      checks.expect(declared.has(name), `externalExtendedResources[${index}]`, name, 'no node pool\'s SKU declares it');
    });
    this.tenantSpecs.forEach((tenant, index) => {
      for (const name of Object.keys(tenant.quota?.extendedResources ?? {})) {
        checks.expect(declared.has(name), `tenants[${index}].quota.extendedResources`, name,
          'no node pool\'s SKU declares it, so pods requesting it would never be scheduled');
      }
    });
  }

  /**
   * What the pools give and the tenants' quotas may ask, for the capacity checks; none while a pool or a
   * quota is invalid (reported elsewhere).
   */
  public get capacity(): { supplies: PoolSupply[]; demands: TenantDemand[] } | undefined {
    const supplies: PoolSupply[] = [];
    for (const pool of this.nodePools) {
      const allocatable = pool.allocatable;
      if (!allocatable || !/^\d+(\.\d+)?$/.test(pool.requestOvercommit)) return undefined;
      supplies.push({ pool: pool.name, shared: pool.isShared, nodes: pool.hosts.length, allocatable, requestOvercommit: pool.requestOvercommit });
    }
    const demands: TenantDemand[] = [];
    for (const tenant of this.tenantSpecs) {
      const quota = tenant.quota;
      const amounts: Record<string, string> = { cpu: quota.requests?.cpu, memory: quota.requests?.memory, pods: String(quota.pods), ...quota.extendedResources };
      if (!Object.values(amounts).every(Quantity.isValid)) return undefined;
      demands.push({ tenant: tenant.name, pool: tenant.nodePool, requests: Object.fromEntries(Object.entries(amounts).map(([r, v]) => [r, Quantity.parse(v)])) });
    }
    return { supplies, demands };
  }

  /** Tenant quotas against the allocatable of the pools they can land on, with every node and with any one drained. */
  private checkCapacity(checks: Checks): void {
    const capacity = this.capacity;
    if (capacity === undefined) return;
    const { supplies, demands } = capacity;
    const where = (group: string) => (group === 'shared' ? 'the shared pools (those without NoSchedule or NoExecute taints)' : `node pool ${group}`);
    for (const shortfall of capacityShortfalls(supplies, demands)) {
      checks.fail(`capacity.${shortfall.group}.${shortfall.resource}`, shortfall.requested.toString(),
        `the ${shortfall.resource} requests the tenants' quotas allow on ${where(shortfall.group)} (${shortfall.tenants}) exceed what it gives to pods: ${shortfall.supply}`);
    }
    // Every node is drained some day (upgrades, kernel patches): the quotas must fit without it.
    for (const shortfall of drainShortfalls(supplies, demands)) {
      checks.fail(`capacity.${shortfall.group}.${shortfall.resource}`, shortfall.requested.toString(),
        `with one node of pool ${shortfall.drained} drained, the ${shortfall.resource} requests the tenants' quotas allow on ${where(shortfall.group)} `
        + `(${shortfall.tenants}) exceed what stays: ${shortfall.supply}; a drain would leave pods unschedulable: add a node or lower the quotas`);
    }
  }

  /** A host belongs to one tenant: another's route on it would take over its traffic or, merged, share its certificate. */
  private checkRoutes(checks: Checks): void {
    const owners = new Map<string, string>();
    this.tenantSpecs.forEach((tenant, index) => {
      const workloads = (tenant.workloads ?? []).map(w => w.name);
      workloads.forEach((name, w) => checks.expect(workloads.indexOf(name) === w, `tenants[${index}].workloads[${w}].name`, name,
        'workload names must be unique in the tenant: each names a Deployment'));
      checks.expect(this.addonSet.entry !== undefined || (tenant.routes ?? []).length === 0, `tenants[${index}].routes`, tenant.routes,
        'need an entry: a node pool with role "entry"');
      (tenant.routes ?? []).forEach((route, r) => {
        const owner = owners.get(route.host);
        checks.expect(owner === undefined || owner === tenant.name, `tenants[${index}].routes[${r}].host`, route.host, `is already a host of tenant ${owner}`);
        if (owner === undefined) owners.set(route.host, tenant.name);
      });
    });
  }

  private checkTenants(checks: Checks, clusterNetworks: readonly Cidr[]): void {
    const seen = new Set<string>();
    const addonNamespaces = this.addonSet.namespaces;
    this.tenantSpecs.forEach((tenant, index) => {
      const field = `tenants[${index}]`;
      checks.expect(!seen.has(tenant.name), `${field}.name`, tenant.name, 'tenant names must be unique: each tenant owns its namespace');
      seen.add(tenant.name);
      checks.expect(!addonNamespaces.has(tenant.name) && tenant.name !== this.entryNamespace, `${field}.name`, tenant.name,
        'is the namespace of an add-on or of the entry, which no tenant may own');
      (tenant.priorityQuotas ?? []).forEach((budget, b) => {
        checks.expect(this.priorityClasses.names.has(budget.priorityClass), `${field}.priorityQuotas[${b}].priorityClass`, budget.priorityClass,
          `must name a PriorityClass of the cluster (${[...this.priorityClasses.names].join(', ') || 'none defined'})`);
      });
      if (tenant.nodePool !== undefined) {
        checks.expect(this.poolsByName.has(tenant.nodePool), `${field}.nodePool`, tenant.nodePool,
          `must name a node pool of the cluster (${[...this.poolsByName.keys()].join(', ') || 'none defined'})`);
      }
      (tenant.egress ?? []).forEach((rule, r) => {
        const cidr = Cidr.tryParse(rule.cidr);
        const overlapping = cidr && clusterNetworks.find(network => cidr.overlaps(network));
        checks.expect(!overlapping, `${field}.egress[${r}].cidr`, rule.cidr,
          `must not overlap the cluster network ${overlapping?.text}: in-cluster traffic is allowed by namespace, never by address`);
      });
    });
  }
}

function placementOn(pool: NodePool): TenantPlacement {
  return { nodeSelector: { [Labels.NODE_POOL]: pool.name }, tolerations: pool.taints };
}

/** Whether the version is exact and of a supported minor, after recording why not. */
function checkKubernetesVersion(checks: Checks, version: string): boolean {
  const { oldestMinor, newestMinor } = Versions.kubernetes;
  // Numbers without leading zeros, as semver (and Kubernetes' own version parser) require: 1.36.04 is no version.
  if (typeof version !== 'string' || !/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(version)) {
    checks.fail('kubernetesVersion', version, 'must be an exact version such as 1.36.4');
    return false;
  }
  const minor = `${semver.major(version)}.${semver.minor(version)}.0`;
  const supported = semver.gte(minor, `${oldestMinor}.0`) && semver.lte(minor, `${newestMinor}.0`);
  checks.expect(supported, 'kubernetesVersion', version, `must be a supported Kubernetes minor, ${oldestMinor} to ${newestMinor}`);
  return supported;
}
