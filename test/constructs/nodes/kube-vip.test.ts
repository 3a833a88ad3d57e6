import { Testing } from 'cdk8s';
import { ClusterSpec, ProductionCluster, Versions } from '../../../constructs';
import { kubeVipPod, SUPER_ADMIN_CONF } from '../../../constructs/nodes/kube-vip';
import { nodeFiles } from '../../../stacks/node-files';
import { environmentSummary } from '../../../stacks/summary';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';
import { shellCommands } from '../../helpers/shell';

const HA = { count: 3, firstAddress: '10.0.0.11', sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' } };
const VIP = { ...HA, endpoint: { address: '10.0.0.5', network: '10.0.0.0/24', interface: 'eth1' } };
const clusterOf = (overrides: Partial<ClusterSpec>) => new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(overrides));

describe('kube-vip in front of an HA control plane', () => {
  const cluster = clusterOf({ controlPlane: VIP });
  const files = nodeFiles(cluster);
  const pod = kubeVipPod(cluster.controlPlane.endpoint) as any;
  const env = Object.fromEntries(pod.spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

  test('runs as a static pod of the pinned image, valid to the Kubernetes schema', () => {
    expect(schemaError(pod)).toBeUndefined();
    expect(pod.spec.containers[0].image).toBe(`ghcr.io/kube-vip/kube-vip:${Versions.kubeVip.version}`);
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.containers[0].securityContext).toEqual({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } });
  });

  test('holds the virtual IP on one node at a time, announced by ARP on the interface given', () => {
    expect(env).toMatchObject({
      address: '10.0.0.5', port: '6443', vip_arp: 'true', vip_interface: 'eth1', vip_subnet: '32',
      cp_enable: 'true', vip_leaderelection: 'true', vip_leasename: 'plndr-cp-lock',
    });
    expect(pod.spec.containers[0].env).toContainEqual({ name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  test('is written for the manual steps, and into every control plane node\'s bootstrap, the first one with super-admin.conf during init', () => {
    expect(files.find(f => f.path === 'node/control-plane/kube-vip.yaml')).toMatchObject({ documents: [pod] });
    const bootstraps = files.filter(f => f.path.startsWith('node/control-plane/cloud-init-'));
    expect(bootstraps).toHaveLength(3);
    bootstraps.forEach((file, index) => {
      const config = (file as unknown as { cloudConfig: { write_files: { path: string; content: string }[] } }).cloudConfig;
      const manifest = JSON.parse(config.write_files.find(f => f.path === '/etc/kubernetes/manifests/kube-vip.yaml')!.content);
      expect(manifest.spec.volumes[0].hostPath.path).toBe(index === 0 ? SUPER_ADMIN_CONF : '/etc/kubernetes/admin.conf');
      const script = shellCommands(config.write_files.find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content);
      const switchBack = script.indexOf("sed -i 's#/etc/kubernetes/super-admin.conf#/etc/kubernetes/admin.conf#' /etc/kubernetes/manifests/kube-vip.yaml");
      if (index === 0) expect(switchBack).toBeGreaterThan(script.indexOf('kubeadm init --config /etc/kubernetes/prodk8s/kubeadm.yaml --upload-certs'));
      else expect(switchBack).toBe(-1);
    });
    // Workers reach the API through the address; they run no kube-vip.
    expect(files.filter(f => f.path.startsWith('node/pools/') && f.path.includes('cloud-init-'))
      .every(f => !JSON.stringify((f as { cloudConfig: unknown }).cloudConfig).includes('kube-vip'))).toBe(true);
  });

  test('is switched on in the Kubespray inventory too', () => {
    const all = files.find(f => f.path === 'kubespray/inventory/group_vars/all/all.yml') as unknown as { documents: Record<string, unknown>[] };
    expect(all.documents[0]).toEqual({
      apiserver_loadbalancer_domain_name: '10.0.0.5',
      loadbalancer_apiserver: { address: '10.0.0.5', port: 6443 },
      kube_vip_enabled: true, kube_vip_controlplane_enabled: true, kube_vip_arp_enabled: true, kube_vip_address: '10.0.0.5', kube_vip_interface: 'eth1',
    });
  });

  test('is named in the summary', () => {
    expect(environmentSummary(cluster)).toContain('API endpoint 10.0.0.5:6443, a virtual IP that kube-vip holds on the control plane nodes;');
  });

  test('needs strict ARP with kube-proxy in ipvs mode', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ controlPlane: VIP, kubeProxy: { mode: 'ipvs' } })))).toContain(
      '[test/cluster] kubeProxy.ipvsStrictArp = (missing): must be true with a kube-vip endpoint: in ipvs mode every node would otherwise answer ARP for the virtual IP (Kubespray refuses it too)');
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ controlPlane: VIP, kubeProxy: { mode: 'ipvs', ipvsStrictArp: true } })))).toEqual([]);
  });
});

describe('an external load balancer', () => {
  const cluster = clusterOf({ controlPlane: { ...HA, endpoint: { address: 'api.test.example.com' } } });
  const files = nodeFiles(cluster);

  test('runs no kube-vip, and is stated as a prerequisite', () => {
    expect(files.some(f => f.path.endsWith('kube-vip.yaml') || JSON.stringify(f).includes('kube-vip'))).toBe(false);
    expect(environmentSummary(cluster)).toContain('API endpoint api.test.example.com:6443, an external load balancer or name (a prerequisite,\n'
      + '  to exist before `kubeadm init`)');
  });
});

