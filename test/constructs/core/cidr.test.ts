import { Cidr } from '../../../constructs';

describe('Cidr', () => {
  test('parses IPv4 and IPv6 networks', () => {
    expect(Cidr.parse('10.96.0.0/12')).toMatchObject({ family: 'ipv4', prefixLength: 12 });
    expect(Cidr.parse('fd00:10:96::/112')).toMatchObject({ family: 'ipv6', prefixLength: 112 });
    // An IPv4-mapped IPv6 network is IPv6.
    expect(Cidr.parse('::ffff:10.0.0.0/104')).toMatchObject({ family: 'ipv6', prefixLength: 104 });
  });

  test.each(['10.96.0.0', '10.96.0.0/33', '300.1.0.0/16', 'fd00::/129', 'fd00::1::/64', '10.0.0.0:80/8', 'cluster', ''])('rejects %p', text => {
    expect(Cidr.isValid(text)).toBe(false);
    expect(() => Cidr.parse(text)).toThrow('is not a CIDR');
  });

  test('takes a value that is not text for no CIDR', () => {
    expect(Cidr.isValid(undefined)).toBe(false);
    expect(Cidr.isValid(10)).toBe(false);
  });

  test('rejects host bits and names the network that was meant', () => {
    expect(() => Cidr.parse('10.1.2.3/16')).toThrow('"10.1.2.3/16" has host bits set: its network address is 10.1.0.0/16');
  });

  test.each([
    ['10.0.0.0/8', '10.96.0.0/12', true],
    ['10.96.0.0/12', '10.0.0.0/8', true],
    ['10.244.0.0/16', '10.96.0.0/12', false],
    ['10.96.0.0/12', '10.111.0.0/16', true],
    ['10.96.0.0/12', '10.112.0.0/16', false],
    ['10.0.0.0/8', 'fd00::/8', false],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(Cidr.parse(a).overlaps(Cidr.parse(b))).toBe(expected);
  });
});

describe('Cidr.contains', () => {
  test('is true for an address of the network only, of either family', () => {
    const v4 = Cidr.parse('10.0.0.0/24');
    expect(['10.0.0.0', '10.0.0.5', '10.0.0.255'].map(a => v4.contains(a))).toEqual([true, true, true]);
    expect(['10.0.1.0', 'fd00::5', 'api.example.com', ''].map(a => v4.contains(a))).toEqual([false, false, false, false]);
    const v6 = Cidr.parse('fd00::/64');
    expect([v6.contains('fd00::5'), v6.contains('fd00:0:0:1::5'), v6.contains('10.0.0.5')]).toEqual([true, false, false]);
  });
});
