import { Construct } from 'constructs';
import { Versions } from '../versions';
import { ChartValueKeys, ChartValues } from './chart-values';
import keys from './chart-values/csi-driver-nfs.keys.json';
import { ChartImages } from './chart-images';
import { HelmAddon } from './helm-addon';

export interface NfsCsiDriverProps {
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /** Raw values of the csi-driver-nfs chart, merged last. */
  readonly rawValues?: ChartValues;
  readonly dependsOn?: readonly HelmAddon[];
}

/**
 * The NFS CSI driver (`nfs.csi.k8s.io`): provisions each claim of an `nfs`
 * StorageClass as a subdirectory of the class's export, and mounts it on
 * every node (its node plugin tolerates every taint). The classes are the
 * model's (`StorageClasses`), not the chart's. Snapshots are off: nothing in
 * the model installs the snapshot CRDs.
 */
export class NfsCsiDriver extends Construct {
  public readonly release: HelmAddon;

  constructor(scope: Construct, id: string, props: NfsCsiDriverProps = {}) {
    super(scope, id);
    this.release = new HelmAddon(this, 'release', {
      chart: Versions.charts.csiDriverNfs,
      releaseName: 'csi-driver-nfs',
      namespace: 'kube-system',
      systemCriticalNamespaces: ['kube-system'],
      values: {
        controller: { enableSnapshotter: false },
        externalSnapshotter: { enabled: false },
        storageClass: { create: false },
      },
      imageRegistry: props.imageRegistry,
      images: ChartImages.csiDriverNfs,
      rawValues: props.rawValues,
      valueKeys: keys as ChartValueKeys,
      dependsOn: props.dependsOn,
    });
  }
}
