import { Construct } from 'constructs';
import { exactNamesPattern } from '../core/names';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/kubelet-csr-approver.keys.json';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';

/** A machine whose kubelet may get a serving certificate. */
export interface KubeletHost {
  /** The node's name, which its certificate request must carry. */
  readonly name: string;
  /** The node's address, the only one its certificate may name. */
  readonly address: string;
}

export interface KubeletCsrApproverProps {
  /** Every node of the model: only they get serving certificates. */
  readonly hosts: readonly KubeletHost[];
  /** The cluster's DNS domain. */
  readonly clusterDomain: string;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the kubelet-csr-approver chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/**
 * Approves the kubelets' serving-certificate requests (`serverTLSBootstrap`),
 * at install and at every renewal, for the model's nodes only: the request
 * must come from one of their names and name one of their addresses. Without
 * it metrics-server, `kubectl logs` and `kubectl exec` cannot reach a
 * kubelet. One definition for both installers: Kubespray's own approver is
 * turned off in the inventory. DNS resolution of the names is not required,
 * as node names need not be in DNS; names and addresses are checked exactly.
 */
export class KubeletCsrApprover extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: KubeletCsrApproverProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.kubeletCsrApprover,
      releaseName: 'kubelet-csr-approver',
      namespace: 'kube-system',
      systemCriticalNamespaces: ['kube-system'],
      values: {
        global: { clusterDomain: props.clusterDomain },
        providerRegex: nodeNamesRegex(props.hosts),
        providerIpPrefixes: props.hosts.map(host => hostPrefix(host.address)),
        bypassDnsResolution: true,
        // The controller runs before any Prometheus CRD exists: no ServiceMonitor.
        metrics: { enable: true, serviceMonitor: { enabled: false } },
        priorityClassName: 'system-cluster-critical',
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.kubeletCsrApprover,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
  }
}

/** An RE2 expression (Go's) that matches exactly the given node names. */
export function nodeNamesRegex(hosts: readonly KubeletHost[]): string {
  // The pattern has no top-level alternation to bind the anchors to.
  return `^${exactNamesPattern(hosts.map(host => host.name))}$`;
}

/** A single address as a prefix: /32 for IPv4, /128 for IPv6. */
function hostPrefix(address: string): string {
  return `${address}/${address.includes(':') ? 128 : 32}`;
}
