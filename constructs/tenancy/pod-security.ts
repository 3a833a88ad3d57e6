import { Checks } from '../core/checks';

/**
 * A Pod Security Standard level.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/**
 * The Pod Security Admission levels of a namespace, one per mode.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export interface PodSecurityProfile {
  /**
   * Pods that violate this level are rejected.
   * @default 'restricted'
   */
  readonly enforce?: PodSecurityLevel;
  /**
   * Violations of this level are recorded in the audit log.
   * @default 'restricted'
   */
  readonly audit?: PodSecurityLevel;
  /**
   * Violations of this level are returned to the user as warnings, so a team
   * sees what a stricter level would reject before it is enforced.
   * @default 'restricted'
   */
  readonly warn?: PodSecurityLevel;
}

const MODES = ['enforce', 'audit', 'warn'] as const;

/**
 * The namespace labels of a profile. Each mode is pinned to `version` (the
 * cluster's minor version, such as `v1.36`) so that a Kubernetes upgrade does
 * not tighten the rules under running workloads.
 */
export function podSecurityLabels(profile: PodSecurityProfile, version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of MODES) {
    labels[`pod-security.kubernetes.io/${mode}`] = profile[mode] ?? 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

/** Checks that every mode names a known level. */
export function checkPodSecurity(checks: Checks, field: string, profile: PodSecurityProfile | undefined): void {
  for (const mode of MODES) {
    checks.oneOf(`${field}.${mode}`, profile?.[mode], POD_SECURITY_LEVELS);
  }
}

/** Whether every mode of `profile` that is set names a known level. */
export function isPodSecurityProfile(profile: PodSecurityProfile | undefined): boolean {
  return MODES.every(mode => profile?.[mode] === undefined || POD_SECURITY_LEVELS.includes(profile[mode]!));
}
