import { dump } from 'js-yaml';
import { certificateKubesprayVars } from './certificate-lifecycle';
import { reservedMap } from './kubelet-configuration';
import { NodeLayer, registryServer, requireValidLayer } from './node-layer';
import { NodePool } from './node-pool';
import { NVIDIA_CONTAINER_RUNTIME, NVIDIA_GPU } from './node-sku';
import { auditRules, hardeningKubesprayVars } from './api-server-hardening';

/** One file of the inventory: its path below `kubespray/` and its YAML content. */
export interface InventoryFile {
  readonly path: string;
  readonly content: Record<string, unknown>;
}

/** The Ansible group of a pool's nodes: Ansible group names take no '-'. */
export function poolGroup(pool: NodePool): string {
  return `pool_${pool.name.replace(/-/g, '_')}`;
}

/**
 * A Kubespray inventory for the pinned release: `inventory/hosts.yaml` with
 * the standard groups plus one group per pool under `kube_node`, and
 * `group_vars` for the cluster, the control plane and each pool. The pod
 * network is an add-on like the others (a Helm release), so Kubespray only
 * installs the CNI plugin binaries (`kube_network_plugin: cni`).
 * Run it with `ansible-playbook -i inventory/hosts.yaml cluster.yml`.
 */
export function kubesprayInventory(layer: NodeLayer): InventoryFile[] {
  requireValidLayer(layer);
  const controlPlane = layer.controlPlane;
  const files: InventoryFile[] = [
    { path: 'inventory/hosts.yaml', content: hostsFile(layer) },
    // In `all`, not `k8s_cluster`: dedicated etcd hosts are outside k8s_cluster, and Kubespray's etcd roles read
    // dns_domain, container_manager, kube_network_plugin and etcd_listen_metrics_urls there too.
    { path: 'inventory/group_vars/all/k8s-cluster.yml', content: clusterVars(layer) },
    { path: 'inventory/group_vars/kube_control_plane/kubelet.yml', content: kubeletVars(controlPlane.nodes) },
    ...layer.pools.map(pool => ({ path: `inventory/group_vars/${poolGroup(pool)}/kubelet.yml`, content: kubeletVars(pool) })),
    // GPU nodes run containers through NVIDIA's runtime, as the node bootstrap configures containerd.
    ...layer.pools.filter(pool => pool.extendedResources.includes(NVIDIA_GPU)).map(pool => ({
      path: `inventory/group_vars/${poolGroup(pool)}/containerd.yml`,
      content: {
        containerd_default_runtime: 'nvidia',
        containerd_additional_runtimes: [{
          name: 'nvidia', type: 'io.containerd.runc.v2', base_runtime_spec: 'cri-base.json',
          options: { BinaryName: NVIDIA_CONTAINER_RUNTIME, SystemdCgroup: 'true' },
        }],
      },
    })),
  ];
  const endpoint = controlPlane.endpoint;
  if (endpoint.provider !== 'node') {
    files.push({ path: 'inventory/group_vars/all/all.yml', content: {
      apiserver_loadbalancer_domain_name: endpoint.address,
      loadbalancer_apiserver: { address: endpoint.address, port: endpoint.port },
      // The virtual IP held by kube-vip on the control plane nodes, as the kubeadm files have it.
      ...(endpoint.provider === 'kube-vip' ? {
        kube_vip_enabled: true,
        kube_vip_controlplane_enabled: true,
        kube_vip_arp_enabled: true,
        kube_vip_address: endpoint.address,
        ...(endpoint.interface ? { kube_vip_interface: endpoint.interface } : {}),
      } : {}),
    } });
  }
  return files;
}

