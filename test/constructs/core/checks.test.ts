import { Checks } from '../../../constructs';

describe('Checks', () => {
  test('names field, value and rule in each problem', () => {
    const checks = new Checks();
    checks.quantity('quota.requests.memory', '10GB');
    expect(checks.problems).toEqual([
      'quota.requests.memory = "10GB": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi',
    ]);
  });

  test('returns parsed values so that rules can compare them', () => {
    const checks = new Checks();
    expect(checks.quantity('cpu', '500m')?.nanos).toBe(500_000_000n);
    expect(checks.cidr('net', '10.0.0.0/8')?.prefixLength).toBe(8);
    expect(checks.problems).toEqual([]);
  });

  test('refuses negative quantities', () => {
    const checks = new Checks();
    expect(checks.quantity('quota.storage', '-1Gi')).toBeUndefined();
    expect(checks.problems).toEqual(['quota.storage = "-1Gi": must not be negative']);
  });

  test('reports a missing value as missing', () => {
    const checks = new Checks();
    checks.expect(false, 'quota.pods', undefined, 'a quota needs a pod count');
    expect(checks.problems).toEqual(['quota.pods = (missing): a quota needs a pod count']);
  });

  test('checks counts, fixed choices and label maps', () => {
    const checks = new Checks();
    checks.count('pods', 1.5);
    checks.count('services', -1);
    checks.oneOf('mode', 'strict' as string, ['a', 'b']);
    checks.labels('labels', { 'ok/key': 'fine', 'bad key': 'x', 'k': '-bad' });
    expect(checks.problems).toEqual([
      'pods = 1.5: must be a whole number, zero or more',
      'services = -1: must be a whole number, zero or more',
      'mode = "strict": must be one of "a", "b"',
      'labels = "bad key": label keys must be an optional DNS subdomain prefix and \'/\' followed by a name of at most 63 characters',
      'labels.k = "-bad": label values must be at most 63 characters of letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
    ]);
  });
});
