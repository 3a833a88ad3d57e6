import * as ipaddr from 'ipaddr.js';

/**
 * An IPv4 or IPv6 network in CIDR notation (`10.96.0.0/12`), the one place
 * where prodk8s does address math.
 */
export class Cidr {
  /**
   * Parses `text`; throws a `RangeError` that quotes the text if it is not a
   * CIDR or has host bits set (`10.1.2.3/16` is a typo for `10.1.0.0/16`).
   */
  public static parse(text: string): Cidr {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      // ipaddr.parseCIDR tries IPv6 first and throws on every IPv4 CIDR; the colon decides the family.
      parsed = text.includes(':') ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text);
    } catch {
      throw new RangeError(`"${text}" is not a CIDR (expected an address and a prefix length such as 10.244.0.0/16)`);
    }
    const [address, prefixLength] = parsed;
    const network = address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(text);
    if (network.toString() !== address.toString()) {
      throw new RangeError(`"${text}" has host bits set: its network address is ${network.toString()}/${prefixLength}`);
    }
    return new Cidr(text, address, prefixLength);
  }

  /** The parsed CIDR, or undefined where `parse` would throw. */
  public static tryParse(text: unknown): Cidr | undefined {
    try {
      return Cidr.parse(text as string);
    } catch {
      return undefined;
    }
  }

  /** Whether `text` is a CIDR without host bits set. */
  public static isValid(text: unknown): boolean {
    return Cidr.tryParse(text) !== undefined;
  }

  private constructor(
    public readonly text: string,
    private readonly network: ipaddr.IPv4 | ipaddr.IPv6,
    public readonly prefixLength: number,
  ) {}

  public get family(): 'ipv4' | 'ipv6' {
    return this.network.kind();
  }

  /** Whether this network and `other` share at least one address. */
  public overlaps(other: Cidr): boolean {
    if (this.family !== other.family) return false;
    // Two networks overlap exactly when the larger one contains the other's network address.
    const [wide, narrow] = this.prefixLength <= other.prefixLength ? [this, other] : [other, this];
    return narrow.network.match(wide.network, wide.prefixLength);
  }

  /** Whether `address` (an IP address of either family) lies in this network; false for anything else. */
  public contains(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.parse(address);
    return parsed.kind() === this.family && parsed.match(this.network, this.prefixLength);
  }

  public toString(): string {
    return this.text;
  }
}
