import { Checks, checkPodSecurity, podSecurityLabels } from '../../../constructs';

describe('Pod Security', () => {
  test('is restricted in every mode unless told otherwise, pinned to a version', () => {
    expect(podSecurityLabels({}, 'v1.36')).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.36',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.36',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.36',
    });
  });

  test('sets each mode on its own', () => {
    expect(podSecurityLabels({ enforce: 'baseline', warn: 'restricted' }, 'latest')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('reports an unknown level', () => {
    const checks = new Checks();
    checkPodSecurity(checks, 'podSecurity', { enforce: 'strict' as any, audit: 'baseline' });
    expect(checks.problems).toEqual(['podSecurity.enforce = "strict": must be one of "privileged", "baseline", "restricted"']);
  });
});
