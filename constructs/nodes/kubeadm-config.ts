import * as semver from 'semver';
import { Cidr } from '../core/cidr';
import { TaintSpec } from '../core/taint';
import { Versions } from '../versions';
import { hardeningArgs, hardeningVolumes } from './api-server-hardening';
import { HostSpec } from './host-set';
import { kubeProxyConfiguration } from './kube-proxy-config';
import { compact } from './kubelet-configuration';
import { CRI_SOCKET, NodeLayer, requireValidLayer } from './node-layer';
import { NodePool } from './node-pool';

/**
 * Secrets are never written: these placeholders stand where kubeadm needs them.
 * Fill them at install time, for example with `envsubst`.
 */
export const KubeadmPlaceholders = {
  /** `kubeadm token generate` */
  BOOTSTRAP_TOKEN: '${KUBEADM_BOOTSTRAP_TOKEN}',
  /** `kubeadm certs certificate-key` */
  CERTIFICATE_KEY: '${KUBEADM_CERTIFICATE_KEY}',
  /** `sha256:` and the hash of the cluster CA's public key, printed by `kubeadm init` */
  CA_CERT_HASH: '${KUBEADM_CA_CERT_HASH}',
} as const;

/** Where the per-pool kubelet configuration goes on a node before `kubeadm join`; kubeadm applies it as a patch. */
export const KUBEADM_PATCHES_DIRECTORY = '/etc/kubernetes/patches';

