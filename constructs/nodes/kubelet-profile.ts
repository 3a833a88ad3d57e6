import { Checks } from '../core/checks';
import { Quantity } from '../core/quantity';
import { DEFAULT_MAX_PODS, NodeSku } from './node-sku';

/**
 * A kubelet eviction signal.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#eviction-signals
 */
export type EvictionSignal =
  | 'memory.available' | 'allocatableMemory.available' | 'pid.available'
  | 'nodefs.available' | 'nodefs.inodesFree' | 'imagefs.available' | 'imagefs.inodesFree'
  | 'containerfs.available' | 'containerfs.inodesFree';

export const EVICTION_SIGNALS: readonly EvictionSignal[] = [
  'memory.available', 'allocatableMemory.available', 'pid.available', 'nodefs.available', 'nodefs.inodesFree',
  'imagefs.available', 'imagefs.inodesFree', 'containerfs.available', 'containerfs.inodesFree',
];

/** Thresholds per signal: a quantity (`500Mi`) or a percentage of capacity (`10%`). */
export type EvictionThresholds = Readonly<Partial<Record<EvictionSignal, string>>>;

/** Durations per signal, in Go's duration format (`1m30s`). */
export type EvictionGracePeriods = Readonly<Partial<Record<EvictionSignal, string>>>;

/** Resources kept from pods for a class of daemons. */
export interface ReservedResources {
  /** Kubernetes quantity of cpu. */
  readonly cpu?: string;
  /** Kubernetes quantity of memory. */
  readonly memory?: string;
  /** Kubernetes quantity of the root filesystem. */
  readonly ephemeralStorage?: string;
  /** Number of process ids. */
  readonly pid?: number;
}

export type NodeAllocatableEnforcement = 'pods' | 'system-reserved' | 'kube-reserved' | 'none';
export type CpuManagerPolicy = 'none' | 'static';
export type MemoryManagerPolicy = 'None' | 'Static';
export type TopologyManagerPolicy = 'none' | 'best-effort' | 'restricted' | 'single-numa-node';
export type TopologyManagerScope = 'container' | 'pod';

/** Memory reserved on one NUMA node, for the Static memory manager. */
export interface NumaMemoryReservation {
  readonly numaNode: number;
  /** Kubernetes quantity of memory. */
  readonly memory: string;
}

/**
 * How the kubelets of a pool reserve resources, evict pods and rotate logs.
 * Hardening (no anonymous access, webhook authorization, no read-only port,
 * protected kernel defaults, rotated client and serving certificates, the
 * runtime's default seccomp profile) is always on and not configurable.
 * @see https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/
 */
