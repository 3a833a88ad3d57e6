/**
 * Every version prodk8s depends on, in one place and exact. Later layers
 * (Kubespray, Helm charts) add their pins here.
 */
export const Versions = {
  /**
   * Kubernetes minor versions the generated configuration supports, oldest
   * first: those of the pinned Kubespray release (2.32 line).
   */
  kubernetes: { oldestMinor: '1.34', newestMinor: '1.36' },
} as const;
