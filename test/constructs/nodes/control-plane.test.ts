import { Testing } from 'cdk8s';
import { CONTROL_PLANE_TAINT, ControlPlane, ControlPlaneSpec, DEFAULT_API_SERVER_PORT, PROTECTED_KERNEL_DEFAULTS } from '../../../constructs';
import { problemsOf, synthObjects } from '../../helpers/objects';

const SKU = { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' };
const SINGLE: ControlPlaneSpec = { count: 1, firstAddress: '10.0.0.10', sku: SKU };
const HA: ControlPlaneSpec = { count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: SKU };
const ENDPOINT_RULE = 'clients need one address (a virtual IP or load balancer) in front of all API servers';
const ODD_RULE = 'etcd needs an odd number of members: an even one adds a member without adding fault tolerance, and splits its quorum';

function controlPlaneOf(spec: ControlPlaneSpec): ControlPlane {
  return new ControlPlane(Testing.chart(), 'cp', { spec, clusterName: 'test' });
}
function cpProblems(spec: ControlPlaneSpec): string[] {
  return problemsOf(chart => new ControlPlane(chart, 'cp', { spec, clusterName: 'test' }));
}

describe('ControlPlane', () => {
  describe('a single node with stacked etcd', () => {
    const cp = controlPlaneOf(SINGLE);

    test('is valid and adds no Kubernetes object to the chart', () => {
      expect(cpProblems(SINGLE)).toEqual([]);
      expect(synthObjects(chart => new ControlPlane(chart, 'cp', { spec: SINGLE, clusterName: 'test' }))).toEqual([]);
    });

    test('is a pool named control-plane, tainted as kubeadm taints it', () => {
      expect(cp.nodes.name).toBe('control-plane');
      expect(cp.nodes.hosts).toEqual([{ name: 'test-control-plane-1', address: '10.0.0.10' }]);
      expect(cp.nodes.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
      expect(CONTROL_PLANE_TAINT).toEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
      expect(cp.nodes.isShared).toBe(false);
      expect(cp.nodes.nodeLabels).toEqual({ 'prodk8s.io/node-pool': 'control-plane' });
    });

    test('runs etcd on its node', () => {
      expect(cp.stackedEtcd).toBe(true);
      expect(cp.etcdHosts).toEqual([{ name: 'test-control-plane-1', address: '10.0.0.10' }]);
    });

    test('serves the API on the node\'s address and port 6443, and certifies that address', () => {
      expect(DEFAULT_API_SERVER_PORT).toBe(6443);
      expect(cp.endpoint).toEqual({ address: '10.0.0.10', port: 6443, provider: 'node' });
      expect(cp.certSANs).toEqual(['10.0.0.10']);
    });

    test('gives its nodes the default kubelet, scaled to 4 cores and 16Gi', () => {
      expect(cp.nodes.kubelet.kubeReserved).toEqual({ cpu: '80m', memory: '2663Mi', ephemeralStorage: '1Gi', pid: 1000 });
      expect(cp.nodes.sysctls).toEqual(PROTECTED_KERNEL_DEFAULTS);
    });
  });

  test('passes its kubelet settings and kernel parameters to its nodes', () => {
    const cp = controlPlaneOf({ ...SINGLE, kubelet: { podPidsLimit: 8192 }, sysctls: { 'fs.inotify.max_user_watches': '524288' } });
    expect(cp.nodes.kubelet.podPidsLimit).toBe(8192);
    expect(cp.nodes.sysctls['fs.inotify.max_user_watches']).toBe('524288');
  });

  test('names listed hosts as listed', () => {
    const hosts = [{ name: 'cp-a', address: '10.0.0.21' }];
    const cp = controlPlaneOf({ hosts, sku: SKU });
    expect(cp.nodes.hosts).toEqual(hosts);
    expect(cp.endpoint).toEqual({ address: '10.0.0.21', port: 6443, provider: 'node' });
  });

  describe('an HA control plane', () => {
    test('is valid with an endpoint in front of three nodes', () => {
      expect(cpProblems(HA)).toEqual([]);
      const cp = controlPlaneOf(HA);
      expect(cp.nodes.hosts.map(h => h.name)).toEqual(['test-control-plane-1', 'test-control-plane-2', 'test-control-plane-3']);
      expect(cp.etcdHosts).toBe(cp.nodes.hosts);
      expect(cp.endpoint).toEqual({ address: '10.0.0.5', port: 6443, provider: 'kube-vip', network: '10.0.0.0/24' });
    });

    test('needs an endpoint', () => {
      expect(cpProblems({ ...HA, endpoint: undefined })).toEqual([
        `[test/cp] controlPlane.endpoint = (missing): is required with 3 control plane nodes: ${ENDPOINT_RULE}`,
      ]);
    });

    test('needs an endpoint for listed nodes too', () => {
      expect(cpProblems({ hosts: [{ name: 'a', address: '10.0.0.1' }, { name: 'b', address: '10.0.0.2' }, { name: 'c', address: '10.0.0.3' }], sku: SKU }))
        .toEqual([`[test/cp] controlPlane.endpoint = (missing): is required with 3 control plane nodes: ${ENDPOINT_RULE}`]);
    });

    test('needs an odd number of stacked etcd members', () => {
      expect(cpProblems({ ...HA, count: 2 })).toEqual([`[test/cp] controlPlane.count = 2: ${ODD_RULE}`]);
      expect(cpProblems({ ...HA, count: 4, endpoint: undefined })).toEqual([
        `[test/cp] controlPlane.endpoint = (missing): is required with 4 control plane nodes: ${ENDPOINT_RULE}`,
        `[test/cp] controlPlane.count = 4: ${ODD_RULE}`,
      ]);
      expect(cpProblems({ ...HA, count: 5 })).toEqual([]);
    });

    test('names the hosts when the nodes are listed', () => {
      expect(cpProblems({ ...HA, count: undefined, hosts: [{ name: 'a', address: '10.0.0.1' }, { name: 'b', address: '10.0.0.2' }] }))
        .toEqual([`[test/cp] controlPlane.hosts = 2: ${ODD_RULE}`]);
    });

    test('takes the endpoint\'s port', () => {
      expect(controlPlaneOf({ ...HA, endpoint: { address: 'api.test.example.com', port: 8443 } }).endpoint)
        .toEqual({ address: 'api.test.example.com', port: 8443, provider: 'external' });
    });
  });

  describe('endpoint', () => {
    test.each([['10.0.0.5'], ['fd00::5'], ['api.test.example.com'], ['api']])('accepts the address %p of an external load balancer', address => {
      expect(cpProblems({ ...HA, endpoint: { address, provider: 'external' } })).toEqual([]);
    });

    test('takes an IP address for kube-vip\'s, and a DNS name for an external load balancer\'s', () => {
      expect(controlPlaneOf(HA).endpoint).toEqual({ address: '10.0.0.5', port: 6443, provider: 'kube-vip', network: '10.0.0.0/24' });
      expect(controlPlaneOf({ ...HA, endpoint: { address: 'api.test.example.com' } }).endpoint.provider).toBe('external');
      expect(controlPlaneOf(SINGLE).endpoint).toEqual({ address: '10.0.0.10', port: 6443, provider: 'node' });
    });

    test.each<[string, Partial<NonNullable<ControlPlaneSpec['endpoint']>>, string]>([
      ['without its network', { network: undefined },
        'controlPlane.endpoint.network = (missing): is required with kube-vip: the network of the control plane nodes (CIDR), in which 10.0.0.5 is announced'],
      ['outside its network', { address: '10.0.1.5', network: '10.0.0.0/24' },
        'controlPlane.endpoint.address = "10.0.1.5": must lie in controlPlane.endpoint.network (10.0.0.0/24): kube-vip announces it by ARP to the control plane nodes\' network'],
      ['a node\'s own address', { address: '10.0.0.12' },
        'controlPlane.endpoint.address = "10.0.0.12": is the address of controlPlane.hosts[1]: a virtual IP must be no node\'s own, or it would go with that node'],
      ['a DNS name', { address: 'api.test.example.com', provider: 'kube-vip' },
        'controlPlane.endpoint.address = "api.test.example.com": must be an IP address for kube-vip to hold; a DNS name needs provider "external"'],
      ['a network that is none', { network: '10.0.0.0/33' }, 'controlPlane.endpoint.network = "10.0.0.0/33": must be a network in CIDR notation'],
      ['an interface that is none', { interface: 'eth 0' }, 'controlPlane.endpoint.interface = "eth 0": must be a network interface name such as eth0'],
      ['an unknown provider', { provider: 'haproxy' as 'external' }, 'controlPlane.endpoint.provider = "haproxy": must be one of "kube-vip", "external"'],
    ])('refuses a kube-vip address %s', (_, endpoint, problem) => {
      expect(cpProblems({ ...HA, endpoint: { ...HA.endpoint!, ...endpoint } }).map(p => p.replace('[test/cp] ', ''))).toEqual([expect.stringContaining(problem)]);
    });

    test('refuses control plane nodes outside the virtual IP\'s network', () => {
      expect(cpProblems({ ...HA, firstAddress: '10.0.0.254' })).toContain(
        '[test/cp] controlPlane.hosts[2].address = "10.0.1.0": must lie in controlPlane.endpoint.network (10.0.0.0/24), where the virtual IP moves between the control plane nodes');
    });

    test.each([['https://api.example.com'], ['[fd00::5]'], ['10.0.0.5:6443'], ['API.example.com'], ['']])('refuses the address %p', address => {
      expect(cpProblems({ ...HA, endpoint: { address, provider: 'external' } })).toEqual([
        `[test/cp] controlPlane.endpoint.address = "${address}": must be an IP address or a DNS name`,
      ]);
    });

    test.each([[0], [65536], [-443], [6443.5]])('refuses the port %p', port => {
      expect(cpProblems({ ...HA, endpoint: { address: '10.0.0.5', port, network: '10.0.0.0/24' } })).toEqual([
        `[test/cp] controlPlane.endpoint.port = ${port}: must be a port number from 1 to 65535`,
      ]);
    });

    test.each([[1], [443], [65535]])('accepts the port %p', port => {
      expect(cpProblems({ ...HA, endpoint: { address: '10.0.0.5', port, network: '10.0.0.0/24' } })).toEqual([]);
    });

    test('may front a single node too', () => {
      const spec = { ...SINGLE, endpoint: { address: 'api.test.example.com' } };
      expect(cpProblems(spec)).toEqual([]);
      expect(controlPlaneOf(spec).endpoint).toEqual({ address: 'api.test.example.com', port: 6443, provider: 'external' });
    });
  });

  describe('certSANs', () => {
    test('lists the endpoint first, then the extra names, each once', () => {
      const cp = controlPlaneOf({ ...HA, endpoint: { address: 'api.test.example.com' }, certSANs: ['10.0.0.5', 'api.test.example.com', 'k8s.internal', '10.0.0.5'] });
      expect(cp.certSANs).toEqual(['api.test.example.com', '10.0.0.5', 'k8s.internal']);
    });

    test('adds the extra names to a single node\'s address', () => {
      expect(controlPlaneOf({ ...SINGLE, certSANs: ['fd00::10', 'cp.local'] }).certSANs).toEqual(['10.0.0.10', 'fd00::10', 'cp.local']);
    });

    test('refuses names that are neither addresses nor DNS names', () => {
      expect(cpProblems({ ...HA, certSANs: ['10.0.0.5', 'api_server.local', 'https://api', 'fd00::5'] })).toEqual([
        '[test/cp] controlPlane.certSANs[1] = "api_server.local": must be an IP address or a DNS name',
        '[test/cp] controlPlane.certSANs[2] = "https://api": must be an IP address or a DNS name',
      ]);
    });
  });

  describe('external etcd', () => {
    const EXTERNAL: ControlPlaneSpec = { ...HA, etcd: { count: 3, firstAddress: '10.0.0.21' } };

    test('runs on its own counted hosts', () => {
      const cp = controlPlaneOf(EXTERNAL);
      expect(cpProblems(EXTERNAL)).toEqual([]);
      expect(cp.stackedEtcd).toBe(false);
      expect(cp.etcdHosts).toEqual([
        { name: 'test-etcd-1', address: '10.0.0.21' },
        { name: 'test-etcd-2', address: '10.0.0.22' },
        { name: 'test-etcd-3', address: '10.0.0.23' },
      ]);
      expect(cp.nodes.hosts.map(h => h.address)).toEqual(['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    });

    test('takes listed or pattern-named hosts', () => {
      const hosts = [{ name: 'etcd-a', address: '10.0.0.31' }];
      expect(controlPlaneOf({ ...HA, etcd: { hosts } }).etcdHosts).toEqual(hosts);
      expect(controlPlaneOf({ ...HA, etcd: { count: 1, firstAddress: '10.0.0.31', hostnamePattern: 'kv-{index}' } }).etcdHosts)
        .toEqual([{ name: 'kv-1', address: '10.0.0.31' }]);
    });

    test('needs an odd number of members, while the control plane nodes may be even', () => {
      expect(cpProblems({ ...EXTERNAL, count: 2 })).toEqual([]);
      expect(cpProblems({ ...EXTERNAL, etcd: { count: 2, firstAddress: '10.0.0.21' } })).toEqual([`[test/cp] controlPlane.etcd = 2: ${ODD_RULE}`]);
    });

    test('checks its host set under controlPlane.etcd', () => {
      expect(cpProblems({ ...HA, etcd: { count: 3 } })).toEqual([
        '[test/cp] controlPlane.etcd.firstAddress = (missing): must be the IPv4 address of the first counted host, such as 10.0.1.10',
      ]);
      expect(cpProblems({ ...HA, etcd: { hosts: [] } })).toEqual(['[test/cp] controlPlane.etcd.hosts = []: a group needs at least one host']);
      expect(cpProblems({ ...HA, etcd: { hosts: [{ name: 'Etcd_1', address: '10.0.0.300' }] } })).toEqual([
        '[test/cp] controlPlane.etcd.hosts[0].name = "Etcd_1": node names must be DNS-1123 subdomains: lower-case letters, digits, \'-\' and \'.\'',
        '[test/cp] controlPlane.etcd.hosts[0].address = "10.0.0.300": must be an IPv4 or IPv6 address',
      ]);
      expect(cpProblems({ ...HA, etcd: { count: 3, firstAddress: '10.0.0.21', hostnamePattern: 'etcd' } })).toEqual([
        '[test/cp] controlPlane.etcd.hostnamePattern = "etcd": must contain {index}, or every host gets the same name',
      ]);
    });
  });

  describe('its nodes', () => {
    test('report their own problems under controlPlane, at the nodes\' construct path', () => {
      expect(cpProblems({ ...SINGLE, sku: { ...SKU, cpu: '0' }, sysctls: { 'kernel.panic': '0' } })).toEqual([
        '[test/cp/nodes] controlPlane.sku.cpu = "0": must be a positive quantity of cores',
        '[test/cp/nodes] controlPlane.sysctls.kernel.panic = "0": must stay 10: the kubelet\'s protectKernelDefaults refuses to start otherwise',
      ]);
      expect(cpProblems({ ...SINGLE, kubelet: { imageGcLowThresholdPercent: 90 } })).toEqual([
        '[test/cp/nodes] controlPlane.kubelet.imageGcLowThresholdPercent = 90: must be below imageGcHighThresholdPercent (85)',
      ]);
    });

    test('need a count or hosts, and then ask for no endpoint and no odd count', () => {
      const spec = { sku: SKU, firstAddress: '10.0.0.10' };
      expect(cpProblems(spec)).toEqual([
        '[test/cp/nodes] controlPlane.count = (missing): must be a whole number of hosts, one or more, when no hosts are listed',
      ]);
      expect(controlPlaneOf(spec).endpoint).toEqual({ address: '', port: 6443, provider: 'node' });
    });
  });
});