export interface KubeletProfile {
  /**
   * Kept for the operating system's daemons (`systemReserved`).
   * @default cpu 100m, memory 256Mi, ephemeral storage 1Gi, 1000 pids
   */
  readonly systemReserved?: ReservedResources;
  /**
   * Kept for the kubelet and the container runtime (`kubeReserved`).
   * @default cpu and memory scaled to the node's size (6% of the first core, 1% of the second, 0.5% of the next two,
   * 0.25% above four; 25% of the first 4Gi of memory, 20% of the next 4Gi, 10% of the next 8Gi, 6% up to 128Gi,
   * 2% above), ephemeral storage 1Gi, 1000 pids
   */
  readonly kubeReserved?: ReservedResources;
  /**
   * Which reservations the kubelet enforces with cgroups. Enforcing `system-reserved` or
   * `kube-reserved` needs the matching cgroup: a misconfigured one starves the system instead of the pods.
   * @default ['pods']
   */
  readonly enforceNodeAllocatable?: readonly NodeAllocatableEnforcement[];
  /**
   * Existing cgroup of the system daemons, such as `/system.slice`; required to enforce `system-reserved`.
   * @default none
   */
  readonly systemReservedCgroup?: string;
  /**
   * Existing cgroup of the kubelet and runtime, such as `/kube.slice`; required to enforce `kube-reserved`.
   * @default none
   */
  readonly kubeReservedCgroup?: string;
  /**
   * Hard eviction thresholds, merged over the defaults: the kubelet forgets every default signal as soon as one is set,
   * so prodk8s always writes all of them.
   * @default memory.available 500Mi, nodefs.available 10%, nodefs.inodesFree 5%, imagefs.available 15%, imagefs.inodesFree 5%
   */
  readonly evictionHard?: EvictionThresholds;
  /**
   * Soft eviction thresholds; each needs a grace period.
   * @default none
   */
  readonly evictionSoft?: EvictionThresholds;
  /**
   * How long a soft threshold must be crossed before the kubelet evicts.
   * @default none
   */
  readonly evictionSoftGracePeriod?: EvictionGracePeriods;
  /**
   * How much more than the threshold an eviction reclaims, so that the node does not hover at it.
   * @default none
   */
  readonly evictionMinimumReclaim?: EvictionThresholds;
  /**
   * Longest termination grace period, in seconds, of a pod evicted for a soft threshold.
   * @default 0 (the pod's own grace period)
   */
  readonly evictionMaxPodGracePeriod?: number;
  /**
   * How long a node stays in a pressure condition after it clears (Go duration).
   * @default '5m0s'
   */
  readonly evictionPressureTransitionPeriod?: string;
  /**
   * Size at which a container's log is rotated (quantity).
   * @default '10Mi'
   */
  readonly containerLogMaxSize?: string;
  /**
   * Rotated log files kept per container; at least 2.
   * @default 5
   */
  readonly containerLogMaxFiles?: number;
  /**
   * How long the kubelet delays a node's shutdown (systemd inhibitor) to stop its pods gracefully.
   * @default '60s', as Kubespray sets it, so that both installers give the same kubelet
   * @see https://kubernetes.io/docs/concepts/cluster-administration/node-shutdown/
   */
  readonly shutdownGracePeriod?: string;
  /**
   * The part of `shutdownGracePeriod` kept for critical pods, which stop last.
   * @default '20s', as Kubespray sets it
   */
  readonly shutdownGracePeriodCriticalPods?: string;
  /**
   * Process ids one pod may use; -1 for no limit.
   * @default 4096: a fork bomb in one pod cannot exhaust the node
   */
  readonly podPidsLimit?: number;
  /**
   * Disk use, in percent, at which image garbage collection starts.
   * @default 85
   */
  readonly imageGcHighThresholdPercent?: number;
  /**
   * Disk use, in percent, down to which image garbage collection frees.
   * @default 80
   */
  readonly imageGcLowThresholdPercent?: number;
  /**
   * `static` gives Guaranteed pods with whole cpus exclusive cores (NUMA-sensitive pools); it needs a cpu reservation.
   * @default 'none'
   */
  readonly cpuManagerPolicy?: CpuManagerPolicy;
  /**
   * `Static` pins Guaranteed pods' memory to NUMA nodes; it needs `reservedMemory`.
   * @default 'None'
   */
  readonly memoryManagerPolicy?: MemoryManagerPolicy;
  /**
   * Memory reserved per NUMA node; with the Static memory manager its sum must equal
   * kube-reserved + system-reserved + the hard memory eviction threshold.
   * @default none
   */
  readonly reservedMemory?: readonly NumaMemoryReservation[];
  /**
   * How the topology manager aligns cpus, memory and devices (GPUs) to NUMA nodes.
   * @default 'none'
   */
  readonly topologyManagerPolicy?: TopologyManagerPolicy;
  /**
   * Whether alignment is per container or per pod.
   * @default 'container'
   */
  readonly topologyManagerScope?: TopologyManagerScope;
}

/** The kubelet's own hard thresholds, restated because setting any one signal drops the others. */
export const KUBELET_DEFAULT_EVICTION_HARD: EvictionThresholds = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
  'imagefs.inodesFree': '5%',
};

/** prodk8s's hard thresholds: the kubelet's, with more memory headroom than 100Mi, which a busy node crosses before it can react. */
export const DEFAULT_EVICTION_HARD: EvictionThresholds = { ...KUBELET_DEFAULT_EVICTION_HARD, 'memory.available': '500Mi' };

export const DEFAULT_SYSTEM_RESERVED = { cpu: '100m', memory: '256Mi', ephemeralStorage: '1Gi', pid: 1000 } as const;

/** A profile with every default filled in, for one SKU. */
export interface ResolvedKubelet {
  readonly systemReserved: Required<ReservedResources>;
  readonly kubeReserved: Required<ReservedResources>;
  readonly enforceNodeAllocatable: readonly NodeAllocatableEnforcement[];
  readonly evictionHard: EvictionThresholds;
  readonly maxPods: number;
  readonly podPidsLimit: number;
  readonly containerLogMaxSize: string;
  readonly containerLogMaxFiles: number;
  readonly imageGcHighThresholdPercent: number;
  readonly imageGcLowThresholdPercent: number;
  readonly shutdownGracePeriod: string;
  readonly shutdownGracePeriodCriticalPods: string;
  /** The profile as given, for the options without a default. */
  readonly profile: KubeletProfile;
}

