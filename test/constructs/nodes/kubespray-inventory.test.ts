import { Testing } from 'cdk8s';
import { ClusterSpec, NodePoolSpec, ProductionCluster } from '../../../constructs';
import { NodeLayer } from '../../../constructs/nodes/node-layer';
import { NodePool } from '../../../constructs/nodes/node-pool';
import { prod, REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { OutputFile } from '../../../synth/output-folder';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { ansibleInventory, AnsibleInventory, groupsOf, hostsOf } from '../../helpers/ansible-inventory';

/*
 * The Kubespray inventory exactly as a synth writes it, read back by the real
 * `ansible-inventory` (Debian's ansible-core): the groups Kubespray's plays
 * target, and each host's variables merged from hosts.yaml and group_vars as
 * the playbook sees them. Expectations come from the environments' specs and
 * the model; the literals are hand-checked facts.
 */

/** The inventory folder of one environment: path below `<env>/kubespray/inventory/` → content. */
function inventoryFiles(files: readonly OutputFile[], env: string): Record<string, string> {
  const prefix = `${env}/kubespray/inventory/`;
  return Object.fromEntries(files.filter(f => f.path.startsWith(prefix)).map(f => [f.path.slice(prefix.length), f.content]));
}

function nodeLayer(spec: ClusterSpec): NodeLayer {
  return new ProductionCluster(Testing.chart(), 'cluster', spec).nodeLayer;
}

/** Ansible group names take no '-'. */
const groupOf = (pool: { name: string }) => `pool_${pool.name.replace(/-/g, '_')}`;
const names = (hosts: readonly { name: string }[]) => hosts.map(h => h.name);
/** A taint as `kubectl taint` and Kubespray's node_taints spell it. */
const taintText = (t: { key: string; value?: string; effect: string }) => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`;

/**
 * The variables Kubespray must see for a pool's kubelet, named as its
 * kubelet-config template reads them (roles/kubernetes/node). Absent options
 * are undefined here and must be absent from the host.
 */
function kubeletVariables(pool: NodePool): Record<string, unknown> {
  const k = pool.kubelet;
  const p = k.profile;
  const extra = Object.fromEntries(Object.entries({
    evictionSoft: p.evictionSoft,
    evictionSoftGracePeriod: p.evictionSoftGracePeriod,
    evictionMinimumReclaim: p.evictionMinimumReclaim,
    evictionMaxPodGracePeriod: p.evictionMaxPodGracePeriod,
    evictionPressureTransitionPeriod: p.evictionPressureTransitionPeriod,
    memoryManagerPolicy: p.memoryManagerPolicy,
    reservedMemory: p.reservedMemory?.map(r => ({ numaNode: r.numaNode, limits: { memory: r.memory } })),
  }).filter(([, value]) => value !== undefined));
  return {
    kube_cpu_reserved: k.kubeReserved.cpu,
    kube_memory_reserved: k.kubeReserved.memory,
    kube_ephemeral_storage_reserved: k.kubeReserved.ephemeralStorage,
    kube_pid_reserved: String(k.kubeReserved.pid),
    system_cpu_reserved: k.systemReserved.cpu,
    system_memory_reserved: k.systemReserved.memory,
    system_ephemeral_storage_reserved: k.systemReserved.ephemeralStorage,
    system_pid_reserved: String(k.systemReserved.pid),
    kube_reserved: k.enforceNodeAllocatable.includes('kube-reserved'),
    system_reserved: k.enforceNodeAllocatable.includes('system-reserved'),
    kubelet_enforce_node_allocatable: k.enforceNodeAllocatable.join(','),
    kubelet_max_pods: k.maxPods,
    kubelet_pod_pids_limit: k.podPidsLimit,
    kubelet_logfiles_max_size: k.containerLogMaxSize,
    kubelet_logfiles_max_nr: k.containerLogMaxFiles,
    kubelet_image_gc_high_threshold: k.imageGcHighThresholdPercent,
    kubelet_image_gc_low_threshold: k.imageGcLowThresholdPercent,
    kubelet_cpu_manager_policy: p.cpuManagerPolicy,
    kubelet_topology_manager_policy: p.topologyManagerPolicy,
    kubelet_topology_manager_scope: p.topologyManagerScope,
    kubelet_config_extra_args: Object.keys(extra).length > 0 ? extra : undefined,
    additional_sysctl: Object.entries(pool.sysctls).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
  };
}

/**
 * Variables Kubespray has removed: its first play (roles/validate_inventory at
 * the pinned commit) stops the run when the inventory still sets one.
 */
const REMOVED_BY_KUBESPRAY = ['kubelet_static_pod_path', 'eviction_hard_control_plane'];

const RENDERED = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
/** One ansible-inventory run per environment (it takes about half a second to start). */
const inventories: Record<string, AnsibleInventory> = {};
beforeAll(() => {
  for (const spec of REFERENCE_ENVIRONMENTS) inventories[spec.name] = ansibleInventory(inventoryFiles(RENDERED, spec.name));
});

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('the Kubespray inventory of %s, read by ansible-inventory', (env, spec) => {
  const layer = nodeLayer(spec);
  const files = inventoryFiles(RENDERED, env);
  const controlPlane = layer.controlPlane;
  const controlPlaneHosts = controlPlane.nodes.hosts;
  const allHosts = [...controlPlaneHosts, ...controlPlane.etcdHosts, ...layer.pools.flatMap(pool => pool.hosts)];
  let inventory: AnsibleInventory;
  beforeAll(() => {
    inventory = inventories[env];
  });
  /** Some variables of a host, with its name so that a failure says which host. */
  const variables = (host: string, keys: readonly string[]) =>
    ({ host, ...Object.fromEntries(keys.map(key => [key, inventory.hostvars[host]?.[key]])) });

  test('parses without a warning, with the groups Kubespray targets', () => {
    expect(inventory.stderr).toBe('');
    expect(Object.keys(inventory.groups)).toEqual(expect.arrayContaining(['kube_control_plane', 'etcd', 'kube_node', 'k8s_cluster']));
  });

  test('k8s_cluster is the control plane and the workers; the workers are a group per pool', () => {
    // calico_rr is declared for Kubespray but has no host, so ansible-inventory lists it only as a child.
    expect(inventory.groups.k8s_cluster).toEqual({ hosts: [], children: ['kube_control_plane', 'kube_node', 'calico_rr'] });
    expect(hostsOf(inventory, 'calico_rr')).toEqual([]);
    expect(inventory.groups.kube_node).toEqual({ hosts: [], children: spec.nodePools.map(groupOf) });
    for (const pool of layer.pools) {
      expect(inventory.groups[groupOf(pool)]).toEqual({ hosts: names(pool.hosts), children: [] });
    }
    expect(inventory.groups.kube_control_plane).toEqual({ hosts: names(controlPlaneHosts), children: [] });
    expect(inventory.groups.etcd).toEqual({ hosts: names(controlPlane.etcdHosts), children: [] });
    expect(controlPlaneHosts).toHaveLength(spec.controlPlane.count!);
    expect(controlPlane.etcdHosts).toHaveLength(spec.controlPlane.etcd?.count ?? spec.controlPlane.count!);
  });

  test('each host is in exactly the groups of its role', () => {
    const expected = new Map<string, string[]>();
    const add = (hosts: readonly { name: string }[], groups: string[]) =>
      hosts.forEach(h => expected.set(h.name, [...expected.get(h.name) ?? ['all'], ...groups]));
    add(controlPlaneHosts, ['k8s_cluster', 'kube_control_plane']);
    add(controlPlane.etcdHosts, ['etcd']);
    for (const pool of layer.pools) add(pool.hosts, ['k8s_cluster', 'kube_node', groupOf(pool)]);
    expect(Object.keys(inventory.hostvars).sort()).toEqual([...expected.keys()].sort());
    for (const [host, groups] of expected) {
      expect({ host, groups: groupsOf(inventory, host) }).toEqual({ host, groups: groups.sort() });
    }
  });

  test('each host is reached on its address from the model', () => {
    for (const host of allHosts) {
      expect(variables(host.name, ['ansible_host', 'ip'])).toEqual({ host: host.name, ansible_host: host.address, ip: host.address });
    }
  });

  test('every host, dedicated etcd hosts outside k8s_cluster included, gets the cluster\'s variables from group_vars/all', () => {
    const expected = {
      kube_version: spec.kubernetesVersion,
      cluster_name: spec.name,
      dns_domain: spec.networking.dnsDomain,
      // The pod network is a Helm release; Kubespray installs the CNI binaries only.
      kube_network_plugin: 'cni',
      kube_pods_subnet: spec.networking.podCidr,
      kube_service_addresses: spec.networking.serviceCidr,
      // No environment sets it: Kubernetes' own default for IPv4.
      kube_network_node_prefix: 24,
      kube_proxy_mode: spec.kubeProxy!.mode,
      container_manager: 'containerd',
      // Prometheus scrapes kube-proxy and etcd from other nodes.
      kube_proxy_metrics_bind_address: '0.0.0.0:10249',
      etcd_listen_metrics_urls: 'http://0.0.0.0:2381',
      // The add-ons bring the approver of kubelet serving certificates, for both installers.
      kubelet_csr_approver_enabled: false,
    };
    expect(layer.nodeCidrMaskSize).toBe(24);
    expect(hostsOf(inventory, 'k8s_cluster').sort()).toEqual(names([...controlPlaneHosts, ...layer.pools.flatMap(pool => pool.hosts)]).sort());
    for (const host of Object.keys(inventory.hostvars)) {
      expect(variables(host, Object.keys(expected))).toEqual({ host, ...expected });
    }
  });

  test('each pool\'s hosts get the pool\'s kubelet variables, hard eviction included', () => {
    for (const pool of layer.pools) {
      const expected = { ...kubeletVariables(pool), eviction_hard: { ...pool.kubelet.evictionHard } };
      for (const host of names(pool.hosts)) {
        expect(variables(host, Object.keys(expected))).toEqual({ host, ...expected });
      }
    }
  });

  test('control plane hosts get the control plane\'s kubelet variables, and no pool\'s', () => {
    const expected = kubeletVariables(controlPlane.nodes);
    for (const host of names(controlPlaneHosts)) {
      expect(variables(host, Object.keys(expected))).toEqual({ host, ...expected });
    }
    expect(Object.keys(files)).toContain('group_vars/kube_control_plane/kubelet.yml');
  });

  // Kubespray's kubelet template reads only eviction_hard (since v2.27), and at the pinned commit
  // validate_inventory stops the run on removed variables such as eviction_hard_control_plane.
  test('control plane hosts get their hard eviction thresholds as eviction_hard, and no host a removed variable', () => {
    for (const host of names(controlPlaneHosts)) {
      expect({ host, eviction_hard: inventory.hostvars[host].eviction_hard }).toEqual({ host, eviction_hard: { ...controlPlane.nodes.kubelet.evictionHard } });
    }
    const removed = Object.entries(inventory.hostvars).flatMap(([host, vars]) => REMOVED_BY_KUBESPRAY.filter(name => name in vars).map(name => `${host}: ${name}`));
    expect(removed).toEqual([]);
  });

  test('each node gets its pool\'s labels and taints', () => {
    for (const host of names(controlPlaneHosts)) {
      expect(variables(host, ['node_labels', 'node_taints'])).toEqual({
        host, node_labels: { 'prodk8s.io/node-pool': 'control-plane' }, node_taints: ['node-role.kubernetes.io/control-plane:NoSchedule'],
      });
    }
    for (const pool of spec.nodePools) {
      const hosts = names(layer.pools.find(p => p.name === pool.name)!.hosts);
      expect(hosts).toHaveLength(pool.count!);
      for (const host of hosts) {
        expect(variables(host, ['node_labels', 'node_taints'])).toEqual({
          host, node_labels: { ...pool.labels, 'prodk8s.io/node-pool': pool.name }, node_taints: (pool.taints ?? []).map(taintText),
        });
      }
    }
  });

  test('hosts behind a load-balanced API endpoint get loadbalancer_apiserver from group_vars/all', () => {
    const endpoint = spec.controlPlane.endpoint;
    if (controlPlaneHosts.length > 1) {
      expect(endpoint).toBeDefined();
      for (const host of allHosts) {
        expect(variables(host.name, ['loadbalancer_apiserver', 'apiserver_loadbalancer_domain_name'])).toEqual({
          host: host.name, loadbalancer_apiserver: { address: endpoint!.address, port: endpoint!.port ?? 6443 }, apiserver_loadbalancer_domain_name: endpoint!.address,
        });
      }
    } else {
      expect(Object.keys(files)).not.toContain('group_vars/all/all.yml');
      for (const host of allHosts) {
        expect(variables(host.name, ['loadbalancer_apiserver', 'apiserver_loadbalancer_domain_name'])).toEqual({ host: host.name });
      }
    }
  });

  test('leaves the pod network to its Helm release: no CNI variables file, no Calico or Flannel variable', () => {
    expect(Object.keys(files).filter(path => path.includes('k8s-net-'))).toEqual([]);
    for (const host of hostsOf(inventory, 'k8s_cluster')) {
      expect(Object.keys(inventory.hostvars[host]).filter(name => /^(calico|flannel)_/.test(name))).toEqual([]);
    }
  });
});

describe('the prod inventory, hand-checked', () => {
  let inventory: AnsibleInventory;
  beforeAll(() => {
    inventory = inventories.prod;
  });
  const specPool = (name: string): NodePoolSpec => prod.nodePools.find(pool => pool.name === name)!;

  test('the GPU pool has its own reservations, pod limit and CPU and topology managers; the general pool has the defaults', () => {
    const gpu = specPool('gpu');
    expect(inventory.hostvars['prod-gpu-2']).toMatchObject({
      ansible_host: '10.30.4.11',
      kube_cpu_reserved: gpu.kubelet!.kubeReserved!.cpu,
      kube_memory_reserved: gpu.kubelet!.kubeReserved!.memory,
      kubelet_max_pods: gpu.sku.maxPods,
      kubelet_cpu_manager_policy: gpu.kubelet!.cpuManagerPolicy,
      kubelet_topology_manager_policy: gpu.kubelet!.topologyManagerPolicy,
      kubelet_topology_manager_scope: gpu.kubelet!.topologyManagerScope,
    });
    expect(inventory.hostvars['prod-gpu-2']).toMatchObject({ kube_cpu_reserved: '1', kube_memory_reserved: '8Gi', kubelet_max_pods: 64 });
    // 32 cores: 60m + 10m + 2 × 5m + 28 × 2.5m = 150m. 128Gi: 25% of 4Gi + 20% of 4Gi + 10% of 8Gi + 6% of 112Gi = 9543.68Mi, rounded up.
    expect(inventory.hostvars['prod-general-6']).toMatchObject({
      ansible_host: '10.30.1.15', kube_cpu_reserved: '150m', kube_memory_reserved: '9544Mi', kubelet_max_pods: 110,
    });
    for (const name of ['kubelet_cpu_manager_policy', 'kubelet_topology_manager_policy', 'kubelet_topology_manager_scope']) {
      expect(inventory.hostvars['prod-general-6']).not.toHaveProperty(name);
    }
    // Both share the general kubelet profile's soft eviction.
    expect(inventory.hostvars['prod-gpu-1'].kubelet_config_extra_args).toEqual(inventory.hostvars['prod-general-1'].kubelet_config_extra_args);
    expect(inventory.hostvars['prod-gpu-1'].kubelet_config_extra_args.evictionSoft).toEqual({ 'memory.available': '1Gi', 'nodefs.available': '15%' });
  });

  test('the entry pool, without a kubelet profile, has no soft eviction', () => {
    expect(inventory.hostvars['prod-entry-1']).not.toHaveProperty('kubelet_config_extra_args');
    expect(inventory.hostvars['prod-entry-1'].node_taints).toEqual(['prodk8s.io/entry=true:NoSchedule']);
  });

  test('only the search pool raises vm.max_map_count', () => {
    const maxMapCount = (host: string) => inventory.hostvars[host].additional_sysctl.find((s: any) => s.name === 'vm.max_map_count')?.value;
    expect(maxMapCount('prod-search-4')).toBe('262144');
    expect(maxMapCount('prod-general-1')).toBeUndefined();
    expect(maxMapCount('prod-control-plane-1')).toBeUndefined();
  });

  test('the dedicated etcd members are named, outside the Kubernetes groups, and find the API through the virtual IP', () => {
    expect(['prod-etcd-1', 'prod-etcd-2', 'prod-etcd-3'].map(host => inventory.hostvars[host])).toEqual([1, 2, 3].map(n => expect.objectContaining({
      ansible_host: `10.30.0.2${n}`,
      ip: `10.30.0.2${n}`,
      etcd_member_name: `etcd${n}`,
      apiserver_loadbalancer_domain_name: '10.30.0.5',
      loadbalancer_apiserver: { address: '10.30.0.5', port: 6443 },
    })));
    for (const host of ['prod-etcd-1', 'prod-etcd-2', 'prod-etcd-3']) {
      expect(inventory.hostvars[host]).not.toHaveProperty('node_labels');
      expect(inventory.hostvars[host]).not.toHaveProperty('kubelet_max_pods');
    }
  });

  test('the dedicated etcd members get what Kubespray\'s etcd roles read, metrics on 2381 included', () => {
    for (const host of ['prod-etcd-1', 'prod-etcd-2', 'prod-etcd-3']) {
      expect(inventory.hostvars[host]).toMatchObject({
        etcd_listen_metrics_urls: 'http://0.0.0.0:2381', dns_domain: 'cluster.local', container_manager: 'containerd', kube_network_plugin: 'cni',
      });
    }
  });

  test('prod\'s registry mirrors, as Kubespray writes them into containerd\'s hosts.toml', () => {
    expect(inventory.hostvars['prod-general-1'].containerd_registries_mirrors).toEqual(['docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io'].map(prefix => ({
      prefix,
      server: prefix === 'docker.io' ? 'https://registry-1.docker.io' : `https://${prefix}`,
      mirrors: [{ host: 'https://mirror.prod.example.com', capabilities: ['pull', 'resolve'], skip_verify: false }],
    })));
  });

  test('nftables kube-proxy in prod', () => {
    expect(inventory.hostvars['prod-control-plane-3']).toMatchObject({ kube_proxy_mode: 'nftables', kube_network_plugin: 'cni' });
  });
});