function hostsFile(layer: NodeLayer): Record<string, unknown> {
  const controlPlane = layer.controlPlane;
  const hosts: Record<string, unknown> = {};
  for (const pool of [controlPlane.nodes, ...layer.pools]) {
    for (const host of pool.hosts) {
      hosts[host.name] = {
        ansible_host: host.address,
        ip: host.address,
        node_labels: pool.nodeLabels,
        node_taints: pool.taints.map(t => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`),
      };
    }
  }
  controlPlane.etcdHosts.forEach((host, index) => {
    hosts[host.name] = { ...(hosts[host.name] as object ?? { ansible_host: host.address, ip: host.address }), etcd_member_name: `etcd${index + 1}` };
  });
  const members = (list: readonly { name: string }[]) => ({ hosts: Object.fromEntries(list.map(h => [h.name, {}])) });
  const children: Record<string, unknown> = {
    kube_control_plane: members(controlPlane.nodes.hosts),
    etcd: members(controlPlane.etcdHosts),
    kube_node: { children: Object.fromEntries(layer.pools.map(pool => [poolGroup(pool), {}])) },
    ...Object.fromEntries(layer.pools.map(pool => [poolGroup(pool), members(pool.hosts)])),
    calico_rr: { hosts: {} },
    // group_vars/k8s_cluster only apply when the group is declared with its children.
    k8s_cluster: { children: { kube_control_plane: {}, kube_node: {}, calico_rr: {} } },
  };
  return { all: { hosts, children } };
}

/** The registries Kubespray derives every image from (its `*_image_repo` defaults): `images.registry` replaces them all. */
const KUBESPRAY_IMAGE_REPOS = ['kube_image_repo', 'gcr_image_repo', 'docker_image_repo', 'quay_image_repo', 'github_image_repo'] as const;

function clusterVars(layer: NodeLayer): Record<string, unknown> {
  const proxy = layer.kubeProxy;
  return {
    kube_version: layer.kubernetesVersion,
    cluster_name: layer.clusterName,
    // Kubespray derives the DNS domain from cluster_name unless it is set.
    dns_domain: layer.dnsDomain,
    dns_mode: 'coredns',
    // The tenants' NetworkPolicies let pods query the CoreDNS pods, not a node-local cache on the host network.
    enable_nodelocaldns: false,
    // The CNI is a Helm release of the add-ons, for Kubespray-built and kubeadm-built clusters alike.
    kube_network_plugin: 'cni',
    kube_pods_subnet: layer.podCidr,
    kube_service_addresses: layer.serviceCidr,
    kube_network_node_prefix: layer.nodeCidrMaskSize,
    kube_proxy_mode: proxy.mode,
    // Prometheus scrapes kube-proxy and etcd from other nodes (see CONTROL_PLANE_METRICS).
    kube_proxy_metrics_bind_address: '0.0.0.0:10249',
    etcd_listen_metrics_urls: 'http://0.0.0.0:2381',
    ...(proxy.mode === 'ipvs' ? { kube_proxy_scheduler: proxy.ipvsScheduler ?? 'rr', kube_proxy_strict_arp: proxy.ipvsStrictArp ?? false } : {}),
    container_manager: 'containerd',
    ...(Object.keys(layer.registryMirrors).length > 0 ? {
      containerd_registries_mirrors: Object.keys(layer.registryMirrors).sort().map(prefix => ({
        prefix,
        server: registryServer(prefix),
        mirrors: layer.registryMirrors[prefix].map(host => ({ host, capabilities: ['pull', 'resolve'], skip_verify: false })),
      })),
    } : {}),
    // Kubespray's offline layout: every image under one registry, upstream paths kept.
    ...(layer.imageRegistry ? Object.fromEntries(KUBESPRAY_IMAGE_REPOS.map(name => [name, layer.imageRegistry!.registry])) : {}),
    kube_apiserver_node_port_range: layer.nodePortRange,
    // PodSecurity and ResourceQuota named so that Kubespray writes their configuration.
    kube_apiserver_enable_admission_plugins: ['NodeRestriction', ...layer.admissionPlugins, 'PodSecurity', 'ResourceQuota'],
    supplementary_addresses_in_ssl_keys: layer.controlPlane.certSANs,
    kubelet_rotate_server_certificates: true,
    // Its own approver chart, which that switch turns on: the add-ons bring the one both installers share.
    kubelet_csr_approver_enabled: false,
    // The API server's audit log (the same rules and host paths as the kubeadm files) and Secrets encrypted at rest.
    ...hardeningKubesprayVars(dump(auditRules(), { lineWidth: -1, noRefs: true }), layer.oidc),
    // The same certificate lifetimes, and Kubespray's own monthly renewal.
    ...certificateKubesprayVars(layer.controlPlane.certificates),
    kubelet_protect_kernel_defaults: true,
    kubelet_seccomp_default: true,
    tls_min_version: 'VersionTLS12',
  };
}

/** A pool's kubelet as Kubespray variables; what has no variable goes to `kubelet_config_extra_args`. */
function kubeletVars(pool: NodePool): Record<string, unknown> {
  const kubelet = pool.kubelet;
  const { kubeReserved, systemReserved, enforceNodeAllocatable, evictionHard, profile: p } = kubelet;
  const kube = reservedMap(kubeReserved);
  const system = reservedMap(systemReserved);
  const extra = Object.fromEntries(Object.entries({
    evictionSoft: p.evictionSoft,
    evictionSoftGracePeriod: p.evictionSoftGracePeriod,
    evictionMinimumReclaim: p.evictionMinimumReclaim,
    evictionMaxPodGracePeriod: p.evictionMaxPodGracePeriod,
    evictionPressureTransitionPeriod: p.evictionPressureTransitionPeriod,
    memoryManagerPolicy: p.memoryManagerPolicy,
    reservedMemory: p.reservedMemory?.map(r => ({ numaNode: r.numaNode, limits: { memory: r.memory } })),
  }).filter(([, value]) => value !== undefined));
  const sysctls = pool.sysctls;
  return {
    kube_cpu_reserved: kube.cpu,
    kube_memory_reserved: kube.memory,
    kube_ephemeral_storage_reserved: kube['ephemeral-storage'],
    kube_pid_reserved: kube.pid,
    system_cpu_reserved: system.cpu,
    system_memory_reserved: system.memory,
    system_ephemeral_storage_reserved: system['ephemeral-storage'],
    system_pid_reserved: system.pid,
    kube_reserved: enforceNodeAllocatable.includes('kube-reserved'),
    system_reserved: enforceNodeAllocatable.includes('system-reserved'),
    ...(p.kubeReservedCgroup ? { kube_reserved_cgroups: p.kubeReservedCgroup } : {}),
    ...(p.systemReservedCgroup ? { system_reserved_cgroups: p.systemReservedCgroup } : {}),
    kubelet_enforce_node_allocatable: enforceNodeAllocatable.join(','),
    // One variable for every node: Kubespray removed eviction_hard_control_plane and refuses inventories that set it.
    eviction_hard: { ...evictionHard },
    kubelet_max_pods: kubelet.maxPods,
    kubelet_pod_pids_limit: kubelet.podPidsLimit,
    kubelet_logfiles_max_size: kubelet.containerLogMaxSize,
    kubelet_logfiles_max_nr: kubelet.containerLogMaxFiles,
    kubelet_image_gc_high_threshold: kubelet.imageGcHighThresholdPercent,
    kubelet_image_gc_low_threshold: kubelet.imageGcLowThresholdPercent,
    kubelet_shutdown_grace_period: kubelet.shutdownGracePeriod,
    kubelet_shutdown_grace_period_critical_pods: kubelet.shutdownGracePeriodCriticalPods,
    ...(p.cpuManagerPolicy ? { kubelet_cpu_manager_policy: p.cpuManagerPolicy } : {}),
    ...(p.topologyManagerPolicy ? { kubelet_topology_manager_policy: p.topologyManagerPolicy } : {}),
    ...(p.topologyManagerScope ? { kubelet_topology_manager_scope: p.topologyManagerScope } : {}),
    ...(Object.keys(extra).length > 0 ? { kubelet_config_extra_args: extra } : {}),
    additional_sysctl: Object.keys(sysctls).sort().map(name => ({ name, value: sysctls[name] })),
  };
}
