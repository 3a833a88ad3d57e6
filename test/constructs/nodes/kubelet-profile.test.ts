import {
  checkKubeletProfile, Checks, DEFAULT_EVICTION_HARD, DEFAULT_SYSTEM_RESERVED, EVICTION_SIGNALS, isThreshold, KUBELET_DEFAULT_EVICTION_HARD,
  KubeletProfile, NodePool, NodeSku, Quantity, resolveKubelet, scaledKubeReserved, thresholdAmount,
} from '../../../constructs';
import { problemsOf } from '../../helpers/objects';

/** The SKU of the general pool fixture: 8 cores, 32Gi. */
const SKU: NodeSku = { cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi' };
const FIELD = 'nodePools[0].kubelet';
const SIGNAL_RULE = 'must be one of "memory.available", "allocatableMemory.available", "pid.available", "nodefs.available", "nodefs.inodesFree", '
  + '"imagefs.available", "imagefs.inodesFree", "containerfs.available", "containerfs.inodesFree"';
const THRESHOLD_RULE = 'must be a quantity such as 500Mi or a percentage such as 10%';
const QUANTITY_RULE = 'must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi';

function problems(profile: KubeletProfile, sku: NodeSku = SKU): string[] {
  const checks = new Checks();
  checkKubeletProfile(checks, FIELD, profile, sku);
  return checks.problems;
}

describe('scaledKubeReserved', () => {
  // GKE tiers: cpu 6% of core 1, 1% of core 2, 0.5% of cores 3–4, 0.25% above;
  // memory 25% of the first 4Gi, 20% of the next 4Gi, 10% of the next 8Gi, 6% up to 128Gi, 2% above.
  test.each([
    // 60m + 10m + 2 × 5m + 4 × 2.5m = 90m; 1024Mi + 819.2Mi + 819.2Mi + 6% × 16384Mi (983.04Mi) = 3645.44Mi → 3646Mi.
    ['8', '32Gi', '90m', '3646Mi'],
    // 80m + 28 × 2.5m = 150m; 2662.4Mi + 6% × 112Gi (6881.28Mi) = 9543.68Mi → 9544Mi.
    ['32', '128Gi', '150m', '9544Mi'],
    // 60m + 10m + 2 × 5m = 80m; 1024Mi + 819.2Mi + 819.2Mi = 2662.4Mi → 2663Mi.
    ['4', '16Gi', '80m', '2663Mi'],
    // 80m + 60 × 2.5m = 230m; 9543.68Mi + 2% × 384Gi (7864.32Mi) = 17408Mi exactly.
    ['64', '512Gi', '230m', '17Gi'],
    // At the tier bounds: 60m; 25% of 4Gi.
    ['1', '4Gi', '60m', '1Gi'],
    // 60m + 10m; 1024Mi + 20% × 4096Mi (819.2Mi) = 1843.2Mi → 1844Mi.
    ['2', '8Gi', '70m', '1844Mi'],
    // Less than the first tier: 6% of 500m; 25% of 512Mi.
    ['500m', '512Mi', '30m', '128Mi'],
  ])('reserves %s cpu and %s memory as %s and %s', (cpu, memory, expectedCpu, expectedMemory) => {
    expect(scaledKubeReserved({ cpu, memory, ephemeralStorage: '100Gi' })).toEqual({ cpu: expectedCpu, memory: expectedMemory });
  });

  test('rounds up to whole millicores', () => {
    // 6% of 1001m = 60.06m → 61m.
    expect(scaledKubeReserved({ cpu: '1001m', memory: '4Gi', ephemeralStorage: '1Gi' }).cpu).toBe('61m');
  });

  test('reserves nothing for a capacity that is no quantity', () => {
    expect(scaledKubeReserved({ cpu: 'eight', memory: '32 GiB', ephemeralStorage: '1Gi' })).toEqual({ cpu: '0', memory: '0' });
  });
});

describe('resolveKubelet', () => {
  test('fills in every default for the SKU', () => {
    const resolved = resolveKubelet(undefined, SKU);
    expect(resolved.systemReserved).toEqual({ cpu: '100m', memory: '256Mi', ephemeralStorage: '1Gi', pid: 1000 });
    expect(resolved.kubeReserved).toEqual({ cpu: '90m', memory: '3646Mi', ephemeralStorage: '1Gi', pid: 1000 });
    expect(resolved.enforceNodeAllocatable).toEqual(['pods']);
    expect(resolved.evictionHard).toEqual({
      'memory.available': '500Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%',
    });
    expect(resolved.maxPods).toBe(110);
    expect(resolved.podPidsLimit).toBe(4096);
    expect(resolved.containerLogMaxSize).toBe('10Mi');
    expect(resolved.containerLogMaxFiles).toBe(5);
    expect(resolved.imageGcHighThresholdPercent).toBe(85);
    expect(resolved.imageGcLowThresholdPercent).toBe(80);
    // Graceful node shutdown as Kubespray's kubelet has it by default, so both installers agree.
    expect(resolved.shutdownGracePeriod).toBe('60s');
    expect(resolved.shutdownGracePeriodCriticalPods).toBe('20s');
    expect(resolved.profile).toEqual({});
  });

  test('restates the kubelet\'s own hard thresholds, with 500Mi of memory instead of 100Mi', () => {
    expect(KUBELET_DEFAULT_EVICTION_HARD['memory.available']).toBe('100Mi');
    expect(DEFAULT_EVICTION_HARD).toEqual({ ...KUBELET_DEFAULT_EVICTION_HARD, 'memory.available': '500Mi' });
    expect(DEFAULT_SYSTEM_RESERVED).toEqual({ cpu: '100m', memory: '256Mi', ephemeralStorage: '1Gi', pid: 1000 });
  });

  test('merges a hard threshold over the defaults, keeping every other default signal', () => {
    const resolved = resolveKubelet({ evictionHard: { 'memory.available': '1Gi', 'pid.available': '10%' } }, SKU);
    expect(resolved.evictionHard).toEqual({
      'memory.available': '1Gi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%',
      'pid.available': '10%',
    });
  });

  test('merges partial reservations over the defaults and the scaled values', () => {
    const resolved = resolveKubelet({ systemReserved: { cpu: '250m' }, kubeReserved: { memory: '2Gi', pid: 2000 } }, SKU);
    expect(resolved.systemReserved).toEqual({ cpu: '250m', memory: '256Mi', ephemeralStorage: '1Gi', pid: 1000 });
    expect(resolved.kubeReserved).toEqual({ cpu: '90m', memory: '2Gi', ephemeralStorage: '1Gi', pid: 2000 });
  });

  test('takes the pod count from the SKU and the profile\'s settings as given', () => {
    const profile: KubeletProfile = {
      podPidsLimit: -1, containerLogMaxSize: '50Mi', containerLogMaxFiles: 2, imageGcHighThresholdPercent: 90, imageGcLowThresholdPercent: 70,
      enforceNodeAllocatable: ['pods', 'kube-reserved'], kubeReservedCgroup: '/kube.slice',
    };
    const resolved = resolveKubelet(profile, { ...SKU, maxPods: 250 });
    expect(resolved.maxPods).toBe(250);
    expect(resolved.podPidsLimit).toBe(-1);
    expect(resolved.containerLogMaxSize).toBe('50Mi');
    expect(resolved.containerLogMaxFiles).toBe(2);
    expect(resolved.imageGcHighThresholdPercent).toBe(90);
    expect(resolved.imageGcLowThresholdPercent).toBe(70);
    expect(resolved.enforceNodeAllocatable).toEqual(['pods', 'kube-reserved']);
    expect(resolved.profile).toBe(profile);
  });

  test('keeps the default of a reservation field given as undefined', () => {
    expect(resolveKubelet({ kubeReserved: { cpu: undefined, memory: '1Gi' } }, SKU).kubeReserved.cpu).toBe('90m');
  });
});

describe('thresholds', () => {
  test.each([['500Mi', true], ['0', true], ['10%', true], ['0%', true], ['100%', true], ['7.5%', true],
    ['100.5%', false], ['-1Gi', false], ['-5%', false], ['10 %', false], ['ten', false], ['', false]])(
    'isThreshold(%p) is %p', (value, expected) => expect(isThreshold(value)).toBe(expected));

  test('isThreshold refuses what is not text', () => {
    expect(isThreshold(500)).toBe(false);
    expect(isThreshold(undefined)).toBe(false);
  });

  test('a quantity stands for itself, a percentage for its share of the capacity, truncated to whole units', () => {
    expect(thresholdAmount('500Mi', Quantity.parse('32Gi')).toString()).toBe('500Mi');
    expect(thresholdAmount('10%', Quantity.parse('100Gi')).toString()).toBe('10Gi');
    // 34359738368 × 5% = 1717986918.4 bytes.
    expect(thresholdAmount('5%', Quantity.parse('32Gi')).toString()).toBe('1717986918');
  });
});

describe('checkKubeletProfile', () => {
  test('accepts no profile, an empty one and the fixture of every documented option', () => {
    expect(problems({})).toEqual([]);
    const checks = new Checks();
    checkKubeletProfile(checks, FIELD, undefined, SKU);
    expect(checks.problems).toEqual([]);
    expect(problems({
      systemReserved: { cpu: '200m', memory: '512Mi', ephemeralStorage: '2Gi', pid: 2000 },
      kubeReserved: { cpu: '200m', memory: '1Gi', ephemeralStorage: '2Gi', pid: 2000 },
      enforceNodeAllocatable: ['pods', 'system-reserved', 'kube-reserved'], systemReservedCgroup: '/system.slice', kubeReservedCgroup: '/kube.slice',
      evictionHard: { 'memory.available': '750Mi', 'pid.available': '5%' },
      evictionSoft: { 'memory.available': '1Gi', 'nodefs.available': '15%' },
      evictionSoftGracePeriod: { 'memory.available': '1m30s', 'nodefs.available': '2m' },
      evictionMinimumReclaim: { 'memory.available': '256Mi', 'nodefs.available': '1Gi' },
      evictionMaxPodGracePeriod: 60, evictionPressureTransitionPeriod: '5m',
      containerLogMaxSize: '20Mi', containerLogMaxFiles: 3, podPidsLimit: 8192,
      imageGcHighThresholdPercent: 90, imageGcLowThresholdPercent: 85,
      cpuManagerPolicy: 'static', topologyManagerPolicy: 'best-effort', topologyManagerScope: 'container',
    })).toEqual([]);
  });

  describe('reservations', () => {
    test.each(['systemReserved', 'kubeReserved'] as const)('checks each %s quantity and the pid count', scope => {
      expect(problems({ [scope]: { cpu: 'half', memory: '-1Gi', ephemeralStorage: '1 Gi', pid: -1 } })).toEqual([
        `${FIELD}.${scope}.cpu = "half": ${QUANTITY_RULE}`,
        `${FIELD}.${scope}.memory = "-1Gi": must not be negative`,
        `${FIELD}.${scope}.ephemeralStorage = "1 Gi": ${QUANTITY_RULE}`,
        `${FIELD}.${scope}.pid = -1: must be a whole number, zero or more`,
      ]);
    });

    test('refuses a fractional pid count', () => {
      expect(problems({ systemReserved: { pid: 1.5 } })).toEqual([`${FIELD}.systemReserved.pid = 1.5: must be a whole number, zero or more`]);
    });
  });

  describe('enforceNodeAllocatable', () => {
    test('refuses an unknown enforcement', () => {
      expect(problems({ enforceNodeAllocatable: ['pods', 'all' as any] })).toEqual([
        `${FIELD}.enforceNodeAllocatable[1] = "all": must be one of "pods", "system-reserved", "kube-reserved", "none"`,
      ]);
    });

    test('keeps "none" alone', () => {
      expect(problems({ enforceNodeAllocatable: ['none'] })).toEqual([]);
      expect(problems({ enforceNodeAllocatable: ['pods', 'none'] })).toEqual([
        `${FIELD}.enforceNodeAllocatable = ["pods","none"]: "none" must stand alone`,
      ]);
    });

    test('needs the system daemons\' cgroup to enforce system-reserved', () => {
      expect(problems({ enforceNodeAllocatable: ['pods', 'system-reserved'] })).toEqual([
        `${FIELD}.systemReservedCgroup = (missing): is required to enforce system-reserved: the kubelet needs the existing cgroup of the system daemons, `
        + 'such as /system.slice',
      ]);
      expect(problems({ enforceNodeAllocatable: ['pods', 'system-reserved'], systemReservedCgroup: '' })).toEqual([
        expect.stringMatching(/^nodePools\[0\]\.kubelet\.systemReservedCgroup = "": is required to enforce system-reserved/),
      ]);
      expect(problems({ enforceNodeAllocatable: ['pods', 'system-reserved'], systemReservedCgroup: '/system.slice' })).toEqual([]);
    });

    test('needs the kubelet\'s and runtime\'s cgroup to enforce kube-reserved', () => {
      expect(problems({ enforceNodeAllocatable: ['kube-reserved'] })).toEqual([
        `${FIELD}.kubeReservedCgroup = (missing): is required to enforce kube-reserved: the kubelet needs the existing cgroup of the kubelet and runtime, `
        + 'such as /kube.slice',
      ]);
      expect(problems({ enforceNodeAllocatable: ['kube-reserved'], kubeReservedCgroup: '/kube.slice' })).toEqual([]);
    });

    test('asks for no cgroup when only pods are enforced', () => {
      expect(problems({ enforceNodeAllocatable: ['pods'] })).toEqual([]);
    });
  });

  describe('eviction', () => {
    test.each(['evictionHard', 'evictionSoft', 'evictionMinimumReclaim'] as const)('%s refuses an unknown signal', name => {
      const profile: KubeletProfile = { [name]: { 'memory.free': '1Gi' } };
      const grace = name === 'evictionSoft' ? { evictionSoftGracePeriod: { 'memory.free': '1m' } } : {};
      expect(problems({ ...profile, ...grace } as KubeletProfile)).toEqual([`${FIELD}.${name} = "memory.free": ${SIGNAL_RULE}`]);
    });

    test.each([['-500Mi'], ['110%'], ['-5%'], ['half'], ['10 %']])('refuses the threshold %p', value => {
      expect(problems({ evictionHard: { 'nodefs.available': value } })).toEqual([`${FIELD}.evictionHard.nodefs.available = "${value}": ${THRESHOLD_RULE}`]);
      expect(problems({ evictionMinimumReclaim: { 'nodefs.available': value } })).toEqual([
        `${FIELD}.evictionMinimumReclaim.nodefs.available = "${value}": ${THRESHOLD_RULE}`,
      ]);
    });

    test('knows every kubelet eviction signal', () => {
      const everySignal = Object.fromEntries(EVICTION_SIGNALS.map(signal => [signal, '1%']));
      expect(problems({ evictionHard: everySignal, evictionMinimumReclaim: everySignal })).toEqual([]);
      expect(EVICTION_SIGNALS).toHaveLength(9);
    });

    test('refuses a soft threshold without a grace period, as the kubelet does', () => {
      expect(problems({ evictionSoft: { 'memory.available': '1Gi' } })).toEqual([
        `${FIELD}.evictionSoftGracePeriod.memory.available = (missing): every soft eviction signal needs a grace period, or the kubelet refuses to start`,
      ]);
    });

    test('refuses a grace period without a soft threshold', () => {
      expect(problems({ evictionSoft: { 'memory.available': '1Gi' }, evictionSoftGracePeriod: { 'memory.available': '1m', 'nodefs.available': '1m' } }))
        .toEqual([`${FIELD}.evictionSoftGracePeriod.nodefs.available = "1m": has no soft threshold to delay`]);
    });

    test.each([['90'], ['1.5 m'], ['-1s'], ['1d'], ['']])('refuses the grace period %p', value => {
      expect(problems({ evictionSoft: { 'memory.available': '1Gi' }, evictionSoftGracePeriod: { 'memory.available': value } })).toEqual([
        `${FIELD}.evictionSoftGracePeriod.memory.available = "${value}": must be a duration such as 90s or 1m30s`,
      ]);
    });

    test.each([['90s'], ['1m30s'], ['1.5m'], ['1h'], ['500ms']])('accepts the grace period %p', value => {
      expect(problems({ evictionSoft: { 'memory.available': '1Gi' }, evictionSoftGracePeriod: { 'memory.available': value } })).toEqual([]);
    });

    test('wants a soft threshold to leave more free than the hard one, as quantities', () => {
      const grace = { evictionSoftGracePeriod: { 'memory.available': '1m' } };
      // The default hard memory threshold is 500Mi.
      expect(problems({ evictionSoft: { 'memory.available': '400Mi' }, ...grace })).toEqual([
        `${FIELD}.evictionSoft.memory.available = "400Mi": must leave more free than the hard threshold (500Mi), or the soft eviction never comes first`,
      ]);
      expect(problems({ evictionSoft: { 'memory.available': '500Mi' }, ...grace })).toEqual([
        expect.stringMatching(/^nodePools\[0\]\.kubelet\.evictionSoft\.memory\.available = "500Mi": must leave more free than the hard threshold \(500Mi\)/),
      ]);
      expect(problems({ evictionSoft: { 'memory.available': '501Mi' }, ...grace })).toEqual([]);
      // Compared with the merged hard threshold, not the default.
      expect(problems({ evictionHard: { 'memory.available': '2Gi' }, evictionSoft: { 'memory.available': '1Gi' }, ...grace })).toEqual([
        `${FIELD}.evictionSoft.memory.available = "1Gi": must leave more free than the hard threshold (2Gi), or the soft eviction never comes first`,
      ]);
    });

    test('wants a soft threshold to leave more free than the hard one, as percentages', () => {
      const grace = { evictionSoftGracePeriod: { 'nodefs.available': '1m' } };
      expect(problems({ evictionSoft: { 'nodefs.available': '10%' }, ...grace })).toEqual([
        `${FIELD}.evictionSoft.nodefs.available = "10%": must leave more free than the hard threshold (10%), or the soft eviction never comes first`,
      ]);
      expect(problems({ evictionSoft: { 'nodefs.available': '10.5%' }, ...grace })).toEqual([]);
    });

    test('does not compare a percentage with a quantity, nor a signal without a hard threshold', () => {
      expect(problems({ evictionSoft: { 'memory.available': '1%' }, evictionSoftGracePeriod: { 'memory.available': '1m' } })).toEqual([]);
      expect(problems({ evictionSoft: { 'pid.available': '1%' }, evictionSoftGracePeriod: { 'pid.available': '1m' } })).toEqual([]);
    });

    test('reports an invalid soft threshold once, without comparing it', () => {
      expect(problems({ evictionSoft: { 'memory.available': 'lots' }, evictionSoftGracePeriod: { 'memory.available': '1m' } })).toEqual([
        `${FIELD}.evictionSoft.memory.available = "lots": ${THRESHOLD_RULE}`,
      ]);
    });

    test('refuses a negative or fractional longest grace period of evicted pods', () => {
      expect(problems({ evictionMaxPodGracePeriod: -1 })).toEqual([`${FIELD}.evictionMaxPodGracePeriod = -1: must be a whole number, zero or more`]);
      expect(problems({ evictionMaxPodGracePeriod: 2.5 })).toEqual([`${FIELD}.evictionMaxPodGracePeriod = 2.5: must be a whole number, zero or more`]);
      expect(problems({ evictionMaxPodGracePeriod: 0 })).toEqual([]);
    });

    test('refuses a pressure transition period that is no duration', () => {
      expect(problems({ evictionPressureTransitionPeriod: '5 minutes' })).toEqual([
        `${FIELD}.evictionPressureTransitionPeriod = "5 minutes": must be a duration such as 5m`,
      ]);
      expect(problems({ evictionPressureTransitionPeriod: '5m0s' })).toEqual([]);
    });
  });

  describe('logs, pids and image garbage collection', () => {
    test('refuses a log size that is no quantity', () => {
      expect(problems({ containerLogMaxSize: '10MB' })).toEqual([`${FIELD}.containerLogMaxSize = "10MB": ${QUANTITY_RULE}`]);
      expect(problems({ containerLogMaxSize: '-10Mi' })).toEqual([`${FIELD}.containerLogMaxSize = "-10Mi": must not be negative`]);
    });

    test.each([[1], [0], [2.5]])('refuses to keep %p log files', files => {
      expect(problems({ containerLogMaxFiles: files })).toEqual([
        `${FIELD}.containerLogMaxFiles = ${files}: must be a whole number, 2 or more: the kubelet keeps the live file and at least one rotated one`,
      ]);
    });

    test('keeps at least two log files', () => {
      expect(problems({ containerLogMaxFiles: 2 })).toEqual([]);
    });

    test.each([[0], [-2], [100.5]])('refuses a pod pid limit of %p', limit => {
      expect(problems({ podPidsLimit: limit })).toEqual([`${FIELD}.podPidsLimit = ${limit}: must be a positive whole number, or -1 for no limit`]);
    });

    test('accepts -1 for no pod pid limit, and any positive limit', () => {
      expect(problems({ podPidsLimit: -1 })).toEqual([]);
      expect(problems({ podPidsLimit: 1 })).toEqual([]);
    });

    test('keeps image garbage collection thresholds whole percentages', () => {
      expect(problems({ imageGcHighThresholdPercent: 101, imageGcLowThresholdPercent: 80.5 })).toEqual([
        `${FIELD}.imageGcHighThresholdPercent = 101: must be a whole percentage from 0 to 100`,
        `${FIELD}.imageGcLowThresholdPercent = 80.5: must be a whole percentage from 0 to 100`,
      ]);
      expect(problems({ imageGcHighThresholdPercent: 50, imageGcLowThresholdPercent: -1 })).toEqual([
        `${FIELD}.imageGcLowThresholdPercent = -1: must be a whole percentage from 0 to 100`,
      ]);
    });

    test('wants graceful shutdown periods as the kubelet does: 0s or at least 1s, the critical pods\' part within the whole', () => {
      expect(problems({ shutdownGracePeriod: '2m', shutdownGracePeriodCriticalPods: '30s' })).toEqual([]);
      // 0s turns graceful shutdown off; the critical pods may have all of it.
      expect(problems({ shutdownGracePeriod: '0s', shutdownGracePeriodCriticalPods: '0s' })).toEqual([]);
      expect(problems({ shutdownGracePeriod: '20s' })).toEqual([]);
      expect(problems({ shutdownGracePeriod: '60' })).toEqual([`${FIELD}.shutdownGracePeriod = "60": must be 0s (off) or a duration of at least 1s, such as 60s or 1m`]);
      expect(problems({ shutdownGracePeriod: '500ms', shutdownGracePeriodCriticalPods: '0s' })).toEqual([
        `${FIELD}.shutdownGracePeriod = "500ms": must be 0s (off) or a duration of at least 1s, such as 60s or 1m`,
      ]);
      expect(problems({ shutdownGracePeriod: '1m', shutdownGracePeriodCriticalPods: '1m30s' })).toEqual([
        `${FIELD}.shutdownGracePeriodCriticalPods = "1m30s": must not be longer than shutdownGracePeriod (1m), which it is a part of`,
      ]);
    });

    test('wants the low image threshold below the high one, counting the defaults', () => {
      expect(problems({ imageGcLowThresholdPercent: 85 })).toEqual([`${FIELD}.imageGcLowThresholdPercent = 85: must be below imageGcHighThresholdPercent (85)`]);
      // The default low threshold (80) is above a high one of 75.
      expect(problems({ imageGcHighThresholdPercent: 75 })).toEqual([`${FIELD}.imageGcLowThresholdPercent = 80: must be below imageGcHighThresholdPercent (75)`]);
      expect(problems({ imageGcHighThresholdPercent: 100, imageGcLowThresholdPercent: 0 })).toEqual([]);
    });
  });

  describe('cpu, memory and topology managers', () => {
    test('refuses unknown policies and scopes', () => {
      expect(problems({
        cpuManagerPolicy: 'Static' as any, memoryManagerPolicy: 'static' as any, topologyManagerPolicy: 'single-numa' as any, topologyManagerScope: 'node' as any,
      })).toEqual([
        `${FIELD}.cpuManagerPolicy = "Static": must be one of "none", "static"`,
        `${FIELD}.memoryManagerPolicy = "static": must be one of "None", "Static"`,
        `${FIELD}.topologyManagerPolicy = "single-numa": must be one of "none", "best-effort", "restricted", "single-numa-node"`,
        `${FIELD}.topologyManagerScope = "node": must be one of "container", "pod"`,
      ]);
    });

    test.each(['none', 'best-effort', 'restricted', 'single-numa-node'] as const)('accepts the topology policy %s in either scope', policy => {
      expect(problems({ topologyManagerPolicy: policy, topologyManagerScope: 'pod' })).toEqual([]);
      expect(problems({ topologyManagerPolicy: policy, topologyManagerScope: 'container' })).toEqual([]);
    });

    test('the static cpu manager needs a cpu reservation above zero', () => {
      expect(problems({ cpuManagerPolicy: 'static', kubeReserved: { cpu: '0' }, systemReserved: { cpu: '0' } })).toEqual([
        `${FIELD}.cpuManagerPolicy = "static": the static cpu manager needs kube-reserved or system-reserved cpu above zero`,
      ]);
      expect(problems({ cpuManagerPolicy: 'static', kubeReserved: { cpu: '0' } })).toEqual([]);
      expect(problems({ cpuManagerPolicy: 'static', systemReserved: { cpu: '0' } })).toEqual([]);
      expect(problems({ cpuManagerPolicy: 'none', kubeReserved: { cpu: '0' }, systemReserved: { cpu: '0' } })).toEqual([]);
    });

    test('checks each NUMA memory reservation', () => {
      expect(problems({ reservedMemory: [{ numaNode: -1, memory: '1Gi' }, { numaNode: 1, memory: 'half' }] })).toEqual([
        `${FIELD}.reservedMemory[0].numaNode = -1: must be a whole number, zero or more`,
        `${FIELD}.reservedMemory[1].memory = "half": ${QUANTITY_RULE}`,
      ]);
    });

    test('does not add up NUMA reservations without the Static memory manager', () => {
      expect(problems({ reservedMemory: [{ numaNode: 0, memory: '1Gi' }] })).toEqual([]);
    });

    test('the Static memory manager needs NUMA reservations that add up to kube-reserved, system-reserved and the hard threshold', () => {
      // 3646Mi kube-reserved + 256Mi system-reserved + 500Mi memory.available = 4402Mi.
      expect(problems({ memoryManagerPolicy: 'Static', reservedMemory: [{ numaNode: 0, memory: '2201Mi' }, { numaNode: 1, memory: '2201Mi' }] })).toEqual([]);
      expect(problems({ memoryManagerPolicy: 'Static', reservedMemory: [{ numaNode: 0, memory: '4Gi' }] })).toEqual([
        `${FIELD}.reservedMemory = ["4Gi"]: with the Static memory manager must add up to kube-reserved + system-reserved + the hard memory threshold `
        + '(4402Mi), not 4Gi',
      ]);
      expect(problems({ memoryManagerPolicy: 'Static' })).toEqual([
        `${FIELD}.reservedMemory = []: with the Static memory manager must add up to kube-reserved + system-reserved + the hard memory threshold `
        + '(4402Mi), not 0',
      ]);
    });

    test('the Static memory manager counts a percentage hard threshold in whole bytes of the SKU\'s memory', () => {
      // floor(5% × 32Gi) = 1717986918 bytes, + 3646Mi + 256Mi (4091543552 bytes) = 5809530470 bytes.
      const profile: KubeletProfile = { memoryManagerPolicy: 'Static', evictionHard: { 'memory.available': '5%' } };
      expect(problems({ ...profile, reservedMemory: [{ numaNode: 0, memory: '2Gi' }, { numaNode: 1, memory: '3662046822' }] })).toEqual([]);
      expect(problems({ ...profile, reservedMemory: [{ numaNode: 0, memory: '5540Mi' }] })).toEqual([
        `${FIELD}.reservedMemory = ["5540Mi"]: with the Static memory manager must add up to kube-reserved + system-reserved + the hard memory threshold `
        + '(5809530470), not 5540Mi',
      ]);
    });

    test('adds up explicit reservations instead of the scaled ones', () => {
      const profile: KubeletProfile = {
        memoryManagerPolicy: 'Static', kubeReserved: { memory: '1Gi' }, systemReserved: { memory: '512Mi' }, evictionHard: { 'memory.available': '512Mi' },
      };
      expect(problems({ ...profile, reservedMemory: [{ numaNode: 0, memory: '1Gi' }, { numaNode: 1, memory: '1Gi' }] })).toEqual([]);
    });

    test('leaves the sum unchecked while a part is invalid, reporting only that part', () => {
      expect(problems({ memoryManagerPolicy: 'Static', kubeReserved: { memory: 'lots' }, reservedMemory: [{ numaNode: 0, memory: '1Gi' }] })).toEqual([
        `${FIELD}.kubeReserved.memory = "lots": ${QUANTITY_RULE}`,
      ]);
    });
  });

  test('reports kubelet problems through the pool, with its construct path', () => {
    const found = problemsOf(chart => new NodePool(chart, 'pool', {
      name: 'general', clusterName: 'test', count: 1, firstAddress: '10.0.1.10', sku: SKU, field: 'nodePools[0]', kubelet: { podPidsLimit: 0 },
    }));
    expect(found).toEqual([`[test/pool] ${FIELD}.podPidsLimit = 0: must be a positive whole number, or -1 for no limit`]);
  });
});
