import { Testing } from 'cdk8s';
import { DEFAULT_MAX_PODS, isKubeletSettableLabel, NodePool, NodePoolProps, NodePoolSpec, PROTECTED_KERNEL_DEFAULTS } from '../../../constructs';
import { generalPool, gpuPool } from '../../fixtures/cluster-spec';
import { problemsOf, synthObjects } from '../../helpers/objects';

function props(overrides: Partial<NodePoolProps> = {}, spec: NodePoolSpec = generalPool()): NodePoolProps {
  return { ...spec, clusterName: 'test', ...overrides };
}
function poolOf(overrides: Partial<NodePoolProps> = {}, spec?: NodePoolSpec): NodePool {
  return new NodePool(Testing.chart(), 'pool', props(overrides, spec));
}
function poolProblems(overrides: Partial<NodePoolProps> = {}, spec?: NodePoolSpec): string[] {
  return problemsOf(chart => new NodePool(chart, 'pool', props(overrides, spec)));
}
const SKU = generalPool().sku;
const NODE_RESTRICTION_RULE = 'the NodeRestriction admission plugin forbids kubelets to set labels under kubernetes.io/ or k8s.io/ '
  + '(use your own prefix, or node.kubernetes.io/)';

describe('NodePool', () => {
  describe('the general pool fixture', () => {
    const pool = poolOf();

    test('is valid and adds no Kubernetes object to the chart', () => {
      expect(poolProblems()).toEqual([]);
      expect(synthObjects(chart => new NodePool(chart, 'pool', props()))).toEqual([]);
    });

    test('names its counted hosts <cluster>-<pool>-<n> at consecutive addresses', () => {
      expect(pool.name).toBe('general');
      expect(pool.hosts).toEqual([
        { name: 'test-general-1', address: '10.0.1.10' },
        { name: 'test-general-2', address: '10.0.1.11' },
        { name: 'test-general-3', address: '10.0.1.12' },
      ]);
    });

    test('labels its nodes with the pool, has no taint and is shared', () => {
      expect(pool.nodeLabels).toEqual({ 'prodk8s.io/node-pool': 'general' });
      expect(pool.taints).toEqual([]);
      expect(pool.isShared).toBe(true);
    });

    test('sets only the kernel parameters the hardened kubelet requires', () => {
      expect(pool.sysctls).toEqual(PROTECTED_KERNEL_DEFAULTS);
      expect(PROTECTED_KERNEL_DEFAULTS).toEqual({
        'kernel.keys.root_maxbytes': '25000000', 'kernel.keys.root_maxkeys': '1000000', 'kernel.panic': '10', 'kernel.panic_on_oops': '1',
        'vm.overcommit_memory': '1', 'vm.panic_on_oom': '0',
      });
    });

    test('resolves the kubelet for its SKU and does not overcommit', () => {
      expect(pool.sku).toEqual(SKU);
      expect(pool.kubelet.kubeReserved).toEqual({ cpu: '90m', memory: '3646Mi', ephemeralStorage: '1Gi', pid: 1000 });
      expect(pool.kubelet.maxPods).toBe(DEFAULT_MAX_PODS);
      expect(pool.requestOvercommit).toBe('1');
    });

    test('gives each node 8 cores − 190m, 32Gi − 4402Mi and 100Gi − 12Gi to pods', () => {
      const allocatable = pool.allocatable!;
      // cpu: kube 90m + system 100m; memory: kube 3646Mi + system 256Mi + hard 500Mi; disk: 1Gi + 1Gi + 10% of 100Gi.
      expect(allocatable.cpu.toString()).toBe('7810m');
      expect(allocatable.memory.toString()).toBe('28366Mi');
      expect(allocatable.ephemeralStorage.toString()).toBe('88Gi');
      expect(allocatable.pods.toString()).toBe('110');
      expect(allocatable.extended).toEqual({});
    });

    test('writes a KubeletConfiguration that restates every default hard threshold', () => {
      const config = pool.kubeletConfiguration('cluster.local') as any;
      expect(config.clusterDomain).toBe('cluster.local');
      expect(config.maxPods).toBe(110);
      expect(config.evictionHard).toEqual({
        'memory.available': '500Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%',
      });
      expect(config.kubeReserved).toEqual({ 'cpu': '90m', 'memory': '3646Mi', 'ephemeral-storage': '1Gi', 'pid': '1000' });
      expect(config.systemReserved).toEqual({ 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '1Gi', 'pid': '1000' });
      expect(config.protectKernelDefaults).toBe(true);
      expect(config.evictionSoft).toBeUndefined();
    });
  });

  describe('the GPU pool fixture', () => {
    const pool = poolOf({}, gpuPool());

    test('is valid, tainted and so not shared', () => {
      expect(poolProblems({}, gpuPool())).toEqual([]);
      expect(pool.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
      expect(pool.isShared).toBe(false);
      expect(pool.hosts.map(h => h.address)).toEqual(['10.0.2.10', '10.0.2.11']);
    });

    test('advertises its extended resources whole and scales kube-reserved to 32 cores and 256Gi', () => {
      const allocatable = pool.allocatable!;
      expect(allocatable.extended['nvidia.com/gpu'].toString()).toBe('4');
      // kube-reserved 150m + system 100m.
      expect(allocatable.cpu.toString()).toBe('31750m');
      // kube-reserved 9543.68Mi + 2% × 128Gi (2621.44Mi) = 12165.12Mi → 12166Mi; + 256Mi + 500Mi = 12922Mi.
      expect(pool.kubelet.kubeReserved.memory).toBe('12166Mi');
      expect(allocatable.memory.toString()).toBe('249222Mi');
    });
  });

  describe('hosts', () => {
    test('takes listed hosts as they are, ignoring the naming rule', () => {
      const hosts = [{ name: 'gpu-a', address: '192.168.7.20' }, { name: 'gpu-b', address: 'fd00::21' }];
      const pool = poolOf({ count: undefined, firstAddress: undefined, hostnamePattern: 'ignored-{index}', hosts });
      expect(pool.hosts).toEqual(hosts);
      expect(pool.hosts).not.toBe(hosts);
    });

    test('names counted hosts by the pool\'s pattern', () => {
      expect(poolOf({ count: 2, hostnamePattern: 'worker-{index}.rack1' }).hosts).toEqual([
        { name: 'worker-1.rack1', address: '10.0.1.10' },
        { name: 'worker-2.rack1', address: '10.0.1.11' },
      ]);
    });

    test('reports host set problems under the pool\'s field', () => {
      expect(poolProblems({ count: 2, hosts: [{ name: 'w-1', address: '10.0.1.10' }] })).toEqual([
        '[test/pool] general.count = 2: give either hosts or a count, not both',
      ]);
      expect(poolProblems({ field: 'nodePools[3]', firstAddress: '10.0.1' })).toEqual([
        '[test/pool] nodePools[3].firstAddress = "10.0.1": must be the IPv4 address of the first counted host, such as 10.0.1.10',
      ]);
    });
  });

  describe('name', () => {
    test.each([['GPU'], ['gpu_pool'], ['-gpu'], ['a'.repeat(64)]])('refuses the pool name %p', name => {
      expect(poolProblems({ name, field: 'nodePools[0]', hostnamePattern: 'w-{index}' })).toEqual([
        `[test/pool] nodePools[0].name = "${name}": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`,
      ]);
    });

    test('labels the nodes with the pool name, over a label of the same key', () => {
      const pool = poolOf({ labels: { 'prodk8s.io/node-pool': 'other', 'example.com/team': 'ml' } });
      expect(pool.nodeLabels).toEqual({ 'prodk8s.io/node-pool': 'general', 'example.com/team': 'ml' });
    });
  });

  describe('SKU', () => {
    test.each<[string, Partial<NodePoolProps['sku']>, string]>([
      ['zero cores', { cpu: '0' }, 'general.sku.cpu = "0": must be a positive quantity of cores'],
      ['negative cores', { cpu: '-8' }, 'general.sku.cpu = "-8": must be a positive quantity of cores'],
      ['cores that are no quantity', { cpu: 'eight' }, 'general.sku.cpu = "eight": must be a positive quantity of cores'],
      ['no memory', { memory: '0Gi' }, 'general.sku.memory = "0Gi": must be a positive quantity of memory'],
      ['memory in a unit Kubernetes does not know', { memory: '32GiB' }, 'general.sku.memory = "32GiB": must be a positive quantity of memory'],
      ['a disk that is no quantity', { ephemeralStorage: '100 Gi' }, 'general.sku.ephemeralStorage = "100 Gi": must be a positive quantity of disk'],
      ['no pods', { maxPods: 0 }, 'general.sku.maxPods = 0: must be a whole number, one or more'],
      ['a fractional pod count', { maxPods: 1.5 }, 'general.sku.maxPods = 1.5: must be a whole number, one or more'],
    ])('refuses %s, and computes no allocatable then', (_, sku, message) => {
      const overrides = { sku: { ...SKU, ...sku } };
      expect(poolProblems(overrides)).toEqual([`[test/pool] ${message}`]);
      expect(poolOf(overrides).allocatable).toBeUndefined();
    });

    test('takes the pod count of the SKU', () => {
      const pool = poolOf({ sku: { ...SKU, maxPods: 250 } });
      expect(pool.kubelet.maxPods).toBe(250);
      expect(pool.allocatable!.pods.toString()).toBe('250');
    });

    test('wants extended resources under a domain, in quantities of zero or more', () => {
      expect(poolProblems({ sku: { ...SKU, extendedResources: { 'gpu': '1', 'example.com/fpga': '-1', 'example.com/nic': 'two', 'example.com/ssd': '0' } } }))
        .toEqual([
          '[test/pool] general.sku.extendedResources = "gpu": extended resource names are domain-prefixed, such as nvidia.com/gpu',
          '[test/pool] general.sku.extendedResources.example.com/fpga = "-1": must be a quantity, zero or more',
          '[test/pool] general.sku.extendedResources.example.com/nic = "two": must be a quantity, zero or more',
        ]);
    });

    test('refuses an extended resource name that is no qualified name', () => {
      expect(poolProblems({ sku: { ...SKU, extendedResources: { 'Nvidia_Com/gpu': '1' } } })).toEqual([
        '[test/pool] general.sku.extendedResources = "Nvidia_Com/gpu": extended resource names are domain-prefixed, such as nvidia.com/gpu',
      ]);
    });
  });

  describe('allocatable', () => {
    test('refuses memory the reservations and the hard threshold take more than all of', () => {
      // 768Mi − (kube 25% × 768Mi = 192Mi + system 256Mi + hard 500Mi) = −180Mi.
      const overrides = { sku: { ...SKU, memory: '768Mi' } };
      expect(poolProblems(overrides)).toEqual([
        '[test/pool] general.sku.memory = "768Mi": leaves no memory to pods: the reservations and the hard eviction threshold take more than it',
      ]);
      expect(poolOf(overrides).allocatable!.memory.toString()).toBe('-180Mi');
    });

    test('refuses cpu the reservations take all of', () => {
      expect(poolProblems({ sku: { ...SKU, cpu: '300m' }, kubelet: { kubeReserved: { cpu: '200m' } } })).toEqual([
        '[test/pool] general.sku.cpu = "300m": leaves no cpu to pods: the reservations and the hard eviction threshold take all of it',
      ]);
    });

    test('refuses a disk the reservations and nodefs.available take', () => {
      // 2Gi − 1Gi − 1Gi − 10% of 2Gi.
      expect(poolProblems({ sku: { ...SKU, ephemeralStorage: '2Gi' } })).toEqual([
        '[test/pool] general.sku.ephemeralStorage = "2Gi": leaves no ephemeralStorage to pods: the reservations and the hard eviction threshold take more than it',
      ]);
    });

    test('accepts a node with one millicore left', () => {
      expect(poolProblems({ sku: { ...SKU, cpu: '301m' }, kubelet: { kubeReserved: { cpu: '200m' } } })).toEqual([]);
    });

    test('computes no allocatable, and no allocatable problem, while the kubelet profile is invalid', () => {
      const overrides = { sku: { ...SKU, memory: '768Mi' }, kubelet: { systemReserved: { memory: 'lots' } } };
      expect(poolOf(overrides).allocatable).toBeUndefined();
      expect(poolProblems(overrides)).toEqual([
        '[test/pool] general.kubelet.systemReserved.memory = "lots": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi',
      ]);
    });
  });

  describe('labels', () => {
    test('accepts labels under the pool\'s own prefix and those the kubelet may set', () => {
      const labels = { 'example.com/team': 'ml', 'disk': 'ssd', 'node.kubernetes.io/disk': 'nvme', 'topology.kubernetes.io/zone': 'eu-1a' };
      expect(poolProblems({ labels })).toEqual([]);
      expect(poolOf({ labels }).nodeLabels).toEqual({ ...labels, 'prodk8s.io/node-pool': 'general' });
    });

    test('checks label keys and values', () => {
      expect(poolProblems({ labels: { 'bad key': 'x', 'example.com/tier': 'not ok' } })).toEqual([
        '[test/pool] general.labels = "bad key": label keys must be an optional DNS subdomain prefix and \'/\' followed by a name of at most 63 characters',
        '[test/pool] general.labels.example.com/tier = "not ok": label values must be at most 63 characters of letters, digits, \'-\', \'_\' or \'.\', '
        + 'starting and ending with a letter or digit',
      ]);
    });

    test.each([['node-role.kubernetes.io/worker'], ['kubernetes.io/role'], ['k8s.io/team'], ['example.k8s.io/team'],
      ['node-restriction.kubernetes.io/dedicated'], ['topology.kubernetes.io/rack']])('refuses the label %p, which NodeRestriction forbids', key => {
      expect(poolProblems({ labels: { [key]: 'x' } })).toEqual([`[test/pool] general.labels = "${key}": ${NODE_RESTRICTION_RULE}`]);
    });
  });

  describe('isKubeletSettableLabel', () => {
    test.each([
      'kubernetes.io/hostname', 'kubernetes.io/arch', 'kubernetes.io/os', 'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
      'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone', 'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
      'kubelet.kubernetes.io/anything', 'node.kubernetes.io/anything',
      // Not under kubernetes.io or k8s.io at all.
      'example.com/team', 'team', 'mykubernetes.io/team', 'k8s.io.example.com/team',
    ])('allows %s', key => expect(isKubeletSettableLabel(key)).toBe(true));

    test.each([
      'kubernetes.io/role', 'node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/worker', 'k8s.io/team', 'sub.k8s.io/team',
      'node-restriction.kubernetes.io/pool', 'kubernetes.io/instance-type-x',
    ])('forbids %s', key => expect(isKubeletSettableLabel(key)).toBe(false));

    // NodeRestriction allows [*.]kubelet.kubernetes.io, [*.]node.kubernetes.io and the legacy beta.kubernetes.io/os and /arch.
    test.each(['example.node.kubernetes.io/disk', 'example.kubelet.kubernetes.io/x', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch'])(
      'allows %s, as NodeRestriction does', key => expect(isKubeletSettableLabel(key)).toBe(true));
  });

  describe('taints', () => {
    test('checks each taint\'s key and effect', () => {
      expect(poolProblems({ taints: [{ key: 'dedicated', effect: 'NoSchedule' }, { key: 'bad key', effect: 'Never' as any }] })).toEqual([
        '[test/pool] general.taints[1].key = "bad key": must be a qualified name such as prodk8s.io/dedicated',
        '[test/pool] general.taints[1].effect = "Never": must be one of "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ]);
    });

    test('stays shared with only PreferNoSchedule taints', () => {
      expect(poolOf({ taints: [{ key: 'example.com/slow', effect: 'PreferNoSchedule' }] }).isShared).toBe(true);
      expect(poolOf({ taints: [{ key: 'example.com/slow', effect: 'PreferNoSchedule' }, { key: 'example.com/drain', effect: 'NoExecute' }] }).isShared)
        .toBe(false);
    });

    // A taint value follows the label value rules, or the node fails to register with its taints.
    test('refuses a taint value that is no label value', () => {
      expect(poolProblems({ taints: [{ key: 'example.com/dedicated', value: 'team a', effect: 'NoSchedule' }] })).toEqual([
        '[test/pool] general.taints[0].value = "team a": must be at most 63 characters of letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      ]);
    });
  });

  describe('sysctls', () => {
    test('adds the pool\'s kernel parameters to the required ones', () => {
      const pool = poolOf({ sysctls: { 'vm.max_map_count': '262144', 'net.ipv4.tcp_keepalive_time': '600' } });
      expect(pool.sysctls).toEqual({ ...PROTECTED_KERNEL_DEFAULTS, 'vm.max_map_count': '262144', 'net.ipv4.tcp_keepalive_time': '600' });
      expect(poolProblems({ sysctls: { 'vm.max_map_count': '262144', 'net.ipv4.conf.all.rp_filter': '1' } })).toEqual([]);
    });

    test.each([['VM.max_map_count'], ['kernel'], ['net/ipv4/ip_forward'], ['.vm.swappiness']])('refuses the parameter name %p', name => {
      expect(poolProblems({ sysctls: { [name]: '1' } })).toEqual([
        `[test/pool] general.sysctls = "${name}": must be a kernel parameter name such as vm.max_map_count`,
      ]);
    });

    test('refuses to change a kernel default the kubelet protects', () => {
      expect(poolProblems({ sysctls: { 'vm.overcommit_memory': '0', 'kernel.panic': '0' } })).toEqual([
        '[test/pool] general.sysctls.vm.overcommit_memory = "0": must stay 1: the kubelet\'s protectKernelDefaults refuses to start otherwise',
        '[test/pool] general.sysctls.kernel.panic = "0": must stay 10: the kubelet\'s protectKernelDefaults refuses to start otherwise',
      ]);
    });

    test('accepts a protected kernel default restated with its value', () => {
      expect(poolProblems({ sysctls: { 'vm.overcommit_memory': '1', 'kernel.keys.root_maxbytes': '25000000' } })).toEqual([]);
    });
  });

  describe('requestOvercommit', () => {
    test.each([['1'], ['1.5'], ['0.75'], ['2']])('accepts %p', factor => {
      expect(poolProblems({ requestOvercommit: factor })).toEqual([]);
      expect(poolOf({ requestOvercommit: factor }).requestOvercommit).toBe(factor);
    });

    test.each([['0'], ['0.0'], ['-1'], ['1e2'], ['1,5'], ['.5'], ['150%'], ['']])('refuses %p', factor => {
      expect(poolProblems({ requestOvercommit: factor })).toEqual([
        `[test/pool] general.requestOvercommit = "${factor}": must be a positive decimal factor such as 1 or 1.5`,
      ]);
    });
  });

  test('prefixes every field with the pool\'s field in the cluster spec', () => {
    expect(poolProblems({ field: 'nodePools[2]', requestOvercommit: '0', kubelet: { containerLogMaxFiles: 1 }, sysctls: { 'vm.panic_on_oom': '1' } }))
      .toEqual([
        '[test/pool] nodePools[2].kubelet.containerLogMaxFiles = 1: must be a whole number, 2 or more: the kubelet keeps the live file and at least one rotated one',
        '[test/pool] nodePools[2].sysctls.vm.panic_on_oom = "1": must stay 0: the kubelet\'s protectKernelDefaults refuses to start otherwise',
        '[test/pool] nodePools[2].requestOvercommit = "0": must be a positive decimal factor such as 1 or 1.5',
      ]);
  });
});
