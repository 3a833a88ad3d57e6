import * as semver from 'semver';
import { usesNodePodCidr } from '../addons/cni';
import { Checks } from '../core/checks';
import { Cidr } from '../core/cidr';
import { isImageRegistry, REGISTRY_HOST } from '../core/image-registry';
import { Versions } from '../versions';
import { hostNetworkSysctls, NodeLayer } from './node-layer';

const KUBE_PROXY_MODES = ['iptables', 'nftables', 'ipvs'] as const;
const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq'] as const;

/** The rules that span the node layer: names and addresses, the address plan, the network plugin and kube-proxy. */
export function checkNodeLayer(checks: Checks, layer: NodeLayer): void {
  checkHosts(checks, layer);
  checkRegistryMirrors(checks, layer);
  checkImageRegistry(checks, layer);
  checkHostNetworkSysctls(checks, layer);
  checkAddressPlan(checks, layer);
  checkNetworkPlugin(checks, layer);
  checkKubeProxy(checks, layer);
}

/** A Kubernetes version the pinned Kubespray installs: one it has checksums for. */
export function checkKubesprayVersion(checks: Checks, version: string): void {
  const supported: readonly string[] = Versions.kubespray.kubernetes;
  checks.expect(supported.includes(version), 'kubernetesVersion', version,
    `the pinned Kubespray (${Versions.kubespray.commit.slice(0, 7)}) installs ${supported[0]} to ${supported[supported.length - 1]} only; `
    + 'pick one of those, or set outputs.kubespray to false to render kubeadm files alone');
}

/** The ports of the NodePort range, or undefined if the text is not `first-last` within 1–65535. */
export function parsePortRange(range: string): { first: number; last: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(range);
  if (!match) return undefined;
  const [first, last] = [Number(match[1]), Number(match[2])];
  return first >= 1 && first <= last && last <= 65535 ? { first, last } : undefined;
}

