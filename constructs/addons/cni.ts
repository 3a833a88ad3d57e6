import { Construct } from 'constructs';
import { validateWith } from '../core/checks';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import calicoCrdKeys from './chart-values/crd.projectcalico.org.v1.keys.json';
import flannelKeys from './chart-values/flannel.keys.json';
import tigeraOperatorKeys from './chart-values/tigera-operator.keys.json';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';

/** Namespace labels of node agents that need host access: Pod Security `privileged`. */
export const PRIVILEGED_NAMESPACE = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
} as const;

/** Namespace labels of workloads that need baseline Pod Security, warned and audited against restricted. */
export const BASELINE_NAMESPACE = {
  'pod-security.kubernetes.io/enforce': 'baseline',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** Where the Tigera operator runs Calico's own pods. */
export const CALICO_SYSTEM_NAMESPACE = 'calico-system';

export type CalicoEncapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None';

export interface CalicoProps {
  /** The cluster's pod network: the IP pool Calico assigns pod addresses from. */
  readonly podCidr: string;
  /**
   * How pod traffic crosses nodes. `None` sends it unencapsulated: routed by BGP, or, with BGP off, by
   * per-node routes that the network (a cloud VPC's route table) holds.
   * @default 'VXLAN'
   */
  readonly encapsulation?: CalicoEncapsulation;
  /**
   * Whether Calico runs BGP.
   * @default on for IPIP and None, off for VXLAN
   */
  readonly bgp?: boolean;
  /**
   * Source-NAT of pod traffic that leaves the pod network.
   * @default true
   */
  readonly natOutgoing?: boolean;
  /**
   * Prefix length of the address blocks Calico hands to nodes.
   * @default 26
   */
  readonly blockSize?: number;
  /**
   * MTU of the pod interfaces.
   * @default detected by Calico from the node's interface
   */
  readonly mtu?: number;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the tigera-operator chart, merged last. */
  readonly rawValues?: ChartValues;
}

/**
 * Whether each node's pods take their addresses from the node's own range
 * (`node.spec.podCIDR`, allocated by the controller manager): Flannel always,
 * and Calico when neither encapsulation nor BGP carries pod routes, so that the
 * network (a cloud's route controller) can route one range per node.
 */
export function usesNodePodCidr(cni: { plugin: string; calicoEncapsulation?: string; calicoBgp?: boolean }): boolean {
  return cni.plugin === 'flannel' || ((cni.calicoEncapsulation ?? 'VXLAN') === 'None' && cni.calicoBgp === false);
}

/**
 * Calico through the Tigera operator: the CRD chart first, then the operator
 * chart, whose `installation` becomes the operator's Installation resource.
 */
export class Calico extends Construct {
  public readonly crds: HelmAddon;
  public readonly operator: HelmAddon;

  constructor(scope: Construct, id: string, props: CalicoProps) {
    super(scope, id);
    const encapsulation = props.encapsulation ?? 'VXLAN';
    const bgp = props.bgp ?? !encapsulation.startsWith('VXLAN');
    this.crds = new HelmAddon(this, 'crds', {
      chart: Versions.charts.calicoCrds,
      releaseName: 'calico-crds',
      namespace: 'tigera-operator',
      values: {},
      imageRegistry: props.imageRegistry,
      images: ChartImages.calicoCrds,
      valueKeys: calicoCrdKeys as ChartValueKeys,
    });
    this.operator = new HelmAddon(this, 'operator', {
      chart: Versions.charts.tigeraOperator,
      releaseName: 'calico',
      namespace: 'tigera-operator',
      namespaceLabels: PRIVILEGED_NAMESPACE,
      // The operator runs calico-node and csi-node-driver (system-node-critical), typha and kube-controllers
      // (system-cluster-critical) in calico-system. It adopts an existing namespace, keeping labels it does not
      // set and setting these (operator v1.42: render/namespaces.go, controller/utils/component.go).
      systemCriticalNamespaces: [CALICO_SYSTEM_NAMESPACE],
      operatorNamespaces: { [CALICO_SYSTEM_NAMESPACE]: {
        'name': CALICO_SYSTEM_NAMESPACE,
        'app.kubernetes.io/managed-by': 'tigera-operator',
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      } },
      values: {
        installation: {
          kubernetesProvider: '',
          // Routed by the network, not by Calico: each node uses its own podCIDR, which the network routes.
          ...usesNodePodCidr({ plugin: 'calico', calicoEncapsulation: encapsulation, calicoBgp: bgp })
            ? { cni: { type: 'Calico', ipam: { type: 'HostLocal' } } } : {},
          calicoNetwork: {
            bgp: bgp ? 'Enabled' : 'Disabled',
            ...props.mtu === undefined ? {} : { mtu: props.mtu },
            ipPools: [{
              cidr: props.podCidr,
              encapsulation,
              natOutgoing: props.natOutgoing === false ? 'Disabled' : 'Enabled',
              blockSize: props.blockSize ?? 26,
              nodeSelector: 'all()',
            }],
          },
        },
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.tigeraOperator,
      rawValues: props.rawValues,
      valueKeys: tigeraOperatorKeys as ChartValueKeys,
      dependsOn: [this.crds],
    });
    validateWith(this, checks => {
      checks.oneOf('encapsulation', props.encapsulation, ['VXLAN', 'VXLANCrossSubnet', 'IPIP', 'IPIPCrossSubnet', 'None']);
      checks.expect(!encapsulation.startsWith('IPIP') || bgp, 'bgp', props.bgp, 'IP-in-IP routes over BGP: it cannot be turned off with IPIP encapsulation');
      if (props.blockSize !== undefined) {
        checks.expect(Number.isInteger(props.blockSize) && props.blockSize >= 20 && props.blockSize <= 32, 'blockSize', props.blockSize,
          'must be a prefix length from 20 to 32 (IPv4)');
      }
      if (props.mtu !== undefined) {
        checks.expect(Number.isInteger(props.mtu) && props.mtu >= 1000 && props.mtu <= 9000, 'mtu', props.mtu, 'must be a whole number from 1000 to 9000');
      }
    });
  }

  /** The releases, in install order. */
  public get addons(): HelmAddon[] {
    return [this.crds, this.operator];
  }
}

export type FlannelBackendType = 'vxlan' | 'host-gw' | 'wireguard';

export interface FlannelProps {
  /** The cluster's pod network. */
  readonly podCidr: string;
  /**
   * How pod traffic crosses nodes; `host-gw` needs the nodes on one layer-2 network.
   * @default 'vxlan'
   */
  readonly backend?: FlannelBackendType;
  /**
   * MTU of the VXLAN or WireGuard interface.
   * @default detected by Flannel
   */
  readonly mtu?: number;
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the flannel chart, merged last. */
  readonly rawValues?: ChartValues;
}

/** Flannel: a simple pod network that does not enforce NetworkPolicy. */
export class Flannel extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: FlannelProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.flannel,
      releaseName: 'flannel',
      namespace: 'kube-flannel',
      namespaceLabels: PRIVILEGED_NAMESPACE,
      systemCriticalNamespaces: ['kube-flannel'],
      values: { podCidr: props.podCidr, flannel: { backend: props.backend ?? 'vxlan', ...props.mtu === undefined ? {} : { mtu: props.mtu } } },
      imageRegistry: props.imageRegistry,
      images: ChartImages.flannel,
      rawValues: props.rawValues,
      valueKeys: flannelKeys as ChartValueKeys,
    });
    validateWith(this, checks => {
      checks.oneOf('backend', props.backend, ['vxlan', 'host-gw', 'wireguard']);
      if (props.mtu !== undefined) {
        checks.expect(props.backend !== 'host-gw', 'mtu', props.mtu, 'host-gw routes without a tunnel interface: it has no MTU to set');
        checks.expect(Number.isInteger(props.mtu) && props.mtu >= 1000 && props.mtu <= 9000, 'mtu', props.mtu, 'must be a whole number from 1000 to 9000');
      }
    });
  }

  public get addons(): HelmAddon[] {
    return [this.release];
  }
}
