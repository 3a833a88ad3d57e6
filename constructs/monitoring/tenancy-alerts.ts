import { AlertRule, exactly, RuleGroup, runbook } from './alert-rules';

/** The default share of a quota at which its tenant is warned. */
export const DEFAULT_QUOTA_ALERT_SHARE = 0.9;

/**
 * Tenancy: a quota nearly used up (before the API server starts refusing the
 * tenant's pods), pods the scheduler cannot place (capacity), and workloads
 * that cannot create their pods (usually a full quota).
 */
export function tenancyAlerts(tenants: readonly string[], quotaShare = DEFAULT_QUOTA_ALERT_SHARE): RuleGroup {
  if (tenants.length === 0) return { name: 'prodk8s.tenancy', rules: [] };
  const namespaces = `namespace=~"${exactly([...tenants].sort())}"`;
  const percent = Math.round(quotaShare * 100);
  const rules: AlertRule[] = [
    {
      alert: 'TenantQuotaNearlyFull',
      // Quotas of 0 (no NodePorts, no LoadBalancers) are never "full".
      expr: `kube_resourcequota{${namespaces},type="used"} / ignoring(type) (kube_resourcequota{${namespaces},type="hard"} > 0) > ${quotaShare}`,
      for: '15m',
      severity: 'warning',
      summary: 'Tenant {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota',
      description: `Tenant {{ $labels.namespace }} has used more than ${percent}% of {{ $labels.resource }} in ResourceQuota {{ $labels.resourcequota }}; at 100% the API server refuses new pods.`,
      runbook: runbook(
        'kubectl describe resourcequota -n {{ $labels.namespace }}: used against hard',
        'ask the team to lower requests or replicas, or raise the quota in the environment\'s spec (never in the cluster)',
      ),
    },
    {
      alert: 'TenantPodsUnschedulable',
      expr: `sum by (namespace) (kube_pod_status_unschedulable{${namespaces}}) > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'Tenant {{ $labels.namespace }} has {{ $value }} pods the scheduler cannot place',
      description: 'Pods of tenant {{ $labels.namespace }} have been Pending for 10 minutes: no node has room for their requests, or none matches their pool and tolerations.',
      runbook: runbook(
        'kubectl get pods -n {{ $labels.namespace }} --field-selector status.phase=Pending; kubectl describe pod: the FailedScheduling event says why',
        'compare the pool\'s allocatable (SUMMARY.md) with the requests',
      ),
    },
    {
      alert: 'TenantPodsNotCreated',
      expr: `kube_replicaset_spec_replicas{${namespaces}} - kube_replicaset_status_replicas{${namespaces}} > 0`,
      for: '15m',
      severity: 'warning',
      summary: 'ReplicaSet {{ $labels.namespace }}/{{ $labels.replicaset }} is missing {{ $value }} pods',
      description: 'The ReplicaSet {{ $labels.replicaset }} of tenant {{ $labels.namespace }} cannot create all its pods for 15 minutes, most often because a ResourceQuota is full or a pod lacks requests the LimitRange would give.',
      runbook: runbook(
        'kubectl describe replicaset {{ $labels.replicaset }} -n {{ $labels.namespace }}: FailedCreate events name the quota',
        'kubectl describe resourcequota -n {{ $labels.namespace }}',
      ),
    },
  ];
  return { name: 'prodk8s.tenancy', rules };
}