describe('the staging inventory, whose images come from one registry', () => {
  test('every host pulls every image Kubespray installs from it, upstream paths kept (Kubespray\'s offline layout)', () => {
    const inventory = inventories.staging;
    for (const host of Object.keys(inventory.hostvars)) {
      expect(inventory.hostvars[host]).toMatchObject({
        kube_image_repo: 'registry.staging.example.com/k8s', gcr_image_repo: 'registry.staging.example.com/k8s',
        docker_image_repo: 'registry.staging.example.com/k8s', quay_image_repo: 'registry.staging.example.com/k8s',
        github_image_repo: 'registry.staging.example.com/k8s',
      });
      expect(inventory.hostvars[host]).not.toHaveProperty('containerd_registries_mirrors');
    }
    expect(inventories.prod.hostvars['prod-general-1']).not.toHaveProperty('kube_image_repo');
  });
});

describe('the Kubespray inventory of a Flannel cluster, read by ansible-inventory', () => {
  const spec = clusterSpec({ name: 'flannel', cni: { plugin: 'flannel', flannelBackend: 'host-gw', acceptUnenforcedNetworkPolicies: true } });
  const files = inventoryFiles(renderEnvironments([spec]).files, 'flannel');
  let inventory: AnsibleInventory;
  beforeAll(() => {
    inventory = ansibleInventory(files);
  });

  test('installs the CNI binaries only, whichever plugin the Helm release brings', () => {
    expect(inventory.stderr).toBe('');
    for (const host of hostsOf(inventory, 'k8s_cluster')) {
      expect(inventory.hostvars[host]).toMatchObject({ kube_network_plugin: 'cni' });
      expect(Object.keys(inventory.hostvars[host]).filter(name => /^(calico|flannel)_/.test(name))).toEqual([]);
    }
  });
});

