import { Testing } from 'cdk8s';
import {
  ClusterSpec, kubeadmApiVersion, kubeadmArgs, kubeadmInitDocuments, kubeadmJoinControlPlaneDocument, kubeadmJoinPoolDocument,
  ProductionCluster,
} from '../../../constructs';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';

function layerOf(overrides: Partial<ClusterSpec> = {}) {
  return new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(overrides)).nodeLayer;
}
const byKind = (documents: Record<string, any>[], kind: string) => documents.find(d => d.kind === kind)!;

describe('kubeadm configuration', () => {
  test('uses v1beta4 from Kubernetes 1.31 and v1beta3 below it', () => {
    expect(kubeadmApiVersion('1.31.0')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersion('1.36.4')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersion('1.30.14')).toBe('kubeadm.k8s.io/v1beta3');
  });

  test('writes extra arguments as a sorted list of name and value in v1beta4, as a map in v1beta3', () => {
    expect(kubeadmArgs('kubeadm.k8s.io/v1beta4', { b: '2', a: '1' })).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
    expect(kubeadmArgs('kubeadm.k8s.io/v1beta3', { b: '2', a: '1' })).toEqual({ a: '1', b: '2' });
  });

  describe('init', () => {
    const documents = kubeadmInitDocuments(layerOf({ tenants: [tenantSpec({ nodePool: 'gpu' })] }));

    test('holds init, cluster, kubelet and kube-proxy configuration', () => {
      expect(documents.map(d => `${d.apiVersion} ${d.kind}`)).toEqual([
        'kubeadm.k8s.io/v1beta4 InitConfiguration',
        'kubeadm.k8s.io/v1beta4 ClusterConfiguration',
        'kubelet.config.k8s.io/v1beta1 KubeletConfiguration',
        'kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration',
      ]);
    });

    test('takes networking, version and endpoint from the model', () => {
      const cluster = byKind(documents, 'ClusterConfiguration');
      expect(cluster.networking).toEqual({ podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' });
      expect(cluster.kubernetesVersion).toBe('v1.36.4');
      expect(cluster.clusterName).toBe('test');
      expect(cluster.controlPlaneEndpoint).toBe('10.0.0.10:6443');
      expect(cluster.etcd).toEqual({ local: { dataDir: '/var/lib/etcd', extraArgs: [{ name: 'listen-metrics-urls', value: 'http://0.0.0.0:2381' }] } });
    });

    test('exposes the control plane\'s metrics where Prometheus scrapes them', () => {
      const cluster = byKind(documents, 'ClusterConfiguration');
      expect(cluster.controllerManager.extraArgs).toContainEqual({ name: 'bind-address', value: '0.0.0.0' });
      expect(cluster.scheduler.extraArgs).toEqual([{ name: 'bind-address', value: '0.0.0.0' }, { name: 'profiling', value: 'false' }]);
      expect(byKind(documents, 'KubeProxyConfiguration').metricsBindAddress).toBe('0.0.0.0:10249');
    });

    test('sizes each node\'s pod range with the flag of the pod network\'s family, which kubeadm\'s own checks read', () => {
      expect(byKind(documents, 'ClusterConfiguration').controllerManager.extraArgs).toEqual([
        { name: 'bind-address', value: '0.0.0.0' }, { name: 'node-cidr-mask-size-ipv4', value: '24' }, { name: 'profiling', value: 'false' },
      ]);
    });

    test('enables the admission plugins that pin tenants, restating NodeRestriction, and the node port range', () => {
      const args = byKind(documents, 'ClusterConfiguration').apiServer.extraArgs;
      expect(args).toEqual([
        // Pod Security's defaults for namespaces without a level.
        { name: 'admission-control-config-file', value: '/etc/kubernetes/admission-controls/admission-controls.yaml' },
        // The audit log, rotated as Kubespray rotates it.
        { name: 'audit-log-maxage', value: '30' },
        { name: 'audit-log-maxbackup', value: '10' },
        { name: 'audit-log-maxsize', value: '100' },
        { name: 'audit-log-path', value: '/var/log/audit/kube-apiserver-audit.log' },
        { name: 'audit-policy-file', value: '/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml' },
        { name: 'enable-admission-plugins', value: 'NodeRestriction,PodNodeSelector,PodTolerationRestriction' },
        { name: 'encryption-provider-config', value: '/etc/kubernetes/encryption/secrets-encryption.yaml' },
        // The kubelets' serving certificates are verified, as Kubespray configures it.
        { name: 'kubelet-certificate-authority', value: '/etc/kubernetes/pki/ca.crt' },
        { name: 'profiling', value: 'false' },
        { name: 'service-node-port-range', value: '30000-32767' },
      ]);
    });

    test('mounts the admission configuration, the audit policy, the audit log\'s host directory and the encryption configuration into the API server', () => {
      expect(byKind(documents, 'ClusterConfiguration').apiServer.extraVolumes).toEqual([
        { name: 'admission-config', hostPath: '/etc/kubernetes/admission-controls/admission-controls.yaml', mountPath: '/etc/kubernetes/admission-controls/admission-controls.yaml', readOnly: true, pathType: 'File' },
        { name: 'audit-policy', hostPath: '/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml', mountPath: '/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml', readOnly: true, pathType: 'File' },
        { name: 'audit-log', hostPath: '/var/log/kubernetes/audit', mountPath: '/var/log/audit', readOnly: false, pathType: 'DirectoryOrCreate' },
        { name: 'encryption-config', hostPath: '/etc/kubernetes/encryption/secrets-encryption.yaml', mountPath: '/etc/kubernetes/encryption/secrets-encryption.yaml', readOnly: true, pathType: 'File' },
      ]);
    });

    test('registers the first control plane node with its taint and pool label', () => {
      const init = byKind(documents, 'InitConfiguration');
      expect(init.localAPIEndpoint).toEqual({ advertiseAddress: '10.0.0.10', bindPort: 6443 });
      expect(init.nodeRegistration).toEqual({
        name: 'test-control-plane-1',
        criSocket: 'unix:///var/run/containerd/containerd.sock',
        taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        // The model's address, where the machine has several: the approver of kubelet certificates accepts only it.
        kubeletExtraArgs: [{ name: 'node-ip', value: '10.0.0.10' }, { name: 'node-labels', value: 'prodk8s.io/node-pool=control-plane' }],
      });
    });

    test('writes placeholders, never a token or certificate key', () => {
      const init = byKind(documents, 'InitConfiguration');
      expect(init.bootstrapTokens).toEqual([{ token: '${KUBEADM_BOOTSTRAP_TOKEN}' }]);
      expect(init.certificateKey).toBe('${KUBEADM_CERTIFICATE_KEY}');
      expect(JSON.stringify(documents)).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
    });
  });

  test('enables no extra admission plugin when no tenant is pinned', () => {
    const args = byKind(kubeadmInitDocuments(layerOf()), 'ClusterConfiguration').apiServer.extraArgs;
    expect(args).toContainEqual({ name: 'enable-admission-plugins', value: 'NodeRestriction' });
  });

  test('writes v1beta3 maps below Kubernetes 1.31', () => {
    const documents = kubeadmInitDocuments(layerOf({ kubernetesVersion: '1.30.14', outputs: { kubespray: false } }));
    const cluster = byKind(documents, 'ClusterConfiguration');
    expect(cluster.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(cluster.apiServer.extraArgs).toEqual({
      'admission-control-config-file': '/etc/kubernetes/admission-controls/admission-controls.yaml',
      'audit-log-maxage': '30', 'audit-log-maxbackup': '10', 'audit-log-maxsize': '100',
      'audit-log-path': '/var/log/audit/kube-apiserver-audit.log', 'audit-policy-file': '/etc/kubernetes/audit-policy/apiserver-audit-policy.yaml',
      'enable-admission-plugins': 'NodeRestriction', 'encryption-provider-config': '/etc/kubernetes/encryption/secrets-encryption.yaml',
      'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt', 'profiling': 'false', 'service-node-port-range': '30000-32767',
    });
    expect(byKind(documents, 'InitConfiguration').nodeRegistration.kubeletExtraArgs).toEqual({
      'node-ip': '10.0.0.10', 'node-labels': 'prodk8s.io/node-pool=control-plane',
    });
  });

  test('points an HA control plane at its endpoint, and external etcd at its members', () => {
    const layer = layerOf({ controlPlane: {
      count: 3, firstAddress: '10.0.0.11', endpoint: { address: 'api.test.example.com', port: 8443 }, certSANs: ['10.0.0.5'],
      etcd: { count: 3, firstAddress: '10.0.0.21' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
    } });
    const cluster = byKind(kubeadmInitDocuments(layer), 'ClusterConfiguration');
    expect(cluster.controlPlaneEndpoint).toBe('api.test.example.com:8443');
    expect(cluster.apiServer.certSANs).toEqual(['api.test.example.com', '10.0.0.5']);
    expect(cluster.etcd.external.endpoints).toEqual(['https://10.0.0.21:2379', 'https://10.0.0.22:2379', 'https://10.0.0.23:2379']);
    expect(byKind(kubeadmInitDocuments(layer), 'InitConfiguration').localAPIEndpoint).toEqual({ advertiseAddress: '10.0.0.11', bindPort: 8443 });
  });

  test('brackets an IPv6 endpoint', () => {
    const layer = layerOf({ controlPlane: {
      count: 3, firstAddress: '10.0.0.11', endpoint: { address: 'fd00::5', provider: 'external' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
    } });
    expect(byKind(kubeadmInitDocuments(layer), 'ClusterConfiguration').controlPlaneEndpoint).toBe('[fd00::5]:6443');
  });

  describe('join', () => {
    const layer = layerOf({ controlPlane: {
      count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
    } });

    test('a worker pool discovers the endpoint by token and CA hash placeholders and applies its kubelet patch', () => {
      const join = kubeadmJoinPoolDocument(layer, layer.pools[1]) as any;
      expect(join.kind).toBe('JoinConfiguration');
      expect(join.discovery).toEqual({ bootstrapToken: {
        apiServerEndpoint: '10.0.0.5:6443', token: '${KUBEADM_BOOTSTRAP_TOKEN}', caCertHashes: ['${KUBEADM_CA_CERT_HASH}'],
      } });
      expect(join.patches).toEqual({ directory: '/etc/kubernetes/patches' });
      expect(join.nodeRegistration.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
      expect(join.nodeRegistration.name).toBeUndefined();
      expect(join.controlPlane).toBeUndefined();
    });

    test('a worker of a pool, when named, registers with the model\'s name and address', () => {
      const pool = layer.pools[0];
      const join = kubeadmJoinPoolDocument(layer, pool, pool.hosts[1]) as any;
      expect(join.nodeRegistration.name).toBe(pool.hosts[1].name);
      expect(join.nodeRegistration.kubeletExtraArgs).toContainEqual({ name: 'node-ip', value: pool.hosts[1].address });
    });

    test('an untainted pool registers with an empty taint list, not kubeadm\'s default', () => {
      expect((kubeadmJoinPoolDocument(layer, layer.pools[0]) as any).nodeRegistration.taints).toEqual([]);
    });

    test('a further control plane node advertises its own address and takes the certificate key placeholder', () => {
      const host = layer.controlPlane.nodes.hosts[1];
      const join = kubeadmJoinControlPlaneDocument(layer, host) as any;
      expect(join.controlPlane).toEqual({
        localAPIEndpoint: { advertiseAddress: '10.0.0.12', bindPort: 6443 }, certificateKey: '${KUBEADM_CERTIFICATE_KEY}',
      });
      expect(join.nodeRegistration.name).toBe('test-control-plane-2');
      expect(join.nodeRegistration.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    });
  });
});
