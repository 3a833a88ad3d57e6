import { IConstruct } from 'constructs';
import { Cidr } from './cidr';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from './names';
import { Quantity } from './quantity';
import type { ContainerResources } from './resources';

/**
 * Collects the broken rules of one construct's props. Each problem reads
 * `field = value: rule`; whoever reports it adds the construct path, so that a
 * message names all four: path, field, value and rule.
 */
export class Checks {
  private readonly found: string[] = [];

  /** The problems recorded so far. */
  public get problems(): string[] {
    return this.found;
  }

  /** Records that `field`, holding `value`, breaks `rule`. */
  public fail(field: string, value: unknown, rule: string): void {
    this.found.push(`${field} = ${show(value)}: ${rule}`);
  }

  /** Records a problem unless `condition` holds. */
  public expect(condition: boolean, field: string, value: unknown, rule: string): void {
    if (!condition) this.fail(field, value, rule);
  }

  /** Every quantity of a container's requests and limits, under `field` (`resources`). Absent values are not checked. */
  public containerResources(field: string, resources: ContainerResources | undefined): void {
    this.quantity(`${field}.requests.cpu`, resources?.requests?.cpu);
    this.quantity(`${field}.requests.memory`, resources?.requests?.memory);
    this.quantity(`${field}.limits.cpu`, resources?.limits?.cpu);
    this.quantity(`${field}.limits.memory`, resources?.limits?.memory);
  }

  /** The parsed quantity, or undefined after recording why it is not one. Absent values are not checked. */
  public quantity(field: string, value: string | undefined): Quantity | undefined {
    if (value === undefined) return undefined;
    if (!Quantity.isValid(value)) {
      this.fail(field, value, 'must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi');
      return undefined;
    }
    const quantity = Quantity.parse(value);
    if (quantity.isNegative()) {
      this.fail(field, value, 'must not be negative');
      return undefined;
    }
    return quantity;
  }

  /** The parsed CIDR, or undefined after recording why it is not one. */
  public cidr(field: string, value: string): Cidr | undefined {
    try {
      return Cidr.parse(value);
    } catch (error) {
      this.fail(field, value, `must be a network in CIDR notation such as 10.96.0.0/12 (${(error as Error).message})`);
      return undefined;
    }
  }

  /** A DNS-1123 label, the rule for namespaces and most object names. */
  public dns1123Label(field: string, value: unknown): void {
    this.expect(isDns1123Label(value), field, value,
      'must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit');
  }

  /** A DNS-1123 subdomain, the rule for cluster-scoped names and DNS domains. */
  public dns1123Subdomain(field: string, value: unknown): void {
    this.expect(isDns1123Subdomain(value), field, value,
      'must be a DNS-1123 subdomain: dot-separated labels of a-z, 0-9 and \'-\', at most 253 characters');
  }

  /** Every key and value of a label map. */
  public labels(field: string, labels: Readonly<Record<string, string>> | undefined): void {
    for (const [key, value] of Object.entries(labels ?? {})) {
      this.expect(isQualifiedName(key), field, key, 'label keys must be an optional DNS subdomain prefix and \'/\' followed by a name of at most 63 characters');
      this.expect(isLabelValue(value), `${field}.${key}`, value, 'label values must be at most 63 characters of letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit');
    }
  }

  /** One of a fixed set of values. */
  public oneOf<T extends string>(field: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined) return;
    this.expect(allowed.includes(value), field, value, `must be one of ${allowed.map(v => `"${v}"`).join(', ')}`);
  }

  /** A whole number of objects: zero or more. */
  public count(field: string, value: number | undefined): void {
    if (value === undefined) return;
    this.expect(Number.isInteger(value) && value >= 0, field, value, 'must be a whole number, zero or more');
  }
}

/** Registers `check` as a validation of `scope`: it runs once, on the whole tree, before anything is written. */
export function validateWith(scope: IConstruct, check: (checks: Checks) => void): void {
  scope.node.addValidation({
    validate: () => {
      const checks = new Checks();
      check(checks);
      return checks.problems;
    },
  });
}

/** A value as a problem shows it: JSON, or `(missing)`. */
export function show(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}
