import { Quantity } from '../core/quantity';
import { NodeSku } from './node-sku';
import { ResolvedKubelet, thresholdAmount } from './kubelet-profile';

/** What one node gives to pods, as the scheduler sees it. */
export interface Allocatable {
  readonly cpu: Quantity;
  readonly memory: Quantity;
  readonly ephemeralStorage: Quantity;
  readonly pods: Quantity;
  /** Extended resources by name, such as `nvidia.com/gpu`. */
  readonly extended: Readonly<Record<string, Quantity>>;
}

/**
 * A node's allocatable, computed as the kubelet does: capacity − kube-reserved
 * − system-reserved − the hard eviction threshold. Only memory
 * (`memory.available`) and ephemeral storage (`nodefs.available`) have a
 * threshold to subtract; a percentage threshold is a share of the capacity.
 * Extended resources are advertised whole by their device plugins.
 * Expects a valid SKU and profile.
 * @see https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/#node-allocatable
 */
export function nodeAllocatable(sku: NodeSku, kubelet: ResolvedKubelet): Allocatable {
  const { kubeReserved: kube, systemReserved: system, evictionHard: hard } = kubelet;
  const capacity = {
    cpu: Quantity.parse(sku.cpu),
    memory: Quantity.parse(sku.memory),
    ephemeralStorage: Quantity.parse(sku.ephemeralStorage),
  };
  const reserved = (resource: 'cpu' | 'memory' | 'ephemeralStorage') =>
    Quantity.parse(kube[resource]).plus(Quantity.parse(system[resource]));
  const threshold = (signal: 'memory.available' | 'nodefs.available', total: Quantity) =>
    hard[signal] === undefined ? Quantity.of(0) : thresholdAmount(hard[signal]!, total);
  return {
    cpu: capacity.cpu.minus(reserved('cpu')),
    memory: capacity.memory.minus(reserved('memory')).minus(threshold('memory.available', capacity.memory)),
    ephemeralStorage: capacity.ephemeralStorage.minus(reserved('ephemeralStorage')).minus(threshold('nodefs.available', capacity.ephemeralStorage)),
    pods: Quantity.of(kubelet.maxPods),
    extended: Object.fromEntries(Object.entries(sku.extendedResources ?? {}).map(([name, value]) => [name, Quantity.parse(value)])),
  };
}