/** Fills in the defaults of `profile` for a node of `sku`. */
export function resolveKubelet(profile: KubeletProfile | undefined, sku: NodeSku): ResolvedKubelet {
  const scaled = scaledKubeReserved(sku);
  return {
    systemReserved: { ...DEFAULT_SYSTEM_RESERVED, ...defined(profile?.systemReserved) },
    kubeReserved: { cpu: scaled.cpu, memory: scaled.memory, ephemeralStorage: '1Gi', pid: 1000, ...defined(profile?.kubeReserved) },
    enforceNodeAllocatable: profile?.enforceNodeAllocatable ?? ['pods'],
    evictionHard: { ...DEFAULT_EVICTION_HARD, ...profile?.evictionHard },
    maxPods: sku.maxPods ?? DEFAULT_MAX_PODS,
    podPidsLimit: profile?.podPidsLimit ?? 4096,
    containerLogMaxSize: profile?.containerLogMaxSize ?? '10Mi',
    containerLogMaxFiles: profile?.containerLogMaxFiles ?? 5,
    imageGcHighThresholdPercent: profile?.imageGcHighThresholdPercent ?? 85,
    imageGcLowThresholdPercent: profile?.imageGcLowThresholdPercent ?? 80,
    shutdownGracePeriod: profile?.shutdownGracePeriod ?? '60s',
    shutdownGracePeriodCriticalPods: profile?.shutdownGracePeriodCriticalPods ?? '20s',
    profile: profile ?? {},
  };
}

/** The fields of `reserved` that are set: an explicit `undefined` keeps the default. */
function defined(reserved: ReservedResources | undefined): ReservedResources {
  return Object.fromEntries(Object.entries(reserved ?? {}).filter(([, value]) => value !== undefined));
}

/**
 * The kube-reserved cpu and memory that grow with the node, in the tiers GKE
 * publishes: a small node keeps a larger share for the kubelet and runtime.
 * Rounded up to whole millicores and MiB.
 */
export function scaledKubeReserved(sku: NodeSku): { cpu: string; memory: string } {
  return {
    cpu: Quantity.isValid(sku.cpu) ? tiered(Quantity.parse(sku.cpu), Quantity.of(1), CPU_TIERS).roundUp(Quantity.parse('1m')).toString() : '0',
    memory: Quantity.isValid(sku.memory)
      ? tiered(Quantity.parse(sku.memory), Quantity.parse('1Gi'), MEMORY_TIERS).roundUp(Quantity.parse('1Mi')).toString()
      : '0',
  };
}

/** [upper bound of the tier in units, percent of the tier reserved]; the last tier is unbounded. */
type Tiers = readonly (readonly [number, string])[];
const CPU_TIERS: Tiers = [[1, '6'], [2, '1'], [4, '0.5'], [Infinity, '0.25']];
const MEMORY_TIERS: Tiers = [[4, '25'], [8, '20'], [16, '10'], [128, '6'], [Infinity, '2']];

function tiered(capacity: Quantity, unit: Quantity, tiers: Tiers): Quantity {
  let reserved = Quantity.of(0);
  let lower = Quantity.of(0);
  for (const [bound, percent] of tiers) {
    const upper = bound === Infinity ? capacity : unit.times(bound);
    const top = capacity.compare(upper) < 0 ? capacity : upper;
    if (top.compare(lower) <= 0) break;
    reserved = reserved.plus(top.minus(lower).scale(percent, 100));
    lower = upper;
  }
  return reserved;
}