/** `kubeadm.k8s.io/v1beta4` from Kubernetes 1.31, `v1beta3` below it. */
export function kubeadmApiVersion(kubernetesVersion: string): string {
  return semver.gte(kubernetesVersion, Versions.kubernetes.kubeadmV1beta4From) ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/**
 * Extra arguments in the shape of the API version: v1beta4 takes a list of
 * `{name, value}`, v1beta3 a map. Sorted by name, so the output is stable.
 */
export function kubeadmArgs(apiVersion: string, args: Record<string, string>): unknown {
  const sorted = Object.keys(args).sort();
  return apiVersion.endsWith('v1beta4')
    ? sorted.map(name => ({ name, value: args[name] }))
    : Object.fromEntries(sorted.map(name => [name, args[name]]));
}

/**
 * `kubeadm init --config` of the first control plane node: InitConfiguration,
 * ClusterConfiguration, the control plane's KubeletConfiguration (the base every
 * node starts from) and the KubeProxyConfiguration.
 */
export function kubeadmInitDocuments(layer: NodeLayer): Record<string, unknown>[] {
  requireValidLayer(layer);
  const apiVersion = kubeadmApiVersion(layer.kubernetesVersion);
  const controlPlane = layer.controlPlane;
  const first = controlPlane.nodes.hosts[0];
  return [
    {
      apiVersion,
      kind: 'InitConfiguration',
      bootstrapTokens: [{ token: KubeadmPlaceholders.BOOTSTRAP_TOKEN }],
      certificateKey: KubeadmPlaceholders.CERTIFICATE_KEY,
      localAPIEndpoint: { advertiseAddress: first.address, bindPort: controlPlane.endpoint.port },
      nodeRegistration: nodeRegistration(apiVersion, controlPlane.nodes, first),
    },
    clusterConfiguration(layer, apiVersion),
    controlPlane.nodes.kubeletConfiguration(layer.dnsDomain),
    kubeProxyConfiguration(layer),
  ];
}

/** `kubeadm join --config` of a further control plane node. */
export function kubeadmJoinControlPlaneDocument(layer: NodeLayer, host: HostSpec): Record<string, unknown> {
  requireValidLayer(layer);
  const apiVersion = kubeadmApiVersion(layer.kubernetesVersion);
  return {
    ...joinConfiguration(layer, apiVersion, layer.controlPlane.nodes, host),
    controlPlane: {
      localAPIEndpoint: { advertiseAddress: host.address, bindPort: layer.controlPlane.endpoint.port },
      certificateKey: KubeadmPlaceholders.CERTIFICATE_KEY,
    },
  };
}

/**
 * `kubeadm join --config` of a worker pool's nodes; the pool's kubelet
 * configuration is applied from the patches folder. With `host`, the node's
 * name and address are the model's, not whatever the machine's hostname and
 * default route say: the approver of kubelet certificates accepts only those.
 */
export function kubeadmJoinPoolDocument(layer: NodeLayer, pool: NodePool, host?: HostSpec): Record<string, unknown> {
  requireValidLayer(layer);
  const apiVersion = kubeadmApiVersion(layer.kubernetesVersion);
  return { ...joinConfiguration(layer, apiVersion, pool, host), patches: { directory: KUBEADM_PATCHES_DIRECTORY } };
}

function clusterConfiguration(layer: NodeLayer, apiVersion: string): Record<string, unknown> {
  const controlPlane = layer.controlPlane;
  const { address, port } = controlPlane.endpoint;
  // kubeadm's own default is NodeRestriction alone; setting the flag replaces it, so it is restated.
  const admission = ['NodeRestriction', ...layer.admissionPlugins].join(',');
  return {
    apiVersion,
    kind: 'ClusterConfiguration',
    clusterName: layer.clusterName,
    kubernetesVersion: `v${layer.kubernetesVersion}`,
    controlPlaneEndpoint: hostPort(address, port),
    // Lifetimes, in v1beta4 only (Kubernetes 1.31 on, every version the model supports).
    ...(apiVersion.endsWith('v1beta4') ? {
      certificateValidityPeriod: controlPlane.certificates.validity,
      caCertificateValidityPeriod: controlPlane.certificates.caValidity,
    } : {}),
    networking: { podSubnet: layer.podCidr, serviceSubnet: layer.serviceCidr, dnsDomain: layer.dnsDomain },
    ...(layer.imageRegistry ? {
      imageRepository: layer.imageRegistry.registry,
      // kubeadm looks for CoreDNS at <imageRepository>/coredns off registry.k8s.io; upstream's path keeps one layout for every image.
      dns: { imageRepository: `${layer.imageRegistry.registry}/coredns` },
    } : {}),
    etcd: controlPlane.stackedEtcd
      // Metrics on plain HTTP for Prometheus, apart from the client port with its certificates.
      ? { local: { dataDir: '/var/lib/etcd', extraArgs: kubeadmArgs(apiVersion, { 'listen-metrics-urls': 'http://0.0.0.0:2381' }) } }
      : {
        external: {
          endpoints: controlPlane.etcdHosts.map(host => `https://${host.address}:2379`),
          caFile: '/etc/kubernetes/pki/etcd/ca.crt',
          certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
          keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
        },
      },
    apiServer: {
      certSANs: controlPlane.certSANs,
      // The audit log and the encryption of Secrets, from files the node bootstrap writes.
      extraVolumes: hardeningVolumes(layer.oidc),
      extraArgs: kubeadmArgs(apiVersion, {
        ...hardeningArgs(layer.oidc),
        'enable-admission-plugins': admission,
        // The kubelets' serving certificates are signed by the cluster CA (serverTLSBootstrap): verify them, as Kubespray does.
        'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
        'service-node-port-range': layer.nodePortRange,
        'profiling': 'false',
      }),
    },
    // kubeadm binds both to 127.0.0.1; Prometheus scrapes their secure ports (authenticated) from other nodes.
    controllerManager: {
      // The flag of the pod network's family, which kubeadm's own checks of the pod subnet read.
      extraArgs: kubeadmArgs(apiVersion, {
        'bind-address': '0.0.0.0', [`node-cidr-mask-size-${Cidr.tryParse(layer.podCidr)?.family ?? 'ipv4'}`]: String(layer.nodeCidrMaskSize), 'profiling': 'false',
      }),
    },
    scheduler: { extraArgs: kubeadmArgs(apiVersion, { 'bind-address': '0.0.0.0', 'profiling': 'false' }) },
  };
}

function joinConfiguration(layer: NodeLayer, apiVersion: string, pool: NodePool, host?: HostSpec): Record<string, unknown> {
  const { address, port } = layer.controlPlane.endpoint;
  return {
    apiVersion,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: hostPort(address, port),
        token: KubeadmPlaceholders.BOOTSTRAP_TOKEN,
        caCertHashes: [KubeadmPlaceholders.CA_CERT_HASH],
      },
    },
    nodeRegistration: nodeRegistration(apiVersion, pool, host),
  };
}

function nodeRegistration(apiVersion: string, pool: NodePool, host?: HostSpec): Record<string, unknown> {
  const labels = pool.nodeLabels;
  const nodeLabels = Object.keys(labels).sort().map(key => `${key}=${labels[key]}`).join(',');
  return compact({
    name: host?.name,
    criSocket: CRI_SOCKET,
    // An explicit list: an empty one means no taints, an absent one kubeadm's defaults.
    taints: pool.taints.map(kubeTaint),
    // The address the node registers with (and its serving certificate names), where the machine has several.
    kubeletExtraArgs: kubeadmArgs(apiVersion, { 'node-labels': nodeLabels, ...(host ? { 'node-ip': host.address } : {}) }),
  });
}

function kubeTaint(taint: TaintSpec): Record<string, string> {
  return compact({ key: taint.key, value: taint.value, effect: taint.effect }) as Record<string, string>;
}

/** `address:port`, with an IPv6 address in brackets. */
function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