describe('ansibleInventory', () => {
  const HOSTS = 'all:\n  hosts:\n    node-1:\n      ansible_host: 10.0.0.1\n  children:\n    workers:\n      hosts:\n        node-1: {}\n';

  test('merges group_vars next to hosts.yaml into the hosts\' variables, the child group\'s over all\'s', () => {
    const inventory = ansibleInventory({
      'hosts.yaml': HOSTS,
      'group_vars/all/a.yml': 'shared: from-all\noverridden: from-all\n',
      'group_vars/workers/b.yml': 'overridden: from-workers\n',
    });
    expect(inventory.hostvars['node-1']).toEqual({ ansible_host: '10.0.0.1', shared: 'from-all', overridden: 'from-workers' });
    expect(inventory.groups.workers).toEqual({ hosts: ['node-1'], children: [] });
  });

  test('throws on malformed YAML in hosts.yaml, which plain ansible-inventory only warns about', () => {
    const files = inventoryFiles(RENDERED, 'prod');
    expect(() => ansibleInventory({ ...files, 'hosts.yaml': `${files['hosts.yaml']}\n  - [unclosed\n` }))
      .toThrow(/ansible-inventory failed \(exit \d+\):[\s\S]*hosts\.yaml/);
  });

  test('throws on a hosts.yaml that is YAML but no inventory', () => {
    // Ansible wraps its warnings at 79 columns, wherever the temporary path puts the break.
    expect(() => ansibleInventory({ 'hosts.yaml': '- node-1\n- node-2\n' })).toThrow(/invalid\s+structure/);
  });

  test('throws on malformed YAML in group_vars', () => {
    expect(() => ansibleInventory({ 'hosts.yaml': HOSTS, 'group_vars/workers/bad.yml': 'list: [1, 2\n' })).toThrow(/group_vars\/workers\/bad\.yml/);
  });

  test('returns Ansible\'s warnings, such as a misspelt key', () => {
    const inventory = ansibleInventory({ 'hosts.yaml': HOSTS.replace('      hosts:\n        node-1', '      hostz:\n        node-1') });
    expect(inventory.stderr).toMatch(/unexpected key \(hostz\) in group \(workers\)/);
  });

  test('fails, saying what to install, when ansible-inventory is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => ansibleInventory({ 'hosts.yaml': HOSTS })).toThrow(/ansible-inventory is not installed.*Debian's ansible-core/);
    } finally {
      process.env.PATH = path;
    }
  });
});
