import { ProductionCluster, requireValid } from '../constructs';
import { kubeadmInitDocuments, kubeadmJoinControlPlaneDocument, kubeadmJoinPoolDocument } from '../constructs/nodes/kubeadm-config';
import { kubeProxyConfiguration } from '../constructs/nodes/kube-proxy-config';
import { kubesprayInventory } from '../constructs/nodes/kubespray-inventory';
import { hostNetworkSysctls, NodeLayer } from '../constructs/nodes/node-layer';
import { NodePool } from '../constructs/nodes/node-pool';

/** A file of the node layer: YAML documents, or plain text. Paths are relative to the environment's folder. */
export type NodeFile =
  | { readonly path: string; readonly documents: readonly Record<string, unknown>[] }
  | { readonly path: string; readonly text: string };

/**
 * The files that build one environment's machines:
 * - `node/`: kubeadm's init and join configurations, the kube-proxy
 *   configuration, and per pool its kubelet configuration and kernel parameters;
 * - `kubespray/inventory/`: hosts and group variables for Kubespray.
 *
 * An invalid cluster is refused with its problems (a `SynthError`).
 */
export function nodeFiles(cluster: ProductionCluster): NodeFile[] {
  requireValid(cluster);
  const layer = cluster.nodeLayer;
  const files: NodeFile[] = [];
  if (cluster.outputs.kubeadm) {
    const controlPlane = layer.controlPlane;
    files.push(
      { path: 'node/kubeadm-init.yaml', documents: kubeadmInitDocuments(layer) },
      { path: 'node/kube-proxy.yaml', documents: [kubeProxyConfiguration(layer)] },
      ...poolFiles('node/control-plane', controlPlane.nodes, layer),
      ...controlPlane.nodes.hosts.slice(1).map(host => ({
        path: `node/control-plane/kubeadm-join-${host.name}.yaml`,
        documents: [kubeadmJoinControlPlaneDocument(layer, host)],
      })),
    );
    for (const pool of layer.pools) {
      files.push(
        { path: `node/pools/${pool.name}/kubeadm-join.yaml`, documents: [kubeadmJoinPoolDocument(layer, pool)] },
        ...poolFiles(`node/pools/${pool.name}`, pool, layer),
      );
    }
  }
  if (cluster.outputs.kubespray) {
    files.push(...kubesprayInventory(layer).map(file => ({ path: `kubespray/${file.path}`, documents: [file.content] })));
  }
  return files;
}

function poolFiles(folder: string, pool: NodePool, layer: NodeLayer): NodeFile[] {
  const sysctls = { ...hostNetworkSysctls(layer), ...pool.sysctls };
  const dnsDomain = layer.dnsDomain;
  return [
    { path: `${folder}/kubelet.yaml`, documents: [pool.kubeletConfiguration(dnsDomain)] },
    { path: `${folder}/sysctl.conf`, text: Object.keys(sysctls).sort().map(name => `${name} = ${sysctls[name]}\n`).join('') },
  ];
}
