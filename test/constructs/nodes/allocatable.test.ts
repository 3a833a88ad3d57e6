import { Allocatable, KubeletProfile, NodeSku, nodeAllocatable, Quantity, resolveKubelet } from '../../../constructs';

const q = Quantity.parse;
function allocatableOf(sku: NodeSku, profile?: KubeletProfile): Allocatable {
  return nodeAllocatable(sku, resolveKubelet(profile, sku));
}

describe('nodeAllocatable', () => {
  test('subtracts kube-reserved (scaled), system-reserved and the hard thresholds of a default profile', () => {
    const allocatable = allocatableOf({ cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi' });
    // cpu: 8000m − kube 90m (60 + 10 + 2×5 + 4×2.5) − system 100m; no eviction signal for cpu.
    expect(allocatable.cpu.toString()).toBe('7810m');
    // memory: 32768Mi − kube 3646Mi (1024 + 819.2 + 819.2 + 983.04, rounded up) − system 256Mi − hard 500Mi.
    expect(allocatable.memory.toString()).toBe('28366Mi');
    // ephemeral storage: 100Gi − kube 1Gi − system 1Gi − nodefs.available 10% of 100Gi.
    expect(allocatable.ephemeralStorage.toString()).toBe('88Gi');
    expect(allocatable.pods.toString()).toBe('110');
    expect(allocatable.extended).toEqual({});
  });

  test('takes a percentage threshold as a share of the capacity, truncated to whole bytes as the kubelet does', () => {
    const allocatable = allocatableOf(
      { cpu: '16', memory: '64Gi', ephemeralStorage: '200Gi' },
      {
        kubeReserved: { cpu: '500m', memory: '1Gi', ephemeralStorage: '2Gi' },
        systemReserved: { cpu: '500m', memory: '1Gi', ephemeralStorage: '2Gi' },
        evictionHard: { 'memory.available': '5%', 'nodefs.available': '20Gi' },
      },
    );
    expect(allocatable.cpu.toString()).toBe('15');
    // 68719476736 − 2147483648 − floor(68719476736 × 0.05 = 3435973836.8) = 63136019252 bytes.
    expect(allocatable.memory.nanos).toBe(q('63136019252').nanos);
    // 200Gi − 4Gi − 20Gi.
    expect(allocatable.ephemeralStorage.toString()).toBe('176Gi');
  });

  test('counts the pods of the SKU and its extended resources whole', () => {
    const allocatable = allocatableOf({
      cpu: '64', memory: '512Gi', ephemeralStorage: '2Ti', maxPods: 64, extendedResources: { 'nvidia.com/gpu': '8' },
    }, { kubeReserved: { cpu: '1', memory: '8Gi' } });
    expect(allocatable.pods.toString()).toBe('64');
    expect(allocatable.extended['nvidia.com/gpu'].toString()).toBe('8');
    // 64 − 1 − 100m; 512Gi − 8Gi − 256Mi − 500Mi = 524288Mi − 8192Mi − 756Mi.
    expect(allocatable.cpu.toString()).toBe('62900m');
    expect(allocatable.memory.toString()).toBe('515340Mi');
  });

  test('leaves memory and storage untouched by signals the profile does not restate when it restates them as zero', () => {
    const allocatable = allocatableOf(
      { cpu: '2', memory: '4Gi', ephemeralStorage: '50Gi' },
      { kubeReserved: { cpu: '0', memory: '0', ephemeralStorage: '0' }, systemReserved: { cpu: '0', memory: '0', ephemeralStorage: '0' },
        evictionHard: { 'memory.available': '0', 'nodefs.available': '0%' } },
    );
    expect(allocatable.cpu.toString()).toBe('2');
    expect(allocatable.memory.toString()).toBe('4Gi');
    expect(allocatable.ephemeralStorage.toString()).toBe('50Gi');
  });
});
