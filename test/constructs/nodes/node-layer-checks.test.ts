import { ClusterSpec, parsePortRange, ProductionCluster } from '../../../constructs';
import { clusterSpec, entryPool, generalPool, gpuPool } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

const WITH_ENTRY = [generalPool(), gpuPool(), entryPool()];

function clusterProblems(overrides: Partial<ClusterSpec>): string[] {
  return problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));
}

describe('node layer cross-checks', () => {
  test.each<[string, Partial<ClusterSpec>, string]>([
    ['a pool that turns off forwarding', { nodePools: [generalPool({ sysctls: { 'net.ipv4.ip_forward': '0' } })] },
      'nodePools[0].sysctls.net.ipv4.ip_forward = "0": must be 1: nodes route pod traffic with it (kubeadm\'s preflight checks it)'],
    ['a node name used twice', { nodePools: [generalPool(), gpuPool({ count: 1, hostnamePattern: 'test-general-{index}' })] },
      'nodePools[1].hosts[0].name = "test-general-1": is already the name of nodePools[0].hosts[0]: node names must be unique in the cluster'],
    ['an address used twice', { nodePools: [generalPool(), gpuPool({ firstAddress: '10.0.1.12' })] },
      'nodePools[1].hosts[0].address = "10.0.1.12": is already the address of nodePools[0].hosts[2]'],
    ['a pool named like the control plane', { nodePools: [generalPool({ name: 'control-plane', hostnamePattern: 'worker-{index}' })] },
      'nodePools[0].name = "control-plane": "control-plane" is the name of the control plane\'s nodes'],
    ['a node mask that leaves too few node ranges', { networking: { podCidr: '10.244.0.0/22', serviceCidr: '10.96.0.0/12' } },
      'networking.nodeCidrMaskSize = 24: gives 4 node ranges of /24 in networking.podCidr (10.244.0.0/22), fewer than the 6 nodes'],
    ['a node mask wider than the pod CIDR', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidrMaskSize: 12 } },
      'networking.nodeCidrMaskSize = 12: gives 0 node ranges of /12'],
    ['a node mask that is no prefix length', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidrMaskSize: 33 } },
      'networking.nodeCidrMaskSize = 33: must be a prefix length from 1 to 32'],
    ['a node port range that is not one', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodePortRange: '32767-30000' } },
      'networking.nodePortRange = "32767-30000": must be a port range such as 30000-32767'],
    ['an entry NodePort outside the range', { nodePools: WITH_ENTRY, entry: { namespace: 'nginx-entry', nodePorts: { http: 30080, https: 443 } } },
      'entry.nodePorts.https = 443: must lie in networking.nodePortRange (30000-32767): the API server refuses other NodePorts'],
    ['an entry NodePort outside a narrowed range',
      { nodePools: WITH_ENTRY, networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodePortRange: '31000-31999' },
        entry: { namespace: 'nginx-entry', nodePorts: { http: 30080, https: 31443 } } },
      'entry.nodePorts.http = 30080: must lie in networking.nodePortRange (31000-31999)'],
    ['an unknown network plugin', { cni: { plugin: 'weave' as any } },
      'cni.plugin = "weave": must be one of "calico", "flannel"'],
    ['a Flannel backend with Calico', { cni: { plugin: 'calico', flannelBackend: 'vxlan' } },
      'cni.flannelBackend = "vxlan": applies to plugin flannel only'],
    ['Calico settings with Flannel', { cni: { plugin: 'flannel', calicoEncapsulation: 'VXLAN', acceptUnenforcedNetworkPolicies: true } },
      'cni.calicoEncapsulation = "VXLAN": applies to plugin calico only'],
    ['an unknown kube-proxy mode', { kubeProxy: { mode: 'userspace' as any } },
      'kubeProxy.mode = "userspace": must be one of "iptables", "nftables", "ipvs"'],
    ['IPVS settings without IPVS', { kubeProxy: { mode: 'iptables', ipvsStrictArp: true } },
      'kubeProxy.mode = "iptables": ipvsScheduler and ipvsStrictArp need mode ipvs'],
    ['an unknown IPVS scheduler', { kubeProxy: { mode: 'ipvs', ipvsScheduler: 'random' as any } },
      'kubeProxy.ipvsScheduler = "random": must be one of'],
    ['nftables before Kubernetes 1.33', { kubernetesVersion: '1.32.9', outputs: { kubespray: false }, kubeProxy: { mode: 'nftables' } },
      'kubeProxy.mode = "nftables": nftables is GA from Kubernetes 1.33 only'],
    ['a version the pinned Kubespray does not install', { kubernetesVersion: '1.33.4' },
      'kubernetesVersion = "1.33.4": the pinned Kubespray (46dbdd3) installs 1.34.0 to 1.36.4 only; pick one of those, or set outputs.kubespray to false'],
    ['a patch release newer than the pinned Kubespray knows', { kubernetesVersion: '1.36.5' },
      'kubernetesVersion = "1.36.5": the pinned Kubespray (46dbdd3) installs 1.34.0 to 1.36.4 only'],
    ['an entry pool without a taint', { nodePools: [generalPool(), gpuPool(), { ...gpuPool(), name: 'entry', role: 'entry', firstAddress: '10.0.3.10', taints: [] }] },
      'nodePools[2].taints = []: an entry pool needs a NoSchedule or NoExecute taint, or tenant pods land on the entry nodes'],
  ])('reports %s', (_, overrides, message) => {
    const problems = clusterProblems(overrides);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`[test/cluster] ${message}`);
  });

  test('reports every pool whose pods do not fit a node range, without Calico', () => {
    const problems = clusterProblems({
      cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true },
      networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidrMaskSize: 26 },
      nodePools: [generalPool({ sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi', maxPods: 62 } })],
    });
    expect(problems).toEqual(['[test/cluster] controlPlane.sku.maxPods = 110: must fit the node\'s pod range: a /26 holds 62 pods']);
  });

  test('leaves distinct entry NodePorts to the entry\'s own check', () => {
    expect(clusterProblems({ nodePools: WITH_ENTRY, entry: { namespace: 'nginx-entry', nodePorts: { http: 30443, https: 30443 } } })).toEqual([
      '[test/cluster/addons/entry] exposure.nodePorts.https = 30443: must differ from exposure.nodePorts.http: a NodePort serves one Service port',
    ]);
  });

  test('accepts entry NodePorts inside the range, at its very ends too', () => {
    expect(clusterProblems({ nodePools: WITH_ENTRY, entry: { namespace: 'nginx-entry', nodePorts: { http: 30000, https: 32767 } } })).toEqual([]);
  });

  test('checks the default entry NodePorts against a narrowed range', () => {
    expect(clusterProblems({ nodePools: WITH_ENTRY, networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodePortRange: '31000-31999' } }))
      .toEqual([
        '[test/cluster] entry.nodePorts.http = 30080: must lie in networking.nodePortRange (31000-31999): the API server refuses other NodePorts',
        '[test/cluster] entry.nodePorts.https = 30443: must lie in networking.nodePortRange (31000-31999): the API server refuses other NodePorts',
      ]);
  });

  test('refuses Flannel with tenants, whose NetworkPolicies it would not enforce, unless that is accepted', () => {
    expect(clusterProblems({ cni: { plugin: 'flannel' } })).toEqual([
      '[test/cluster] cni.plugin = "flannel": Flannel does not enforce NetworkPolicy, so the tenants would not be isolated: use calico, or set cni.acceptUnenforcedNetworkPolicies',
    ]);
    expect(clusterProblems({ cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true } })).toEqual([]);
    expect(clusterProblems({ cni: { plugin: 'flannel' }, tenants: [] })).toEqual([]);
  });

  test('holds routed Calico, which uses each node\'s own range, to the pods a range holds', () => {
    expect(clusterProblems({
      cni: { plugin: 'calico', calicoEncapsulation: 'None', calicoBgp: false },
      networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidrMaskSize: 26 },
      nodePools: [generalPool({ sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi', maxPods: 62 } })],
    })).toEqual(['[test/cluster] controlPlane.sku.maxPods = 110: must fit the node\'s pod range: a /26 holds 62 pods']);
  });

  test('leaves pod ranges to Calico\'s IPAM', () => {
    expect(clusterProblems({ networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', nodeCidrMaskSize: 26 } })).toEqual([]);
  });

  test('accepts a version outside Kubespray\'s when only kubeadm files are rendered', () => {
    expect(clusterProblems({ kubernetesVersion: '1.33.4', outputs: { kubespray: false } })).toEqual([]);
  });

  test('refuses an IPv6 pod network rather than render it half-right', () => {
    expect(clusterProblems({ networking: { podCidr: 'fd00:10:244::/56', serviceCidr: 'fd00:10:96::/112' } })).toEqual([
      '[test/cluster] networking.podCidr = "fd00:10:244::/56": IPv6 and dual-stack clusters are not supported yet: use IPv4 networks',
      '[test/cluster] networking.serviceCidr = "fd00:10:96::/112": IPv6 and dual-stack clusters are not supported yet: use IPv4 networks',
    ]);
  });

  test.each([['30000-32767', { first: 30000, last: 32767 }], ['80-80', { first: 80, last: 80 }], ['0-10', undefined], ['1-65536', undefined], ['a-b', undefined]])(
    'parses the port range %p', (range, expected) => expect(parsePortRange(range)).toEqual(expected));
});
