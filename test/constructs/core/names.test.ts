import { isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from '../../../constructs';

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
