import { Testing } from 'cdk8s';
import { ClusterSpec, ProductionCluster } from '../../constructs';
import { nodeFiles } from '../../stacks/node-files';
import { clusterSpec } from '../fixtures/cluster-spec';

const filesOf = (overrides: Partial<ClusterSpec> = {}) => nodeFiles(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(overrides)));

describe('nodeFiles', () => {
  test('writes kubeadm, kube-proxy, per-pool kubelet, sysctl and cloud-init files, and the Kubespray inventory', () => {
    expect(filesOf().map(f => f.path)).toEqual([
      'node/kubeadm-init.yaml',
      'node/kube-proxy.yaml',
      'node/control-plane/kubelet.yaml',
      'node/control-plane/sysctl.conf',
      'node/control-plane/audit-policy.yaml',
      'node/control-plane/encryption-config.yaml',
      'node/control-plane/admission-config.yaml',
      'node/control-plane/cloud-init-test-control-plane-1.yaml',
      'node/pools/general/kubeadm-join.yaml',
      'node/pools/general/cloud-init-test-general-1.yaml',
      'node/pools/general/cloud-init-test-general-2.yaml',
      'node/pools/general/cloud-init-test-general-3.yaml',
      'node/pools/general/kubelet.yaml',
      'node/pools/general/sysctl.conf',
      'node/pools/gpu/kubeadm-join.yaml',
      'node/pools/gpu/cloud-init-test-gpu-1.yaml',
      'node/pools/gpu/cloud-init-test-gpu-2.yaml',
      'node/pools/gpu/kubelet.yaml',
      'node/pools/gpu/sysctl.conf',
      'kubespray/inventory/hosts.yaml',
      'kubespray/inventory/group_vars/all/k8s-cluster.yml',
      'kubespray/inventory/group_vars/kube_control_plane/kubelet.yml',
      'kubespray/inventory/group_vars/pool_general/kubelet.yml',
      'kubespray/inventory/group_vars/pool_gpu/kubelet.yml',
      'kubespray/inventory/group_vars/pool_gpu/containerd.yml',
    ]);
  });

  test('writes a join file for each further control plane node', () => {
    const paths = filesOf({ controlPlane: {
      count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
    } }).map(f => f.path);
    expect(paths.filter(p => p.includes('kubeadm-join-'))).toEqual([
      'node/control-plane/kubeadm-join-test-control-plane-2.yaml',
      'node/control-plane/kubeadm-join-test-control-plane-3.yaml',
    ]);
  });

  test('writes the kernel parameters pod networking and the hardened kubelet need, and the pool\'s own, one per line', () => {
    const file = filesOf({ nodePools: [{
      name: 'search', count: 1, firstAddress: '10.0.5.10', sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi' },
      sysctls: { 'vm.max_map_count': '262144' },
    }] }).find(f => f.path === 'node/pools/search/sysctl.conf')!;
    expect('text' in file && file.text).toBe([
      'kernel.keys.root_maxbytes = 25000000', 'kernel.keys.root_maxkeys = 1000000', 'kernel.panic = 10', 'kernel.panic_on_oops = 1',
      // kubeadm's preflight refuses a node without IPv4 forwarding; bridged pod traffic passes iptables.
      'net.bridge.bridge-nf-call-ip6tables = 1', 'net.bridge.bridge-nf-call-iptables = 1', 'net.ipv4.ip_forward = 1',
      'vm.max_map_count = 262144', 'vm.overcommit_memory = 1', 'vm.panic_on_oom = 0', '',
    ].join('\n'));
  });

  test('writes only the installers the environment asks for', () => {
    expect(filesOf({ outputs: { kubespray: false } }).some(f => f.path.startsWith('kubespray/'))).toBe(false);
    expect(filesOf({ outputs: { kubeadm: false } }).every(f => f.path.startsWith('kubespray/'))).toBe(true);
  });
});
