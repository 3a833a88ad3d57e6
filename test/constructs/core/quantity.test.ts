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
});
