import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Labels } from '../core/labels';

/** Where the cluster's DNS servers run, so that tenants may query them. */
export interface ClusterDns {
  /** Namespace of the DNS pods. */
  readonly namespace: string;
  /** Labels of the DNS pods. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** CoreDNS as kubeadm and Kubespray deploy it: `kube-system`, pods labelled `k8s-app: kube-dns`. */
export const KUBE_DNS: ClusterDns = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

export type NetworkProtocol = 'TCP' | 'UDP' | 'SCTP';
export const NETWORK_PROTOCOLS: readonly NetworkProtocol[] = ['TCP', 'UDP', 'SCTP'];

/** A port of an egress destination. */
export interface EgressPort {
  /** Port number, 1 to 65535. */
  readonly port: number;
  /**
   * @default 'TCP'
   */
  readonly protocol?: NetworkProtocol;
}

/** A destination outside the cluster that a tenant may reach, such as a managed database. */
export interface EgressRule {
  /** The destination network, such as `10.20.0.0/24`. Must not overlap the pod or service networks. */
  readonly cidr: string;
  /**
   * Ports of the destination.
   * @default every port
   */
  readonly ports?: readonly EgressPort[];
}

export interface TenantNetworkPoliciesProps {
  /** Namespace the policies isolate. */
  readonly namespace: string;
  /**
   * Namespaces whose pods may open connections to this tenant, such as the entry's.
   * @default none
   */
  readonly ingressFromNamespaces?: readonly string[];
  /**
   * The cluster's DNS servers, which the tenant may always query.
   * @default KUBE_DNS
   */
  readonly dns?: ClusterDns;
  /**
   * Destinations outside the cluster the tenant may reach.
   * @default none
   */
  readonly egress?: readonly EgressRule[];
}

/**
 * The NetworkPolicies that isolate one tenant: everything is denied in both
 * directions (`default-deny`), then traffic inside the namespace, DNS queries,
 * ingress from the named namespaces and egress to the named networks are
 * allowed, one policy each.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class TenantNetworkPolicies extends Construct {
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: TenantNetworkPoliciesProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const dns = props.dns ?? KUBE_DNS;
    const everyPod = {};
    const sameNamespace = [{ podSelector: everyPod }];

    this.addPolicy('default-deny', { podSelector: everyPod, policyTypes: ['Ingress', 'Egress'] });
    this.addPolicy('allow-same-namespace', {
      podSelector: everyPod,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: sameNamespace }],
      egress: [{ to: sameNamespace }],
    });
    this.addPolicy('allow-dns', {
      podSelector: everyPod,
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: namespaceNamed(dns.namespace), podSelector: { matchLabels: { ...dns.podLabels } } }],
        ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
      }],
    });
    for (const source of props.ingressFromNamespaces ?? []) {
      this.addPolicy(`allow-from-${source}`, {
        podSelector: everyPod,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: namespaceNamed(source) }] }],
      });
    }
    if (props.egress && props.egress.length > 0) {
      this.addPolicy('allow-egress', {
        podSelector: everyPod,
        policyTypes: ['Egress'],
        egress: props.egress.map(rule => ({
          to: [{ ipBlock: { cidr: rule.cidr } }],
          ports: rule.ports?.map(p => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' })),
        })),
      });
    }
  }

  private addPolicy(name: string, spec: k8s.NetworkPolicySpec): void {
    new k8s.KubeNetworkPolicy(this, name, { metadata: { name, namespace: this.namespace }, spec });
  }
}

function namespaceNamed(name: string): k8s.LabelSelector {
  return { matchLabels: { [Labels.NAMESPACE_NAME]: name } };
}
