import { Quantity } from '../../../constructs';

describe('Quantity', () => {
  test.each([
    ['500m', 500_000_000n],
    ['2', 2_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['.5', 500_000_000n],
    ['128Mi', 128n * 1024n ** 2n * 1_000_000_000n],
    ['10Gi', 10n * 1024n ** 3n * 1_000_000_000n],
    ['1.5Gi', 3n * 1024n ** 3n * 500_000_000n],
    ['1k', 1_000_000_000_000n],
    ['2e3', 2_000_000_000_000n],
    ['1E', 10n ** 27n],
    ['100n', 100n],
    ['1u', 1_000n],
    ['-1', -1_000_000_000n],
  ])('parses %s exactly', (text, nanos) => {
    expect(Quantity.parse(text).nanos).toBe(nanos);
  });

  test('rounds a value finer than a nano-unit up, as Kubernetes does', () => {
    expect(Quantity.parse('0.5n').nanos).toBe(1n);
  });

  test.each(['10GB', '1.2.3', '', 'Gi', '10 Gi', '1e', '5mi', '0x10', '1KiB'])('rejects %p', text => {
    expect(Quantity.isValid(text)).toBe(false);
    expect(() => Quantity.parse(text)).toThrow(`"${text}" is not a Kubernetes quantity`);
  });

  test('compares values across suffixes', () => {
    expect(Quantity.parse('1024Mi').compare(Quantity.parse('1Gi'))).toBe(0);
    expect(Quantity.parse('1G').compare(Quantity.parse('1Gi'))).toBe(-1);
    expect(Quantity.parse('1').compare(Quantity.parse('999m'))).toBe(1);
  });

  test('keeps the text it was parsed from', () => {
    expect(String(Quantity.parse('250m'))).toBe('250m');
  });

  test('parses a text once, and rejects a bad text every time', () => {
    expect(Quantity.parse('384Mi')).toBe(Quantity.parse('384Mi'));
    expect(Quantity.parse('384Mi')).not.toBe(Quantity.parse('402653184'));
    expect(() => Quantity.parse('3 cores')).toThrow('"3 cores" is not a Kubernetes quantity');
    expect(() => Quantity.parse('3 cores')).toThrow('"3 cores" is not a Kubernetes quantity');
  });

  test('forgets what it parsed once it holds ten thousand texts', () => {
    const first = Quantity.parse('7Ki');
    for (let i = 0; i < 10_000; i++) Quantity.parse(`${i}m`);
    const again = Quantity.parse('7Ki');
    expect(again).not.toBe(first);
    expect(again.nanos).toBe(first.nanos);
  });
});

describe('Quantity arithmetic', () => {
  const q = Quantity.parse;

  test('adds and subtracts exactly, and writes the shortest exact text', () => {
    expect(q('64Gi').minus(q('1Gi')).minus(q('512Mi')).toString()).toBe('64000Mi');
    expect(q('16').minus(q('80m')).toString()).toBe('15920m');
    expect(q('1').plus(q('1')).toString()).toBe('2');
    expect(q('1Ki').plus(q('1')).toString()).toBe('1025');
    expect(q('100m').minus(q('1')).toString()).toBe('-900m');
  });

  test('multiplies by a count and scales by a decimal ratio', () => {
    expect(q('15500m').times(3).toString()).toBe('46500m');
    expect(q('10Gi').scale('1.5').toString()).toBe('15Gi');
    expect(q('100Gi').scale('7.5', 100).nanos).toBe(q('7680Mi').nanos);
    expect(q('3').scale(0.5).toString()).toBe('1500m');
  });

  test('builds whole units and picks the larger', () => {
    expect(Quantity.of(110).toString()).toBe('110');
    expect(q('1Gi').max(q('1G')).toString()).toBe('1Gi');
  });
});

describe('Quantity.roundUp', () => {
  test('rounds up to a whole step, and keeps exact multiples', () => {
    expect(Quantity.parse('3645.44Mi').roundUp(Quantity.parse('1Mi')).toString()).toBe('3646Mi');
    expect(Quantity.parse('2Gi').roundUp(Quantity.parse('1Mi')).toString()).toBe('2Gi');
    expect(Quantity.parse('90.5m').roundUp(Quantity.parse('1m')).toString()).toBe('91m');
  });
});

describe('Quantity.floor', () => {
  test('truncates to whole units', () => {
    expect(Quantity.parse('3435973836.8').floor().toString()).toBe('3435973836');
    expect(Quantity.parse('2Gi').floor().toString()).toBe('2Gi');
    expect(Quantity.parse('-1.5').floor().toString()).toBe('-2');
  });
});
