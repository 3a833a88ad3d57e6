import * as semver from 'semver';
import { ProductionCluster, requireValid } from '../constructs';
import { kubeadmInitDocuments, kubeadmJoinControlPlaneDocument, kubeadmJoinPoolDocument } from '../constructs/nodes/kubeadm-config';
import { kubeProxyConfiguration } from '../constructs/nodes/kube-proxy-config';
import { admissionConfiguration, auditPolicy, authenticationConfiguration, encryptionConfiguration } from '../constructs/nodes/api-server-hardening';
import { kubeVipPod, SUPER_ADMIN_CONF } from '../constructs/nodes/kube-vip';
import { cloudInitConfig, sysctlConf } from '../constructs/nodes/node-bootstrap';
import { kubesprayInventory } from '../constructs/nodes/kubespray-inventory';
import { NodeLayer } from '../constructs/nodes/node-layer';
import { NodePool } from '../constructs/nodes/node-pool';

/** A file of the node layer: YAML documents, or plain text. Paths are relative to the environment's folder. */
export type NodeFile =
  | { readonly path: string; readonly documents: readonly Record<string, unknown>[] }
  | { readonly path: string; readonly text: string }
  | { readonly path: string; readonly cloudConfig: Record<string, unknown> };

/**
 * The files that build one environment's machines:
 * - `node/`: kubeadm's init and join configurations, the kube-proxy
 *   configuration, per pool its kubelet configuration and kernel parameters,
 *   and the cloud-init user-data that makes a machine a node (one per machine);
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
    const kubeVip = controlPlane.endpoint.provider === 'kube-vip';
    const init = kubeadmInitDocuments(layer);
    files.push(
      { path: 'node/kubeadm-init.yaml', documents: init },
      { path: 'node/kube-proxy.yaml', documents: [kubeProxyConfiguration(layer)] },
      ...poolFiles('node/control-plane', controlPlane.nodes, layer),
      ...controlPlane.nodes.hosts.slice(1).map(host => ({
        path: `node/control-plane/kubeadm-join-${host.name}.yaml`,
        documents: [kubeadmJoinControlPlaneDocument(layer, host)],
      })),
      // The API server's audit policy and encryption configuration (the key a placeholder), before kubeadm init or join.
      { path: 'node/control-plane/audit-policy.yaml', documents: [auditPolicy()] },
      { path: 'node/control-plane/encryption-config.yaml', documents: [encryptionConfiguration()] },
      { path: 'node/control-plane/admission-config.yaml', documents: [admissionConfiguration(semver.minor(layer.kubernetesVersion))] },
      ...(layer.oidc ? [{
        path: 'node/control-plane/authentication-config.yaml',
        documents: [authenticationConfiguration(layer.oidc, semver.minor(layer.kubernetesVersion))],
      }] : []),
      ...(kubeVip ? [{ path: 'node/control-plane/kube-vip.yaml', documents: [kubeVipPod(controlPlane.endpoint, { imageRegistry: layer.imageRegistry })] }] : []),
      // The control plane's kubelet is the cluster's base KubeletConfiguration: no patch.
      ...controlPlane.nodes.hosts.map((host, index) => ({
        path: `node/control-plane/cloud-init-${host.name}.yaml`,
        cloudConfig: cloudInitConfig(layer, controlPlane.nodes, index === 0
          ? { command: 'init', host, kubeadmDocuments: init, apiServerFiles: true, kubeVipPod: kubeVip ? kubeVipPod(controlPlane.endpoint, { kubeconfig: SUPER_ADMIN_CONF, imageRegistry: layer.imageRegistry }) : undefined }
          : { command: 'join', host, kubeadmDocuments: [kubeadmJoinControlPlaneDocument(layer, host)], apiServerFiles: true, kubeVipPod: kubeVip ? kubeVipPod(controlPlane.endpoint, { imageRegistry: layer.imageRegistry }) : undefined }),
      })),
    );
    for (const pool of layer.pools) {
      const kubelet = pool.kubeletConfiguration(layer.dnsDomain);
      files.push(
        { path: `node/pools/${pool.name}/kubeadm-join.yaml`, documents: [kubeadmJoinPoolDocument(layer, pool)] },
        // One per machine: it registers with the model's name and address, which the approver of kubelet certificates checks.
        ...pool.hosts.map(host => ({
          path: `node/pools/${pool.name}/cloud-init-${host.name}.yaml`,
          cloudConfig: cloudInitConfig(layer, pool, {
            command: 'join', host, kubeadmDocuments: [kubeadmJoinPoolDocument(layer, pool, host)], kubeletPatch: kubelet,
          }),
        })),
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
  return [
    { path: `${folder}/kubelet.yaml`, documents: [pool.kubeletConfiguration(layer.dnsDomain)] },
    { path: `${folder}/sysctl.conf`, text: sysctlConf(layer, pool) },
  ];
}
