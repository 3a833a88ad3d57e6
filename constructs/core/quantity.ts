/**
 * A Kubernetes resource quantity (`500m`, `10Gi`, `1.5`, `2e3`), parsed exactly.
 *
 * The value is held as a whole number of nano-units in a `bigint`, so sums and
 * comparisons of quantities never lose precision. Values finer than a nano-unit
 * are rounded up, as Kubernetes does.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export class Quantity {
  /**
   * Parses `text`; throws a `RangeError` that quotes the text if it is not a
   * quantity. A model parses the same few texts over and over (every tenant's
   * quota, every pool's reservations), and a quantity never changes, so each
   * text is parsed once.
   */
  public static parse(text: string): Quantity {
    let quantity = PARSED.get(text);
    if (quantity === undefined) {
      quantity = Quantity.parseText(text);
      if (PARSED.size >= MAX_PARSED) PARSED.clear();
      PARSED.set(text, quantity);
    }
    return quantity;
  }

  private static parseText(text: string): Quantity {
    const match = typeof text === 'string' ? QUANTITY.exec(text) : null;
    if (!match) {
      throw new RangeError(`"${text}" is not a Kubernetes quantity (expected a number with an optional suffix such as 500m, 2, 128Mi or 10Gi)`);
    }
    const [, sign, digits, binarySuffix, exponent, decimalSuffix] = match;
    const [whole, fraction = ''] = digits.split('.');
    let numerator = BigInt((whole || '0') + fraction);
    let denominator = 10n ** BigInt(fraction.length);
    if (binarySuffix) {
      numerator *= 1024n ** BigInt(BINARY_SUFFIXES.indexOf(binarySuffix) + 1);
    }
    // Scale to nano-units: a decimal exponent of -9 is one nano-unit.
    const power = 9 + (exponent ? Number(exponent.slice(1)) : DECIMAL_EXPONENTS[decimalSuffix ?? '']);
    if (power >= 0) numerator *= 10n ** BigInt(power);
    else denominator *= 10n ** BigInt(-power);
    const nanos = (numerator + denominator - 1n) / denominator;
    return new Quantity(text, sign === '-' ? -nanos : nanos);
  }

  /** The quantity of exactly `nanos` nano-units, written in its shortest exact form. */
  public static fromNanos(nanos: bigint): Quantity {
    return new Quantity(format(nanos), nanos);
  }

  /** A whole number of units, such as a pod count. */
  public static of(units: number | bigint): Quantity {
    return Quantity.fromNanos(BigInt(units) * NANOS);
  }

  /** Whether `text` is a valid Kubernetes quantity. */
  public static isValid(text: unknown): boolean {
    return typeof text === 'string' && QUANTITY.test(text);
  }

  private constructor(
    /** The text this quantity was parsed from. */
    public readonly text: string,
    /** The exact value in nano-units (1 = 1e-9). */
    public readonly nanos: bigint,
  ) {}

  /** Negative, zero or positive as this quantity is less than, equal to or greater than `other`. */
  public compare(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  public isNegative(): boolean {
    return this.nanos < 0n;
  }

  public plus(other: Quantity): Quantity {
    return Quantity.fromNanos(this.nanos + other.nanos);
  }

  public minus(other: Quantity): Quantity {
    return Quantity.fromNanos(this.nanos - other.nanos);
  }

  /** This quantity times a whole number, such as a per-node value times the node count. */
  public times(count: number): Quantity {
    return Quantity.fromNanos(this.nanos * BigInt(count));
  }

  /**
   * This quantity scaled by a ratio given in decimal text or as a number
   * (`'1.5'`, `7.5` percent of it with `scale('7.5', 100)`), rounded down to a
   * nano-unit. Decimal text keeps the arithmetic exact.
   */
  public scale(ratio: string | number, divisor = 1): Quantity {
    const [whole, fraction = ''] = String(ratio).split('.');
    const numerator = BigInt(whole + fraction);
    const denominator = 10n ** BigInt(fraction.length) * BigInt(divisor);
    return Quantity.fromNanos(this.nanos * numerator / denominator);
  }

  /** This quantity rounded up to a whole multiple of `step` (`1Mi`, `1m`). */
  public roundUp(step: Quantity): Quantity {
    const remainder = this.nanos % step.nanos;
    return remainder === 0n ? this : Quantity.fromNanos(this.nanos - remainder + (this.nanos > 0n ? step.nanos : 0n));
  }

  /** This quantity rounded down to a whole number of units, as Kubernetes truncates a byte count. */
  public floor(): Quantity {
    const remainder = this.nanos % NANOS;
    return remainder === 0n ? this : Quantity.fromNanos(this.nanos - remainder - (this.nanos < 0n ? NANOS : 0n));
  }

  /** The larger of the two. */
  public max(other: Quantity): Quantity {
    return this.compare(other) >= 0 ? this : other;
  }

  public toString(): string {
    return this.text;
  }
}

const NANOS = 1_000_000_000n;
/** Quantities by the text they were parsed from; cleared when full, so a long-lived process that parses many texts stays bounded. */
const PARSED = new Map<string, Quantity>();
const MAX_PARSED = 10_000;
const BINARY_SUFFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_EXPONENTS: Record<string, number> = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };

// <sign>? <digits> ( <binarySI> | <decimalExponent> | <decimalSI> )?, as in k8s.io/apimachinery/pkg/api/resource.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|([numkMGTPE]))?$/;

/** The shortest exact text of a value: `4`, `16Gi`, `1536Mi`, `15500m`, `250n`. */
function format(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const value = nanos < 0n ? -nanos : nanos;
  if (value % NANOS === 0n) {
    const units = value / NANOS;
    let suffix = -1;
    while (units !== 0n && suffix < BINARY_SUFFIXES.length - 1 && units % 1024n ** BigInt(suffix + 2) === 0n) suffix++;
    return suffix < 0 ? `${sign}${units}` : `${sign}${units / 1024n ** BigInt(suffix + 1)}${BINARY_SUFFIXES[suffix]}`;
  }
  if (value % 1_000_000n === 0n) return `${sign}${value / 1_000_000n}m`;
  return `${sign}${value}n`;
}
