import { Construct } from 'constructs';
import { Labels } from '../core/labels';
import { TaintSpec, tolerationOf } from '../core/taint';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/nvidia-device-plugin.keys.json';
import { ChartImages } from './chart-images';
import { PRIVILEGED_NAMESPACE } from './cni';
import { HelmAddon } from './helm-addon';

/** A node pool whose nodes hold GPUs. */
export interface GpuPool {
  readonly name: string;
  /** The pool's taints, which the plugin tolerates. */
  readonly taints: readonly TaintSpec[];
}

export interface NvidiaDevicePluginProps {
  /** The pools whose SKU declares `nvidia.com/gpu` (`NVIDIA_GPU`): the plugin runs on their nodes and nowhere else. */
  readonly pools: readonly GpuPool[];
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the nvidia-device-plugin chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/**
 * NVIDIA's device plugin: advertises each node's GPUs to the kubelet as
 * `nvidia.com/gpu` (`NVIDIA_GPU`), so that pods requesting them can be scheduled. It runs
 * on the GPU pools only (their pool label, their taints tolerated) rather
 * than on node-feature-discovery's labels, which the model does not install.
 * The nodes need the NVIDIA driver and container toolkit, with containerd's
 * default runtime set to nvidia (the node layer does so for these pools).
 */
export class NvidiaDevicePlugin extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    const pools = props.pools.map(pool => pool.name).sort();
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.nvidiaDevicePlugin,
      releaseName: 'nvidia-device-plugin',
      namespace: 'nvidia-device-plugin',
      systemCriticalNamespaces: ['nvidia-device-plugin'],
      // It writes the kubelet's device-plugin socket on the host.
      namespaceLabels: PRIVILEGED_NAMESPACE,
      values: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: Labels.NODE_POOL, operator: 'In', values: pools }] }],
            },
          },
        },
        tolerations: uniqueTolerations(props.pools.flatMap(pool => pool.taints)),
        priorityClassName: 'system-node-critical',
        // GPUs handed to containers as volume mounts, which only the kubelet sets: with the default, the
        // NVIDIA_VISIBLE_DEVICES variable, any pod could name GPUs it never requested (the node layer
        // turns the variable off for unprivileged containers).
        deviceListStrategy: 'volume-mounts',
        // No node-feature-discovery or gpu-feature-discovery: the pools are known from the model.
        gfd: { enabled: false },
        nfd: { enabled: false },
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.nvidiaDevicePlugin,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
  }
}

/** One toleration per distinct taint of the pools. */
function uniqueTolerations(taints: readonly TaintSpec[]): ReturnType<typeof tolerationOf>[] {
  const tolerations = new Map<string, ReturnType<typeof tolerationOf>>();
  for (const toleration of taints.map(tolerationOf)) tolerations.set(JSON.stringify(toleration), toleration);
  return [...tolerations.keys()].sort().map(key => tolerations.get(key)!);
}
