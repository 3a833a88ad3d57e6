import { Construct } from 'constructs';
import * as ipaddr from 'ipaddr.js';
import { Checks, validateWith } from '../core/checks';
import { isDns1123Subdomain } from '../core/names';
import { TaintSpec } from '../core/taint';
import type { ApiEndpointProvider, ControlPlaneSpec } from '../cluster/cluster-spec';
import { CertificateLifecycleSpec, checkCertificates, resolvedCertificates } from './certificate-lifecycle';
import { checkHostSet, expandHosts, HostSpec } from './host-set';
import { NodePool } from './node-pool';

/** The taint kubeadm puts on control plane nodes, so that only control plane pods run there. */
export const CONTROL_PLANE_TAINT: TaintSpec = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export const DEFAULT_API_SERVER_PORT = 6443;

/** The API endpoint with its defaults filled in. */
export interface ResolvedApiEndpoint {
  readonly address: string;
  readonly port: number;
  /** What serves the address; `node` when it is the single control plane node's own. */
  readonly provider: ApiEndpointProvider | 'node';
  readonly network?: string;
  readonly interface?: string;
}

export interface ControlPlaneProps {
  readonly spec: ControlPlaneSpec;
  /** Name of the cluster, for the default host names. */
  readonly clusterName: string;
}

/** The control plane: its nodes (a tainted pool), the API endpoint and the etcd members. */
export class ControlPlane extends Construct {
  /** The control plane nodes, as a pool named `control-plane`. */
  public readonly nodes: NodePool;
  /** The etcd members: the control plane nodes when etcd is stacked. */
  public readonly etcdHosts: readonly HostSpec[];
  /** Whether etcd runs on the control plane nodes. */
  public readonly stackedEtcd: boolean;
  private readonly spec: ControlPlaneSpec;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.nodes = new NodePool(this, 'nodes', {
      ...props.spec,
      name: 'control-plane',
      clusterName: props.clusterName,
      taints: [CONTROL_PLANE_TAINT],
      field: 'controlPlane',
    });
    this.stackedEtcd = props.spec.etcd === undefined;
    this.etcdHosts = props.spec.etcd ? expandHosts(props.spec.etcd, `${props.clusterName}-etcd-{index}`) : this.nodes.hosts;
    validateWith(this, checks => this.check(checks));
  }

  /** Where clients reach the API servers, and what serves the address: the endpoint, or the single control plane node. */
  public get endpoint(): ResolvedApiEndpoint {
    const endpoint = this.spec.endpoint;
    const port = endpoint?.port ?? DEFAULT_API_SERVER_PORT;
    if (endpoint === undefined) return { address: this.nodes.hosts[0]?.address ?? '', port, provider: 'node' };
    return {
      address: endpoint.address,
      port,
      provider: endpoint.provider ?? (ipaddr.isValid(endpoint.address) ? 'kube-vip' : 'external'),
      ...(endpoint.network !== undefined ? { network: endpoint.network } : {}),
      ...(endpoint.interface !== undefined ? { interface: endpoint.interface } : {}),
    };
  }

  /** The certificates' and CAs' lifetimes, defaults filled in. */
  public get certificates(): Required<CertificateLifecycleSpec> {
    return resolvedCertificates(this.spec.certificates);
  }

  /** Names and addresses for the API server's certificate: the endpoint and any extra ones. */
  public get certSANs(): string[] {
    return [...new Set([this.endpoint.address, ...this.spec.certSANs ?? []])];
  }

  private check(checks: Checks): void {
    const spec = this.spec;
    checks.expect(this.nodes.hosts.length <= 1 || spec.endpoint !== undefined, 'controlPlane.endpoint', spec.endpoint,
      `is required with ${this.nodes.hosts.length} control plane nodes: clients need one address (a virtual IP or load balancer) in front of all API servers`);
    if (spec.endpoint) {
      checks.expect(isAddressOrName(spec.endpoint.address), 'controlPlane.endpoint.address', spec.endpoint.address, 'must be an IP address or a DNS name');
      if (spec.endpoint.port !== undefined) {
        checks.expect(Number.isInteger(spec.endpoint.port) && spec.endpoint.port >= 1 && spec.endpoint.port <= 65535,
          'controlPlane.endpoint.port', spec.endpoint.port, 'must be a port number from 1 to 65535');
      }
      checks.oneOf('controlPlane.endpoint.provider', spec.endpoint.provider, ['kube-vip', 'external']);
      if (this.endpoint.provider === 'kube-vip') this.checkVirtualIp(checks);
    }
    checkCertificates(checks, 'controlPlane.certificates', spec.certificates);
    (spec.certSANs ?? []).forEach((san, i) => checks.expect(isAddressOrName(san), `controlPlane.certSANs[${i}]`, san, 'must be an IP address or a DNS name'));
    if (spec.etcd) checkHostSet(checks, 'controlPlane.etcd', spec.etcd, this.etcdHosts);
    const members = this.etcdHosts.length;
    const field = spec.etcd ? 'controlPlane.etcd' : spec.hosts ? 'controlPlane.hosts' : 'controlPlane.count';
    checks.expect(members === 0 || members % 2 === 1, field, members,
      'etcd needs an odd number of members: an even one adds a member without adding fault tolerance, and splits its quorum');
  }

  /**
   * kube-vip announces the address by ARP from whichever control plane node
   * holds it: an IP address in the network the control plane nodes share,
   * and none of theirs. (That it is no other node's address, the node layer's
   * cross-check of addresses says.)
   */
  private checkVirtualIp(checks: Checks): void {
    const { address, network, interface: nic } = this.endpoint;
    if (!ipaddr.isValid(address)) {
      checks.fail('controlPlane.endpoint.address', address, 'must be an IP address for kube-vip to hold; a DNS name needs provider "external"');
      return;
    }
    if (network === undefined) {
      checks.fail('controlPlane.endpoint.network', undefined, `is required with kube-vip: the network of the control plane nodes (CIDR), in which ${address} is announced`);
      return;
    }
    const cidr = checks.cidr('controlPlane.endpoint.network', network);
    if (cidr) {
      checks.expect(cidr.contains(address), 'controlPlane.endpoint.address', address,
        `must lie in controlPlane.endpoint.network (${network}): kube-vip announces it by ARP to the control plane nodes' network`);
      this.nodes.hosts.forEach((host, index) => checks.expect(cidr.contains(host.address), `controlPlane.hosts[${index}].address`, host.address,
        `must lie in controlPlane.endpoint.network (${network}), where the virtual IP moves between the control plane nodes`));
    }
    const owner = this.nodes.hosts.findIndex(host => host.address === address);
    checks.expect(owner < 0, 'controlPlane.endpoint.address', address,
      `is the address of controlPlane.hosts[${owner}]: a virtual IP must be no node's own, or it would go with that node`);
    if (nic !== undefined) checks.expect(/^[a-zA-Z0-9_.:-]{1,15}$/.test(nic), 'controlPlane.endpoint.interface', nic, 'must be a network interface name such as eth0');
  }
}

function isAddressOrName(value: string): boolean {
  return ipaddr.isValid(value) || isDns1123Subdomain(value);
}
