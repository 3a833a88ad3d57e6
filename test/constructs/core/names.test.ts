import { exactNamesPattern, isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from '../../../constructs';

describe('Kubernetes names', () => {
  test.each([['web', true], ['team-a1', true], ['0day', true], ['a'.repeat(63), true],
    ['a'.repeat(64), false], ['Web', false], ['-web', false], ['web-', false], ['we_b', false], ['web.a', false], ['', false]])(
    'DNS-1123 label %p: %s', (name, valid) => expect(isDns1123Label(name)).toBe(valid));

  test.each([['cluster.local', true], ['high', true], ['a.b-c.d', true], ['a..b', false], ['.a', false], ['A.b', false]])(
    'DNS-1123 subdomain %p: %s', (name, valid) => expect(isDns1123Subdomain(name)).toBe(valid));

  test.each([['prodk8s.io/node-pool', true], ['nvidia.com/gpu', true], ['dedicated', true], ['Has_Caps.ok', true],
    ['/name', false], ['Bad_Prefix/name', false], ['a/b/c', false], ['prodk8s.io/', false]])(
    'qualified name %p: %s', (key, valid) => expect(isQualifiedName(key)).toBe(valid));

  test.each([['', true], ['v1.36', true], ['true', true], ['-x', false], ['a b', false], ['x'.repeat(64), false]])(
    'label value %p: %s', (value, valid) => expect(isLabelValue(value)).toBe(valid));
});

describe('exactNamesPattern', () => {
  const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  // Anchored bare: the pattern has no top-level alternation.
  const matches = (pattern: string, name: string) => new RegExp(`^${pattern}$`).test(name);

  test('writes a pool\'s numbered nodes as digit ranges, the shared prefix once', () => {
    expect(exactNamesPattern([...numbered('prod-general-', 6), ...numbered('prod-gpu-', 2), ...numbered('prod-control-plane-', 3)]))
      .toBe('prod-(?:control-plane-[1-3]|general-[1-6]|gpu-[1-2])');
    expect(exactNamesPattern(numbered('big-', 12))).toBe('big-(?:[1-9]|1[0-2])');
    expect(exactNamesPattern(['only'])).toBe('only');
    expect(exactNamesPattern(['edge.a', 'edge.b'])).toBe('edge\\.(?:a|b)');
  });

  test('matches exactly the names given, whatever their order, gaps and leading zeros, and nothing else', () => {
    const names = ['n-1', 'n-3', 'n-4', 'n-11', 'n-12', 'n-20', 'n-010', 'web.example', 'x1'];
    const pattern = exactNamesPattern(names);
    expect(exactNamesPattern([...names].reverse())).toBe(pattern);
    for (const name of names) expect({ name, matched: matches(pattern, name) }).toEqual({ name, matched: true });
    for (const other of ['n-2', 'n-5', 'n-10', 'n-13', 'n-21', 'n-01', 'n-0', 'n-', 'n-1x', 'webXexample', 'x2', 'n-3-4', 'n-111']) {
      expect({ other, matched: matches(pattern, other) }).toEqual({ other, matched: false });
    }
  });

  test('holds for every run of numbered names up to 150', () => {
    for (const count of [1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 150]) {
      const pattern = exactNamesPattern(numbered('pool-', count));
      for (let n = 0; n <= 200; n++) expect(matches(pattern, `pool-${n}`)).toBe(n >= 1 && n <= count);
    }
  });
});
