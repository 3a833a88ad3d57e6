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
  /** Parses `text`; throws a `RangeError` that quotes the text if it is not a quantity. */
  public static parse(text: string): Quantity {
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

  public toString(): string {
    return this.text;
  }
}

const BINARY_SUFFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_EXPONENTS: Record<string, number> = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };

// <sign>? <digits> ( <binarySI> | <decimalExponent> | <decimalSI> )?, as in k8s.io/apimachinery/pkg/api/resource.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|([numkMGTPE]))?$/;
