import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Labels } from '../core/labels';
import { kubeQuantities } from '../core/resources';
import { systemCriticalQuota } from '../nodes/api-server-hardening';

export interface SystemCriticalQuotasProps {
  /** The namespaces where the platform runs pods at a system PriorityClass; `kube-system` among them. */
  readonly namespaces: readonly string[];
  /** The pods the cluster's nodes hold together (their `maxPods`): the quotas count, never limit. */
  readonly clusterPods: number;
}

/**
 * The ResourceQuotas that admit the system PriorityClasses where the platform
 * runs them. The API server admits a pod of a system class only in a
 * namespace whose quota covers the class (ResourceQuota's `limitedResources`
 * in its admission configuration), so these namespaces are the only ones
 * where such pods run, whoever else may create pods.
 */
export class SystemCriticalQuotas extends Construct {
  constructor(scope: Construct, id: string, props: SystemCriticalQuotasProps) {
    super(scope, id);
    for (const namespace of [...new Set(props.namespaces)].sort()) {
      const { metadata, spec } = systemCriticalQuota(namespace, props.clusterPods, { [Labels.MANAGED_BY]: 'prodk8s' });
      new k8s.KubeResourceQuota(this, namespace, { metadata, spec: { ...spec, hard: kubeQuantities(spec.hard) } });
    }
  }
}
