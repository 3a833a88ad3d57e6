import { Testing } from 'cdk8s';
import { Calico, CalicoProps, ChartValueKeys, Flannel, FlannelProps, PRIVILEGED_NAMESPACE, unknownValueKeys, Versions } from '../../../constructs';
import calicoCrdKeys from '../../../constructs/addons/chart-values/crd.projectcalico.org.v1.keys.json';
import flannelKeys from '../../../constructs/addons/chart-values/flannel.keys.json';
import tigeraOperatorKeys from '../../../constructs/addons/chart-values/tigera-operator.keys.json';
import { problemsOf } from '../../helpers/objects';

const POD_CIDR = '10.244.0.0/16';
const PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

function calico(props: Partial<CalicoProps> = {}): Calico {
  return new Calico(Testing.chart(), 'calico', { podCidr: POD_CIDR, ...props });
}

function calicoNetwork(c: Calico): any {
  return (c.operator.values.installation as any).calicoNetwork;
}

function pool(c: Calico): any {
  return calicoNetwork(c).ipPools[0];
}

describe('Calico', () => {
  test('installs the CRD chart, then the operator chart, pinned in Versions.charts', () => {
    const c = calico();
    expect(c.crds.chart).toEqual(Versions.charts.calicoCrds);
    expect(c.operator.chart).toEqual(Versions.charts.tigeraOperator);
    expect(c.crds.releaseName).toBe('calico-crds');
    expect(c.operator.releaseName).toBe('calico');
    expect(c.crds.namespace).toBe('tigera-operator');
    expect(c.operator.namespace).toBe('tigera-operator');
    expect(c.operator.namespaceLabels).toEqual(PRIVILEGED);
    expect(c.crds.dependsOn).toEqual([]);
    expect(c.operator.dependsOn).toEqual([c.crds]);
    expect(c.operator.dependsOn[0]).toBe(c.crds);
    expect(c.addons).toEqual([c.crds, c.operator]);
    expect(c.crds.values).toEqual({});
  });

  test('configures one IP pool of the pod CIDR with VXLAN and no BGP by default', () => {
    expect(calico().operator.values).toEqual({
      installation: {
        kubernetesProvider: '',
        calicoNetwork: {
          bgp: 'Disabled',
          ipPools: [{ cidr: POD_CIDR, encapsulation: 'VXLAN', natOutgoing: 'Enabled', blockSize: 26, nodeSelector: 'all()' }],
        },
      },
    });
  });

  test('takes the pool\'s CIDR from podCidr', () => {
    expect(pool(calico({ podCidr: '192.168.0.0/17' })).cidr).toBe('192.168.0.0/17');
  });

  test.each<[CalicoProps['encapsulation'], boolean | undefined, string]>([
    ['VXLAN', undefined, 'Disabled'],
    ['VXLANCrossSubnet', undefined, 'Disabled'],
    ['IPIP', undefined, 'Enabled'],
    ['IPIPCrossSubnet', undefined, 'Enabled'],
    ['None', undefined, 'Enabled'],
    ['None', false, 'Disabled'],
    ['VXLAN', true, 'Enabled'],
    ['VXLANCrossSubnet', true, 'Enabled'],
    ['IPIP', true, 'Enabled'],
  ])('with encapsulation %s and bgp %p runs BGP %s', (encapsulation, bgp, expected) => {
    const c = calico({ encapsulation, bgp });
    expect(calicoNetwork(c).bgp).toBe(expected);
    expect(pool(c).encapsulation).toBe(encapsulation);
  });

  test('routes unencapsulated without BGP, through the network\'s per-node routes, without a problem', () => {
    const c = new Calico(Testing.chart(), 'calico', { podCidr: POD_CIDR, encapsulation: 'None', bgp: false });
    expect(calicoNetwork(c)).toEqual({
      bgp: 'Disabled',
      ipPools: [{ cidr: POD_CIDR, encapsulation: 'None', natOutgoing: 'Enabled', blockSize: 26, nodeSelector: 'all()' }],
    });
    expect(problemsOf(chart => new Calico(chart, 'calico', { podCidr: POD_CIDR, encapsulation: 'None', bgp: false }))).toEqual([]);
  });

  test.each<[boolean | undefined, string]>([
    [undefined, 'Enabled'],
    [true, 'Enabled'],
    [false, 'Disabled'],
  ])('with natOutgoing %p sets natOutgoing %s', (natOutgoing, expected) => {
    expect(pool(calico({ natOutgoing })).natOutgoing).toBe(expected);
  });

  test('hands out blocks of /26 unless told otherwise', () => {
    expect(pool(calico()).blockSize).toBe(26);
    expect(pool(calico({ blockSize: 24 })).blockSize).toBe(24);
  });

  test('sets the MTU only when given', () => {
    expect(calicoNetwork(calico())).not.toHaveProperty('mtu');
    expect(calicoNetwork(calico({ mtu: 1450 })).mtu).toBe(1450);
  });

  test('merges raw values over the typed ones', () => {
    const c = calico({ rawValues: { installation: { calicoNetwork: { nodeAddressAutodetectionV4: { interface: 'eth1' } } }, priorityClassName: 'system-cluster-critical' } });
    expect(c.operator.values).toEqual({
      installation: {
        kubernetesProvider: '',
        calicoNetwork: {
          bgp: 'Disabled',
          nodeAddressAutodetectionV4: { interface: 'eth1' },
          ipPools: [{ cidr: POD_CIDR, encapsulation: 'VXLAN', natOutgoing: 'Enabled', blockSize: 26, nodeSelector: 'all()' }],
        },
      },
      priorityClassName: 'system-cluster-critical',
    });
  });

  test.each<[string, Partial<CalicoProps>]>([
    ['the defaults', {}],
    ['VXLANCrossSubnet', { encapsulation: 'VXLANCrossSubnet' }],
    ['IPIP', { encapsulation: 'IPIP' }],
    ['IPIPCrossSubnet with an MTU', { encapsulation: 'IPIPCrossSubnet', mtu: 1480 }],
    ['None without BGP', { encapsulation: 'None', bgp: false }],
    ['no NAT and small blocks', { natOutgoing: false, blockSize: 28 }],
    ['raw values', { rawValues: { installation: { calicoNetwork: { nodeAddressAutodetectionV4: { canReach: '10.0.0.1' } } }, resources: { requests: { cpu: '100m' } } } }],
  ])('sets only values the charts know, with %s', (_, props) => {
    const c = calico(props);
    expect(unknownValueKeys(c.operator.values, (tigeraOperatorKeys as ChartValueKeys).keys)).toEqual([]);
    expect(unknownValueKeys(c.crds.values, (calicoCrdKeys as ChartValueKeys).keys)).toEqual([]);
    expect(problemsOf(chart => new Calico(chart, 'calico', { podCidr: POD_CIDR, ...props }))).toEqual([]);
  });

  test.each<[string, Partial<CalicoProps>, string[]]>([
    ['an unknown encapsulation', { encapsulation: 'GRE' as any },
      ['encapsulation = "GRE": must be one of "VXLAN", "VXLANCrossSubnet", "IPIP", "IPIPCrossSubnet", "None"']],
    ['IPIP without BGP', { encapsulation: 'IPIP', bgp: false },
      ['bgp = false: IP-in-IP routes over BGP: it cannot be turned off with IPIP encapsulation']],
    ['IPIPCrossSubnet without BGP', { encapsulation: 'IPIPCrossSubnet', bgp: false },
      ['bgp = false: IP-in-IP routes over BGP: it cannot be turned off with IPIP encapsulation']],
    ['a block size below 20', { blockSize: 19 }, ['blockSize = 19: must be a prefix length from 20 to 32 (IPv4)']],
    ['a block size above 32', { blockSize: 33 }, ['blockSize = 33: must be a prefix length from 20 to 32 (IPv4)']],
    ['a fractional block size', { blockSize: 26.5 }, ['blockSize = 26.5: must be a prefix length from 20 to 32 (IPv4)']],
    ['an MTU below 1000', { mtu: 999 }, ['mtu = 999: must be a whole number from 1000 to 9000']],
    ['an MTU above 9000', { mtu: 9001 }, ['mtu = 9001: must be a whole number from 1000 to 9000']],
    ['a fractional MTU', { mtu: 1450.5 }, ['mtu = 1450.5: must be a whole number from 1000 to 9000']],
  ])('refuses %s', (_, props, messages) => {
    expect(problemsOf(chart => new Calico(chart, 'calico', { podCidr: POD_CIDR, ...props })))
      .toEqual(messages.map(m => `[test/calico] ${m}`));
  });

  test('accepts the ends of the block size and MTU ranges', () => {
    for (const props of [{ blockSize: 20, mtu: 1000 }, { blockSize: 32, mtu: 9000 }]) {
      expect(problemsOf(chart => new Calico(chart, 'calico', { podCidr: POD_CIDR, ...props }))).toEqual([]);
    }
  });

  test('reports an unknown raw value at the operator release', () => {
    expect(problemsOf(chart => new Calico(chart, 'calico', { podCidr: POD_CIDR, rawValues: { installation: { calicoNetwork: { vxlan: true } } } })))
      .toEqual(['[test/calico/operator] values.installation.calicoNetwork.vxlan = true: is not a value of chart tigera-operator v3.32.1']);
  });
});