const ENFORCEMENTS: readonly NodeAllocatableEnforcement[] = ['pods', 'system-reserved', 'kube-reserved', 'none'];
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** The seconds of a Go duration that matches GO_DURATION. */
function durationSeconds(duration: string): number {
  return [...duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce((sum, [, amount, unit]) => sum + Number(amount) * DURATION_UNITS[unit], 0);
}
const PERCENT = /^(\d+(\.\d+)?)%$/;

/** Whether `value` is a threshold: a quantity or a percentage from 0 to 100. */
export function isThreshold(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const percent = PERCENT.exec(value);
  return percent ? Number(percent[1]) <= 100 : Quantity.isValid(value) && !Quantity.parse(value).isNegative();
}

/**
 * The amount a threshold stands for on a node of `capacity`: the quantity
 * itself, or its percentage of the capacity truncated to whole units, as the
 * kubelet computes it (`int64(capacity × percentage)`).
 */
export function thresholdAmount(threshold: string, capacity: Quantity): Quantity {
  const percent = PERCENT.exec(threshold);
  return percent ? capacity.scale(percent[1], 100).floor() : Quantity.parse(threshold);
}

/** Checks a kubelet profile; `field` is where it sits in the spec. */
export function checkKubeletProfile(checks: Checks, field: string, profile: KubeletProfile | undefined, sku: NodeSku): void {
  const p = profile ?? {};
  const resolved = resolveKubelet(profile, sku);
  for (const scope of ['systemReserved', 'kubeReserved'] as const) {
    const reserved = p[scope] ?? {};
    checks.quantity(`${field}.${scope}.cpu`, reserved.cpu);
    checks.quantity(`${field}.${scope}.memory`, reserved.memory);
    checks.quantity(`${field}.${scope}.ephemeralStorage`, reserved.ephemeralStorage);
    checks.count(`${field}.${scope}.pid`, reserved.pid);
  }

  const enforce = resolved.enforceNodeAllocatable;
  enforce.forEach((value, i) => checks.oneOf(`${field}.enforceNodeAllocatable[${i}]`, value, ENFORCEMENTS));
  checks.expect(!enforce.includes('none') || enforce.length === 1, `${field}.enforceNodeAllocatable`, enforce, '"none" must stand alone');
  checks.expect(!enforce.includes('system-reserved') || !!p.systemReservedCgroup, `${field}.systemReservedCgroup`, p.systemReservedCgroup,
    'is required to enforce system-reserved: the kubelet needs the existing cgroup of the system daemons, such as /system.slice');
  checks.expect(!enforce.includes('kube-reserved') || !!p.kubeReservedCgroup, `${field}.kubeReservedCgroup`, p.kubeReservedCgroup,
    'is required to enforce kube-reserved: the kubelet needs the existing cgroup of the kubelet and runtime, such as /kube.slice');

  for (const name of ['evictionHard', 'evictionSoft', 'evictionMinimumReclaim'] as const) {
    for (const [signal, value] of Object.entries(p[name] ?? {})) {
      checks.oneOf(`${field}.${name}`, signal as EvictionSignal, EVICTION_SIGNALS);
      checks.expect(isThreshold(value), `${field}.${name}.${signal}`, value, 'must be a quantity such as 500Mi or a percentage such as 10%');
    }
  }
  const soft = p.evictionSoft ?? {};
  const grace = p.evictionSoftGracePeriod ?? {};
  for (const signal of Object.keys(soft) as EvictionSignal[]) {
    checks.expect(grace[signal] !== undefined, `${field}.evictionSoftGracePeriod.${signal}`, grace[signal],
      'every soft eviction signal needs a grace period, or the kubelet refuses to start');
    const hard = resolved.evictionHard[signal];
    if (hard !== undefined && isThreshold(hard) && isThreshold(soft[signal]) && crossesEarlier(soft[signal]!, hard) === false) {
      checks.fail(`${field}.evictionSoft.${signal}`, soft[signal], `must leave more free than the hard threshold (${hard}), or the soft eviction never comes first`);
    }
  }
  for (const [signal, value] of Object.entries(grace)) {
    checks.expect(signal in soft, `${field}.evictionSoftGracePeriod.${signal}`, value, 'has no soft threshold to delay');
    checks.expect(GO_DURATION.test(String(value)), `${field}.evictionSoftGracePeriod.${signal}`, value, 'must be a duration such as 90s or 1m30s');
  }
  checks.count(`${field}.evictionMaxPodGracePeriod`, p.evictionMaxPodGracePeriod);
  if (p.evictionPressureTransitionPeriod !== undefined) {
    checks.expect(GO_DURATION.test(p.evictionPressureTransitionPeriod), `${field}.evictionPressureTransitionPeriod`, p.evictionPressureTransitionPeriod,
      'must be a duration such as 5m');
  }

  const shutdown = [['shutdownGracePeriod', resolved.shutdownGracePeriod], ['shutdownGracePeriodCriticalPods', resolved.shutdownGracePeriodCriticalPods]] as const;
  for (const [name, value] of shutdown) {
    // The kubelet's own rule: 0 (off) or at least a second.
    const valid = GO_DURATION.test(String(value)) && (durationSeconds(value) === 0 || durationSeconds(value) >= 1);
    checks.expect(valid, `${field}.${name}`, value, 'must be 0s (off) or a duration of at least 1s, such as 60s or 1m');
  }
  if (shutdown.every(([, value]) => GO_DURATION.test(String(value)))) {
    checks.expect(durationSeconds(resolved.shutdownGracePeriodCriticalPods) <= durationSeconds(resolved.shutdownGracePeriod), `${field}.shutdownGracePeriodCriticalPods`,
      resolved.shutdownGracePeriodCriticalPods, `must not be longer than shutdownGracePeriod (${resolved.shutdownGracePeriod}), which it is a part of`);
  }

  checks.quantity(`${field}.containerLogMaxSize`, p.containerLogMaxSize);
  if (p.containerLogMaxFiles !== undefined) {
    checks.expect(Number.isInteger(p.containerLogMaxFiles) && p.containerLogMaxFiles >= 2, `${field}.containerLogMaxFiles`, p.containerLogMaxFiles,
      'must be a whole number, 2 or more: the kubelet keeps the live file and at least one rotated one');
  }
  if (p.podPidsLimit !== undefined) {
    checks.expect(Number.isInteger(p.podPidsLimit) && (p.podPidsLimit === -1 || p.podPidsLimit > 0), `${field}.podPidsLimit`, p.podPidsLimit,
      'must be a positive whole number, or -1 for no limit');
  }
  const high = resolved.imageGcHighThresholdPercent;
  const low = resolved.imageGcLowThresholdPercent;
  for (const [name, value] of [['imageGcHighThresholdPercent', high], ['imageGcLowThresholdPercent', low]] as const) {
    checks.expect(Number.isInteger(value) && value >= 0 && value <= 100, `${field}.${name}`, value, 'must be a whole percentage from 0 to 100');
  }
  checks.expect(low < high, `${field}.imageGcLowThresholdPercent`, low, `must be below imageGcHighThresholdPercent (${high})`);

  checks.oneOf(`${field}.cpuManagerPolicy`, p.cpuManagerPolicy, ['none', 'static']);
  checks.oneOf(`${field}.memoryManagerPolicy`, p.memoryManagerPolicy, ['None', 'Static']);
  checks.oneOf(`${field}.topologyManagerPolicy`, p.topologyManagerPolicy, ['none', 'best-effort', 'restricted', 'single-numa-node']);
  checks.oneOf(`${field}.topologyManagerScope`, p.topologyManagerScope, ['container', 'pod']);
  if (p.cpuManagerPolicy === 'static') {
    const cpu = [resolved.kubeReserved.cpu, resolved.systemReserved.cpu].filter(Quantity.isValid).reduce((sum, q) => sum.plus(Quantity.parse(q)), Quantity.of(0));
    checks.expect(cpu.nanos > 0n, `${field}.cpuManagerPolicy`, p.cpuManagerPolicy, 'the static cpu manager needs kube-reserved or system-reserved cpu above zero');
  }
  checkReservedMemory(checks, field, p, resolved, sku);
}

/** Whether a soft threshold fires before a hard one: it must leave more free. Undefined when they cannot be compared. */
function crossesEarlier(soft: string, hard: string): boolean | undefined {
  const softPercent = PERCENT.exec(soft);
  const hardPercent = PERCENT.exec(hard);
  if (softPercent && hardPercent) return Number(softPercent[1]) > Number(hardPercent[1]);
  if (!softPercent && !hardPercent) return Quantity.parse(soft).compare(Quantity.parse(hard)) > 0;
  return undefined;
}

function checkReservedMemory(checks: Checks, field: string, p: KubeletProfile, resolved: ResolvedKubelet, sku: NodeSku): void {
  const reservations = p.reservedMemory ?? [];
  reservations.forEach((r, i) => {
    checks.count(`${field}.reservedMemory[${i}].numaNode`, r.numaNode);
    checks.quantity(`${field}.reservedMemory[${i}].memory`, r.memory);
  });
  if (p.memoryManagerPolicy !== 'Static') return;
  const hard = resolved.evictionHard['memory.available']!;
  const parts = [resolved.kubeReserved.memory, resolved.systemReserved.memory];
  const values = [...parts, ...reservations.map(r => r.memory)];
  if (!values.every(Quantity.isValid) || !isThreshold(hard) || !Quantity.isValid(sku.memory)) return;
  const expected = parts.reduce((sum, q) => sum.plus(Quantity.parse(q)), thresholdAmount(hard, Quantity.parse(sku.memory)));
  const actual = reservations.reduce((sum, r) => sum.plus(Quantity.parse(r.memory)), Quantity.of(0));
  checks.expect(actual.compare(expected) === 0, `${field}.reservedMemory`, reservations.map(r => r.memory),
    `with the Static memory manager must add up to kube-reserved + system-reserved + the hard memory threshold (${expected}), not ${actual}`);
}
