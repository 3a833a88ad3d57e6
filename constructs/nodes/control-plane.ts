import { Construct } from 'constructs';
import * as ipaddr from 'ipaddr.js';
import { Checks, validateWith } from '../core/checks';
import { isDns1123Subdomain } from '../core/names';
import { TaintSpec } from '../core/taint';
import type { ApiEndpointSpec, ControlPlaneSpec } from '../cluster/cluster-spec';
import { checkHostSet, expandHosts, HostSpec } from './host-set';
import { NodePool } from './node-pool';

/** The taint kubeadm puts on control plane nodes, so that only control plane pods run there. */
export const CONTROL_PLANE_TAINT: TaintSpec = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export const DEFAULT_API_SERVER_PORT = 6443;

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

  /** Where clients reach the API servers: the endpoint, or the single control plane node. */
  public get endpoint(): Required<ApiEndpointSpec> {
    return {
      address: this.spec.endpoint?.address ?? this.nodes.hosts[0]?.address ?? '',
      port: this.spec.endpoint?.port ?? DEFAULT_API_SERVER_PORT,
    };
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
    }
    (spec.certSANs ?? []).forEach((san, i) => checks.expect(isAddressOrName(san), `controlPlane.certSANs[${i}]`, san, 'must be an IP address or a DNS name'));
    if (spec.etcd) checkHostSet(checks, 'controlPlane.etcd', spec.etcd, this.etcdHosts);
    const members = this.etcdHosts.length;
    const field = spec.etcd ? 'controlPlane.etcd' : spec.hosts ? 'controlPlane.hosts' : 'controlPlane.count';
    checks.expect(members === 0 || members % 2 === 1, field, members,
      'etcd needs an odd number of members: an even one adds a member without adding fault tolerance, and splits its quorum');
  }
}

function isAddressOrName(value: string): boolean {
  return ipaddr.isValid(value) || isDns1123Subdomain(value);
}