describe('Flannel', () => {
  function flannel(props: Partial<FlannelProps> = {}): Flannel {
    return new Flannel(Testing.chart(), 'flannel', { podCidr: POD_CIDR, ...props });
  }

  test('installs the pinned chart in kube-flannel, a privileged namespace', () => {
    const f = flannel();
    expect(f.release.chart).toEqual(Versions.charts.flannel);
    expect(f.release.releaseName).toBe('flannel');
    expect(f.release.namespace).toBe('kube-flannel');
    expect(f.release.namespaceLabels).toEqual(PRIVILEGED);
    expect(PRIVILEGED_NAMESPACE).toEqual(PRIVILEGED);
    expect(f.release.dependsOn).toEqual([]);
    expect(f.addons).toEqual([f.release]);
  });

  test('sets the pod CIDR and the VXLAN backend by default', () => {
    expect(flannel().release.values).toEqual({ podCidr: POD_CIDR, flannel: { backend: 'vxlan' } });
  });

  test.each<FlannelProps['backend']>(['vxlan', 'host-gw', 'wireguard'])('sets the backend %s', backend => {
    expect(flannel({ backend }).release.values).toEqual({ podCidr: POD_CIDR, flannel: { backend } });
  });

  test('merges raw values over the typed ones', () => {
    expect(flannel({ rawValues: { flannel: { mtu: 1400 }, podCidr: '10.1.0.0/16' } }).release.values)
      .toEqual({ podCidr: '10.1.0.0/16', flannel: { backend: 'vxlan', mtu: 1400 } });
  });

  test.each<[string, Partial<FlannelProps>]>([
    ['the defaults', {}],
    ['host-gw', { backend: 'host-gw' }],
    ['wireguard', { backend: 'wireguard' }],
    ['raw values', { rawValues: { flannel: { mtu: 1400, resources: { requests: { cpu: '100m' } } }, netpol: { enabled: true } } }],
  ])('sets only values the chart knows, with %s', (_, props) => {
    expect(unknownValueKeys(flannel(props).release.values, (flannelKeys as ChartValueKeys).keys)).toEqual([]);
    expect(problemsOf(chart => new Flannel(chart, 'flannel', { podCidr: POD_CIDR, ...props }))).toEqual([]);
  });

  test('sets the MTU of the tunnel interface when given', () => {
    expect(flannel({ backend: 'wireguard', mtu: 1380 }).release.values).toEqual({ podCidr: POD_CIDR, flannel: { backend: 'wireguard', mtu: 1380 } });
    expect(flannel().release.values).toEqual({ podCidr: POD_CIDR, flannel: { backend: 'vxlan' } });
  });

  test.each<[Partial<FlannelProps>, string]>([
    [{ backend: 'host-gw', mtu: 1450 }, 'mtu = 1450: host-gw routes without a tunnel interface: it has no MTU to set'],
    [{ mtu: 100 }, 'mtu = 100: must be a whole number from 1000 to 9000'],
  ])('refuses the MTU of %p', (props, message) => {
    expect(problemsOf(chart => new Flannel(chart, 'flannel', { podCidr: POD_CIDR, ...props }))).toEqual([`[test/flannel] ${message}`]);
  });

  test('refuses an unknown backend', () => {
    expect(problemsOf(chart => new Flannel(chart, 'flannel', { podCidr: POD_CIDR, backend: 'udp' as any })))
      .toEqual(['[test/flannel] backend = "udp": must be one of "vxlan", "host-gw", "wireguard"']);
  });
});
