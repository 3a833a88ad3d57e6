/** What one machine of a pool offers: the node's capacity as the kubelet reports it. */
export interface NodeSku {
  /** Cores, as a Kubernetes quantity (`16`, `7500m`). */
  readonly cpu: string;
  /** Memory, as a Kubernetes quantity (`64Gi`). */
  readonly memory: string;
  /** Size of the kubelet's root filesystem (nodefs), as a Kubernetes quantity (`200Gi`). */
  readonly ephemeralStorage: string;
  /**
   * Pods one node may run (`maxPods` of the kubelet).
   * @default 110
   */
  readonly maxPods?: number;
  /**
   * Extended resources that device plugins advertise, such as `{ 'nvidia.com/gpu': '8' }`.
   * @default none
   */
  readonly extendedResources?: Readonly<Record<string, string>>;
}

/**
 * NVIDIA GPUs, as NVIDIA's device plugin advertises them. A pool declaring it
 * gets the plugin (an add-on) and containerd's nvidia runtime (node layer).
 */
export const NVIDIA_GPU = 'nvidia.com/gpu';

/**
 * The NVIDIA Container Toolkit's runtime, a host prerequisite of GPU nodes
 * with the driver: it gives containers the GPUs the device plugin allocates.
 */
export const NVIDIA_CONTAINER_RUNTIME = '/usr/bin/nvidia-container-runtime';

/**
 * The NVIDIA Container Toolkit settings of a GPU node: GPUs only as the
 * volume mounts the device plugin requests for a container, never from an
 * unprivileged container's `NVIDIA_VISIBLE_DEVICES`, which would let any
 * pod use GPUs past its quota.
 */
export const NVIDIA_TOOLKIT_SETTINGS = [
  'accept-nvidia-visible-devices-envvar-when-unprivileged=false',
  'accept-nvidia-visible-devices-as-volume-mounts=true',
] as const;

/** The kubelet's default `maxPods`. */
export const DEFAULT_MAX_PODS = 110;