/** Mirrors are keyed by registry host and are http(s) URLs without credentials, which would be written in the clear. */
function checkRegistryMirrors(checks: Checks, layer: NodeLayer): void {
  for (const [registry, mirrors] of Object.entries(layer.registryMirrors)) {
    checks.expect(REGISTRY_HOST.test(registry), 'images.mirrors', registry, 'must be a registry host as image references name it, such as registry.k8s.io, docker.io or registry.internal:5000');
    if (!Array.isArray(mirrors) || mirrors.length === 0) {
      checks.fail(`images.mirrors.${registry}`, mirrors, 'must list at least one mirror URL');
      continue;
    }
    mirrors.forEach((mirror, index) => {
      let url: URL | undefined;
      try {
        url = new URL(String(mirror));
      } catch {
        url = undefined;
      }
      const field = `images.mirrors.${registry}[${index}]`;
      // Written inside a TOML basic string: no quote, backslash, space or control character.
      if (url === undefined || !['https:', 'http:'].includes(url.protocol) || !/^[^"\\\s\p{Cc}]+$/u.test(String(mirror))) {
        checks.fail(field, mirror, 'must be an http or https URL such as https://mirror.internal:5000');
      } else {
        checks.expect(url.username === '' && url.password === '', field, '(not shown)',
          'must hold no credentials: they would be written in the clear; give them in containerd\'s own configuration');
      }
    });
  }
}

/** One registry for every image: a host with an optional path, never a URL, and not beside mirrors of the upstream ones. */
function checkImageRegistry(checks: Checks, layer: NodeLayer): void {
  const registry = layer.imageRegistry?.registry;
  if (registry === undefined) return;
  checks.expect(isImageRegistry(registry), 'images.registry', registry,
    'must be a registry host with an optional port and repository path, as image references begin, such as registry.internal:5000 or harbor.example.com/k8s (no scheme, no trailing slash)');
  checks.expect(Object.keys(layer.registryMirrors).length === 0, 'images.mirrors', Object.keys(layer.registryMirrors).sort().join(', '),
    'must not be set with images.registry: every image reference then names that registry, so mirrors of the upstream registries would never be asked');
}

/** A pool's own kernel parameters must not undo those that route pod traffic. */
function checkHostNetworkSysctls(checks: Checks, layer: NodeLayer): void {
  const required = hostNetworkSysctls(layer);
  const pools = [{ field: 'controlPlane', pool: layer.controlPlane.nodes }, ...layer.pools.map((pool, index) => ({ field: `nodePools[${index}]`, pool }))];
  for (const { field, pool } of pools) {
    for (const [name, value] of Object.entries(pool.sysctls)) {
      checks.expect(required[name] === undefined || String(value) === required[name], `${field}.sysctls.${name}`, value,
        `must be ${required[name]}: nodes route pod traffic with it (kubeadm's preflight checks it)`);
    }
  }
}

function checkHosts(checks: Checks, layer: NodeLayer): void {
  const names = new Map<string, string>();
  const addresses = new Map<string, string>();
  const groups = [
    { field: 'controlPlane', hosts: layer.controlPlane.nodes.hosts },
    ...(layer.controlPlane.stackedEtcd ? [] : [{ field: 'controlPlane.etcd', hosts: layer.controlPlane.etcdHosts }]),
    ...layer.pools.map((pool, i) => ({ field: `nodePools[${i}]`, hosts: pool.hosts })),
  ];
  for (const { field, hosts } of groups) {
    hosts.forEach((host, h) => {
      const where = `${field}.hosts[${h}]`;
      const nameOwner = names.get(host.name);
      checks.expect(nameOwner === undefined, `${where}.name`, host.name, `is already the name of ${nameOwner}: node names must be unique in the cluster`);
      names.set(host.name, nameOwner ?? where);
      const addressOwner = addresses.get(host.address);
      checks.expect(addressOwner === undefined, `${where}.address`, host.address, `is already the address of ${addressOwner}`);
      addresses.set(host.address, addressOwner ?? where);
    });
  }
  const poolNames = new Set<string>();
  layer.pools.forEach((pool, i) => {
    checks.expect(!poolNames.has(pool.name), `nodePools[${i}].name`, pool.name, 'node pool names must be unique');
    checks.expect(pool.name !== 'control-plane', `nodePools[${i}].name`, pool.name, '"control-plane" is the name of the control plane\'s nodes');
    poolNames.add(pool.name);
  });
}

function checkAddressPlan(checks: Checks, layer: NodeLayer): void {
  const mask = layer.nodeCidrMaskSize;
  const podCidr = Cidr.tryParse(layer.podCidr);
  const maxMask = podCidr?.family === 'ipv6' ? 128 : 32;
  checks.expect(Number.isInteger(mask) && mask >= 1 && mask <= maxMask, 'networking.nodeCidrMaskSize', mask, `must be a prefix length from 1 to ${maxMask}`);
  if (podCidr && Number.isInteger(mask)) {
    const nodeCount = layer.controlPlane.nodes.hosts.length + layer.pools.reduce((n, pool) => n + pool.hosts.length, 0);
    const ranges = mask > podCidr.prefixLength ? 2 ** (mask - podCidr.prefixLength) : mask === podCidr.prefixLength ? 1 : 0;
    checks.expect(ranges >= nodeCount, 'networking.nodeCidrMaskSize', mask,
      `gives ${ranges} node ranges of /${mask} in networking.podCidr (${podCidr.text}), fewer than the ${nodeCount} nodes`);
    // Calico's IPAM hands out blocks on demand; with the node's own range (Flannel, routed Calico) each node has exactly one.
    if (usesNodePodCidr(layer.cni) && podCidr.family === 'ipv4') {
      const podsPerNode = 2 ** (32 - mask) - 2;
      [layer.controlPlane.nodes, ...layer.pools].forEach(pool => {
        checks.expect(pool.kubelet.maxPods <= podsPerNode, pool === layer.controlPlane.nodes ? 'controlPlane.sku.maxPods' : `nodePools[${layer.pools.indexOf(pool)}].sku.maxPods`,
          pool.kubelet.maxPods, `must fit the node's pod range: a /${mask} holds ${podsPerNode} pods`);
      });
    }
  }
  const ports = parsePortRange(layer.nodePortRange);
  checks.expect(ports !== undefined, 'networking.nodePortRange', layer.nodePortRange, 'must be a port range such as 30000-32767');
  // Each user of NodePorts checks that its own are distinct; the range is the cluster's.
  for (const { field, port } of layer.nodePorts) {
    checks.expect(!ports || (Number.isInteger(port) && port >= ports.first && port <= ports.last), field, port,
      `must lie in networking.nodePortRange (${layer.nodePortRange}): the API server refuses other NodePorts`);
  }
}

/** The plugin and which of its options apply; the options' values are checked by the `Calico` and `Flannel` add-ons. */
function checkNetworkPlugin(checks: Checks, layer: NodeLayer): void {
  const cni = layer.cni;
  checks.oneOf('cni.plugin', cni.plugin, ['calico', 'flannel']);
  if (cni.plugin === 'calico') {
    checks.expect(cni.flannelBackend === undefined, 'cni.flannelBackend', cni.flannelBackend, 'applies to plugin flannel only');
  } else {
    const calicoOnly = (['calicoEncapsulation', 'calicoBgp', 'natOutgoing', 'blockSize'] as const).filter(key => cni[key] !== undefined);
    checks.expect(calicoOnly.length === 0, `cni.${calicoOnly[0]}`, cni[calicoOnly[0]], 'applies to plugin calico only');
  }
}

function checkKubeProxy(checks: Checks, layer: NodeLayer): void {
  const proxy = layer.kubeProxy;
  checks.oneOf('kubeProxy.mode', proxy.mode, KUBE_PROXY_MODES);
  checks.oneOf('kubeProxy.ipvsScheduler', proxy.ipvsScheduler, IPVS_SCHEDULERS);
  checks.expect(proxy.mode === 'ipvs' || (proxy.ipvsScheduler === undefined && proxy.ipvsStrictArp === undefined), 'kubeProxy.mode', proxy.mode,
    'ipvsScheduler and ipvsStrictArp need mode ipvs');
  if (proxy.mode === 'nftables' && semver.valid(layer.kubernetesVersion) && semver.lt(layer.kubernetesVersion, '1.33.0')) {
    checks.fail('kubeProxy.mode', proxy.mode, 'nftables is GA from Kubernetes 1.33 only');
  }
  if (proxy.mode === 'ipvs' && layer.controlPlane.endpoint.provider === 'kube-vip') {
    checks.expect(proxy.ipvsStrictArp === true, 'kubeProxy.ipvsStrictArp', proxy.ipvsStrictArp,
      'must be true with a kube-vip endpoint: in ipvs mode every node would otherwise answer ARP for the virtual IP (Kubespray refuses it too)');
  }
}
