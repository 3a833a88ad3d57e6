import { Testing } from 'cdk8s';
import { ClusterSpec, ProductionCluster } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { nodeFiles } from '../../../stacks/node-files';
import { collectProblems } from '../../../constructs/core/problems';
import { clusterSpec, generalPool, gpuPool } from '../../fixtures/cluster-spec';
import { configFieldProblems } from '../../helpers/kube-config-fields';

/** Every kubeadm, kubelet and kube-proxy document the node layer writes for a spec. */
function configDocuments(spec: ClusterSpec): any[] {
  const chart = Testing.chart();
  const files = nodeFiles(new ProductionCluster(chart, 'cluster', spec));
  expect(collectProblems(chart)).toEqual([]);
  // kube-vip's static pod is a Pod, checked against the Kubernetes schema instead.
  return files.filter(f => f.path.startsWith('node/') && !f.path.endsWith('kube-vip.yaml') && 'documents' in f).flatMap(f => 'documents' in f ? f.documents : []);
}

/** A spec that uses every optional part the node layer can render. */
const EVERYTHING = clusterSpec({
  controlPlane: {
    count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', port: 8443, network: '10.0.0.0/24' }, certSANs: ['api.test.example.com'],
    sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
    etcd: { count: 3, firstAddress: '10.0.0.21' },
  },
  kubeProxy: { mode: 'ipvs', ipvsStrictArp: true },
  nodePools: [
    generalPool({
      labels: { 'prodk8s.io/role': 'general' },
      kubelet: {
        evictionSoft: { 'memory.available': '1Gi' }, evictionSoftGracePeriod: { 'memory.available': '1m' },
        evictionMinimumReclaim: { 'memory.available': '256Mi' }, evictionMaxPodGracePeriod: 30,
        evictionPressureTransitionPeriod: '5m', enforceNodeAllocatable: ['pods', 'system-reserved', 'kube-reserved'],
        systemReservedCgroup: '/system.slice', kubeReservedCgroup: '/kube.slice',
      },
    }),
    gpuPool({
      kubelet: {
        cpuManagerPolicy: 'static', memoryManagerPolicy: 'Static', topologyManagerPolicy: 'single-numa-node', topologyManagerScope: 'pod',
        // Half each of kube-reserved + system-reserved + the hard memory threshold (12922Mi).
        reservedMemory: [{ numaNode: 0, memory: '6461Mi' }, { numaNode: 1, memory: '6461Mi' }],
      },
    }),
  ],
});

describe('kubeadm, kubelet and kube-proxy documents use only upstream fields and types', () => {
  test.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec] as const))('the %s environment', (_, spec) => {
    const documents = configDocuments(spec);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.flatMap(configFieldProblems)).toEqual([]);
  });

  test('a cluster that uses every option, rendered for kubeadm v1beta4', () => {
    const documents = configDocuments(EVERYTHING);
    expect(new Set(documents.map(d => `${d.apiVersion} ${d.kind}`))).toEqual(new Set([
      'kubeadm.k8s.io/v1beta4 InitConfiguration', 'kubeadm.k8s.io/v1beta4 ClusterConfiguration', 'kubeadm.k8s.io/v1beta4 JoinConfiguration',
      'kubelet.config.k8s.io/v1beta1 KubeletConfiguration', 'kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration',
      // The API server's files.
      'audit.k8s.io/v1 Policy', 'apiserver.config.k8s.io/v1 EncryptionConfiguration', 'apiserver.config.k8s.io/v1 AdmissionConfiguration',
    ]));
    expect(documents.flatMap(configFieldProblems)).toEqual([]);
  });

  test('the same cluster on Kubernetes 1.30, rendered for kubeadm v1beta3', () => {
    const documents = configDocuments({ ...EVERYTHING, kubernetesVersion: '1.30.14', outputs: { kubespray: false } });
    expect(documents.filter(d => d.apiVersion.startsWith('kubeadm')).map(d => d.apiVersion)).toContain('kubeadm.k8s.io/v1beta3');
    expect(documents.filter(d => d.apiVersion === 'kubeadm.k8s.io/v1beta4')).toEqual([]);
    expect(documents.flatMap(configFieldProblems)).toEqual([]);
  });
});

