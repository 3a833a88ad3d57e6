import * as ipaddr from 'ipaddr.js';
import { Checks } from '../core/checks';
import { isDns1123Subdomain } from '../core/names';

/** One machine: its node name and the address the cluster reaches it on. */
export interface HostSpec {
  /** Node name and inventory host name: a DNS-1123 subdomain. */
  readonly name: string;
  /** IPv4 or IPv6 address of the node. */
  readonly address: string;
}

/**
 * The machines of a group, listed or counted. Either `hosts`, or `count` with
 * `firstAddress` (addresses are consecutive from it).
 */
export interface HostSetSpec {
  /**
   * The machines, by name and address.
   * @default the `count` machines named by `hostnamePattern`
   */
  readonly hosts?: readonly HostSpec[];
  /**
   * Number of machines, when they are not listed.
   * @default the number of `hosts`
   */
  readonly count?: number;
  /**
   * Name of the n-th counted machine, `{index}` standing for n (from 1).
   * @default '<cluster>-<group>-{index}'
   */
  readonly hostnamePattern?: string;
  /**
   * IPv4 address of the first counted machine; the others follow it.
   * @default required with `count`
   */
  readonly firstAddress?: string;
}

/** The machines of a set, listed or expanded from the count; empty where the set is invalid (its checks say why). */
export function expandHosts(set: HostSetSpec, defaultPattern: string): HostSpec[] {
  if (set.hosts) return [...set.hosts];
  if (!Number.isInteger(set.count) || set.count! < 1 || !ipaddr.IPv4.isValidFourPartDecimal(set.firstAddress ?? '')) return [];
  const first = ipv4Number(set.firstAddress!);
  if (first + set.count! - 1 > LAST_IPV4) return [];
  const pattern = set.hostnamePattern ?? defaultPattern;
  return Array.from({ length: set.count! }, (_, i) => ({
    name: pattern.replaceAll('{index}', String(i + 1)),
    address: ipaddr.fromByteArray([24, 16, 8, 0].map(shift => ((first + i) >>> shift) & 255)).toString(),
  }));
}

const LAST_IPV4 = 2 ** 32 - 1;

function ipv4Number(address: string): number {
  return ipaddr.IPv4.parse(address).toByteArray().reduce((n, byte) => n * 256 + byte, 0);
}

/** Checks a host set on its own; uniqueness across the cluster is checked by the cluster. */
export function checkHostSet(checks: Checks, field: string, set: HostSetSpec, hosts: readonly HostSpec[]): void {
  if (set.hosts) {
    checks.expect(set.count === undefined, `${field}.count`, set.count, 'give either hosts or a count, not both');
    checks.expect(set.hosts.length > 0, `${field}.hosts`, set.hosts, 'a group needs at least one host');
  } else {
    checks.expect(Number.isInteger(set.count) && set.count! >= 1, `${field}.count`, set.count, 'must be a whole number of hosts, one or more, when no hosts are listed');
    checks.expect(ipaddr.IPv4.isValidFourPartDecimal(set.firstAddress ?? ''), `${field}.firstAddress`, set.firstAddress,
      'must be the IPv4 address of the first counted host, such as 10.0.1.10');
    if (ipaddr.IPv4.isValidFourPartDecimal(set.firstAddress ?? '') && Number.isInteger(set.count)) {
      const last = ipv4Number(set.firstAddress!) + set.count! - 1;
      checks.expect(last <= LAST_IPV4, `${field}.count`, set.count, `runs past the last IPv4 address from ${set.firstAddress}`);
    }
    if (set.hostnamePattern !== undefined) {
      checks.expect(set.hostnamePattern.includes('{index}'), `${field}.hostnamePattern`, set.hostnamePattern, 'must contain {index}, or every host gets the same name');
    }
  }
  if (set.hosts) {
    set.hosts.forEach((host, index) => {
      checks.expect(isDns1123Subdomain(host.name), `${field}.hosts[${index}].name`, host.name, NODE_NAME_RULE);
      checks.expect(ipaddr.isValid(host.address) && (!ipaddr.IPv4.isValid(host.address) || ipaddr.IPv4.isValidFourPartDecimal(host.address)),
        `${field}.hosts[${index}].address`, host.address, 'must be an IPv4 or IPv6 address');
    });
  } else if (set.hostnamePattern !== undefined && hosts.length > 0) {
    // Counted hosts share one pattern: one problem for it, not one per host. The default pattern is valid with a valid cluster name.
    checks.expect(isDns1123Subdomain(hosts[0].name), `${field}.hostnamePattern`, set.hostnamePattern, `gives ${JSON.stringify(hosts[0].name)}, but ${NODE_NAME_RULE}`);
  }
  // A node's name is its machine's hostname (kubeadm's node name, Kubespray's inventory host): one DNS label.
  const longest = hosts.map(host => host.name).reduce((a, b) => (b.split('.')[0].length > a.split('.')[0].length ? b : a), '');
  if (longest.split('.')[0].length > MAX_HOSTNAME) {
    const where = set.hosts ? `${field}.hosts[${hosts.findIndex(h => h.name === longest)}].name` : set.hostnamePattern !== undefined ? `${field}.hostnamePattern` : field;
    checks.fail(where, longest, `gives a node name of ${longest.split('.')[0].length} characters, but a node name is its machine's hostname, `
      + `at most ${MAX_HOSTNAME} characters before its first dot: shorten the environment's or the pool's name, or set hostnamePattern`);
  }
}

/** A hostname label's limit (RFC 1123), which a node name's first label must keep. */
const MAX_HOSTNAME = 63;

const NODE_NAME_RULE = 'node names must be DNS-1123 subdomains: lower-case letters, digits, \'-\' and \'.\'';
