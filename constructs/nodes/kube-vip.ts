import { ImageRegistry } from '../core/image-registry';
import { Versions } from '../versions';
import { ResolvedApiEndpoint } from './control-plane';

/** Where kube-vip reads its kubeconfig: kubeadm's admin.conf, which exists on every control plane node after init or join. */
const ADMIN_CONF = '/etc/kubernetes/admin.conf';

/**
 * The kubeconfig kube-vip uses on the first control plane node while
 * `kubeadm init` runs: since Kubernetes 1.29 admin.conf has no rights until
 * init has bound them, so kube-vip would never hold the address that init
 * waits for. The bootstrap switches it to admin.conf afterwards.
 */
export const SUPER_ADMIN_CONF = '/etc/kubernetes/super-admin.conf';

export interface KubeVipPodOptions {
  /** @default admin.conf */
  readonly kubeconfig?: string;
  /** @default the image's upstream registry */
  readonly imageRegistry?: ImageRegistry;
}

/**
 * kube-vip's static pod (`/etc/kubernetes/manifests/kube-vip.yaml`) on a
 * control plane node: the virtual IP held by one node at a time (leader
 * election), announced by ARP, as Kubespray's template and kube-vip's own
 * generator write it.
 */
export function kubeVipPod(endpoint: ResolvedApiEndpoint, options: KubeVipPodOptions = {}): Record<string, unknown> {
  const kubeconfig = options.kubeconfig ?? ADMIN_CONF;
  const image = `${Versions.kubeVip.image}:${Versions.kubeVip.version}`;
  const env: Record<string, string> = {
    vip_arp: 'true',
    port: String(endpoint.port),
    ...(endpoint.interface ? { vip_interface: endpoint.interface } : {}),
    vip_subnet: endpoint.address.includes(':') ? '128' : '32',
    dns_mode: 'first',
    cp_enable: 'true',
    cp_namespace: 'kube-system',
    vip_leaderelection: 'true',
    vip_leasename: 'plndr-cp-lock',
    vip_leaseduration: '5',
    vip_renewdeadline: '3',
    vip_retryperiod: '1',
    address: endpoint.address,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system', labels: { 'k8s-app': 'kube-vip' } },
    spec: {
      containers: [{
        name: 'kube-vip',
        image: options.imageRegistry?.image(image) ?? image,
        args: ['manager'],
        env: [
          ...Object.entries(env).map(([name, value]) => ({ name, value })),
          { name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
        securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } },
        volumeMounts: [{ name: 'kubeconfig', mountPath: ADMIN_CONF }],
      }],
      // kube-vip talks to the API server on this node, under the name its certificate carries.
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['kubernetes'] }],
      hostNetwork: true,
      volumes: [{ name: 'kubeconfig', hostPath: { path: kubeconfig, type: 'File' } }],
    },
  };
}