describe('configFieldProblems', () => {
  const kubelet = (fields: object) => ({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', ...fields });

  test('finds misspelt fields, at any depth', () => {
    expect(configFieldProblems(kubelet({ evictionHardd: {}, authentication: { anonymous: { enable: false } } }))).toEqual([
      'KubeletConfiguration.evictionHardd: unknown field of KubeletConfiguration',
      'KubeletConfiguration.authentication.anonymous.enable: unknown field of KubeletAnonymousAuthentication',
    ]);
  });

  test('finds values of the wrong JSON type', () => {
    expect(configFieldProblems(kubelet({
      maxPods: '110', protectKernelDefaults: 'true', enforceNodeAllocatable: 'pods', evictionHard: { 'memory.available': 100 },
      systemReserved: { cpu: true }, cpuManagerReconcilePeriod: 10, authentication: [],
    }))).toEqual([
      'KubeletConfiguration.maxPods: expected an integer (int32), got "110"',
      'KubeletConfiguration.protectKernelDefaults: expected a boolean, got "true"',
      'KubeletConfiguration.enforceNodeAllocatable: expected a list ([]string), got "pods"',
      'KubeletConfiguration.evictionHard.memory.available: expected a string (string), got 100',
      'KubeletConfiguration.systemReserved.cpu: expected a string (string), got true',
      'KubeletConfiguration.cpuManagerReconcilePeriod: expected a string (metav1.Duration), got 10',
      'KubeletConfiguration.authentication: expected an object (KubeletAuthentication), got []',
    ]);
  });

  test('knows the v1beta3 and v1beta4 shapes of kubeadm\'s extra arguments apart', () => {
    const cluster = (apiVersion: string, extraArgs: unknown) => ({ apiVersion, kind: 'ClusterConfiguration', apiServer: { extraArgs } });
    const asList = [{ name: 'profiling', value: 'false' }];
    const asMap = { profiling: 'false' };
    expect(configFieldProblems(cluster('kubeadm.k8s.io/v1beta4', asList))).toEqual([]);
    expect(configFieldProblems(cluster('kubeadm.k8s.io/v1beta3', asMap))).toEqual([]);
    expect(configFieldProblems(cluster('kubeadm.k8s.io/v1beta4', asMap))).toEqual([
      'ClusterConfiguration.apiServer.extraArgs: expected a list ([]Arg), got {"profiling":"false"}',
    ]);
    expect(configFieldProblems(cluster('kubeadm.k8s.io/v1beta3', asList))).toEqual([
      'ClusterConfiguration.apiServer.extraArgs: expected a map (map[string]string), got [{"name":"profiling","value":"false"}]',
    ]);
  });

  test('accepts the fields of embedded structs and of core types', () => {
    expect(configFieldProblems({
      apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration',
      etcd: { local: { imageRepository: 'registry.k8s.io', imageTag: '3.6.0', extraEnvs: [{ name: 'GOMAXPROCS', value: '4' }] } },
    })).toEqual([]);
    expect(configFieldProblems({
      apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'JoinConfiguration',
      nodeRegistration: { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule', tolerationSeconds: 5 }] },
    })).toEqual(['JoinConfiguration.nodeRegistration.taints[0].tolerationSeconds: unknown field of corev1.Taint']);
  });

  test('refuses documents it has no facts for', () => {
    expect(configFieldProblems({ apiVersion: 'kubeadm.k8s.io/v1beta2', kind: 'InitConfiguration' }))
      .toEqual(['apiVersion: no field facts for "kubeadm.k8s.io/v1beta2"']);
    expect(configFieldProblems({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeProxyConfiguration' }))
      .toEqual(['kind: KubeProxyConfiguration is not a kind of kubelet.config.k8s.io/v1beta1']);
  });
});
