import { KubeletProfile, OidcSpec, PriorityClassSpec, TaintSpec } from '../../constructs';

/** The production pattern of three tenant classes; `low` is what a pod without a class gets. */
export const TENANT_PRIORITY_CLASSES: readonly PriorityClassSpec[] = [
  { name: 'high', value: 100_000, description: 'User-facing services that must keep running; may preempt lower classes.' },
  { name: 'medium', value: 10_000, description: 'Internal services and asynchronous workers.' },
  { name: 'low', value: 1_000, globalDefault: true, preemptionPolicy: 'Never', description: 'Batch and best-effort work; never preempts.' },
];

/**
 * The company's identity provider: users and their groups from its tokens, prefixed `oidc:`, which the
 * tenants' admins carry.
 */
export const COMPANY_OIDC: OidcSpec = { issuerUrl: 'https://login.example.com/realms/platform', audiences: ['kubernetes'] };

/** Entry nodes run only the NGINX entry. */
export const ENTRY_TAINT: TaintSpec = { key: 'prodk8s.io/entry', value: 'true', effect: 'NoSchedule' };

/** Storage nodes run only Ceph, which tolerates this. */
export const STORAGE_TAINT: TaintSpec = { key: 'prodk8s.io/storage', value: 'ceph', effect: 'NoSchedule' };

/** A dedicated pool's taint: only its tenant tolerates it. */
export function dedicatedTaint(pool: string): TaintSpec {
  return { key: 'prodk8s.io/dedicated', value: pool, effect: 'NoSchedule' };
}

/**
 * Kubelet settings of general-purpose pools: soft eviction well before the hard
 * thresholds, so that pods are evicted gracefully first.
 */
export const GENERAL_KUBELET: KubeletProfile = {
  evictionSoft: { 'memory.available': '1Gi', 'nodefs.available': '15%' },
  evictionSoftGracePeriod: { 'memory.available': '1m30s', 'nodefs.available': '2m' },
  evictionMinimumReclaim: { 'memory.available': '256Mi', 'nodefs.available': '1Gi' },
  evictionMaxPodGracePeriod: 60,
};

/** Search engines map many files into memory. */
export const SEARCH_SYSCTLS = { 'vm.max_map_count': '262144' };
