import { NodeProblemCondition } from '../addons/node-problem-detector';
import { NODE_PROBLEM_TAINT_PREFIX } from '../addons/node-problem-taints';
import { Quantity } from '../core/quantity';
import { EvictionThresholds, thresholdAmount } from '../nodes/kubelet-profile';
import { nodefsWarningLine } from '../nodes/host-logs';
import { NodePool } from '../nodes/node-pool';
import { AlertRule, exactly, RuleGroup, runbook } from './alert-rules';

const NODE_RUNBOOK = (...first: string[]) => runbook(
  ...first,
  'kubectl describe node {{ $labels.node }}: conditions and recent events',
  // The on-call namespace and toolbox of the model's `operations` (README, "Debugging a cluster built by prodk8s").
  'a shell on the node: kubectl debug node/{{ $labels.node }} -it --profile=sysadmin -n <operations> --image=<toolbox>; chroot /host',
  'there: journalctl -u kubelet -u containerd --since -1h; dmesg -T | tail -100; crictl ps -a; crictl logs <container>',
);

/** A condition node-problem-detector set stays until its monitor sees the problem gone: how to clear it once fixed. */
const CONDITION_RESET = 'once fixed, the condition clears when node-problem-detector sees the problem gone; to check again at once, restart it '
  + 'on the node: kubectl -n node-problem-detector delete pod --field-selector spec.nodeName={{ $labels.node }}';

/**
 * Node problems: every condition node-problem-detector sets (read from
 * kube-state-metrics, which exports all node conditions) and the kernel
 * events it counts. NPD only reports; these alerts make someone act.
 */
export function nodeProblemAlerts(conditions: readonly NodeProblemCondition[], counted: readonly string[], tainted: readonly string[] = []): RuleGroup {
  return {
    name: 'prodk8s.node-problems',
    rules: [
      ...conditions.map((condition): AlertRule => ({
        alert: `Node${condition.type}`,
        expr: `kube_node_status_condition{condition="${condition.type}",status="true"} == 1`,
        for: '2m',
        severity: condition.severity,
        summary: `Node {{ $labels.node }} reports ${condition.type}`,
        description: `node-problem-detector set ${condition.type} on {{ $labels.node }}: ${condition.meaning}.`
          + (tainted.includes(condition.type) ? ` New pods stay off it: it is tainted ${NODE_PROBLEM_TAINT_PREFIX}${condition.type}:NoSchedule until the condition clears.` : ''),
        runbook: NODE_RUNBOOK(tainted.includes(condition.type)
          ? 'drain the node if its running pods fail too: kubectl drain {{ $labels.node }} --ignore-daemonsets --delete-emptydir-data'
          : 'cordon the node if pods keep failing there: kubectl cordon {{ $labels.node }}', CONDITION_RESET),
      })),
      ...counted.map((reason): AlertRule => ({
        // NodeKernelOops, not NodeKernelKernelOops.
        alert: `NodeKernel${reason.replace(/^Kernel/, '')}`,
        expr: `increase(problem_counter{reason="${reason}"}[15m]) > 0`,
        for: '0m',
        severity: 'warning',
        summary: `Node {{ $labels.node }} logged ${reason}`,
        description: `The kernel of {{ $labels.node }} logged ${reason} {{ $value }} times in 15 minutes (node-problem-detector).`,
        runbook: NODE_RUNBOOK(`kubectl get events -A --field-selector reason=${reason},involvedObject.name={{ $labels.node }}`),
      })),
    ],
  };
}

/**
 * Pressure and eviction, per pool, firing before the kubelet evicts: a
 * warning when free memory or disk comes within half again of the pool's
 * first eviction threshold (soft if set, else hard), critical once it is
 * crossed, plus the kubelet's own pressure conditions and NotReady.
 * node-exporter series carry the node's name in `node` (see the add-on).
 */
export function nodePressureAlerts(pools: readonly NodePool[]): RuleGroup {
  const rules: AlertRule[] = [
    ...(['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const).map((condition): AlertRule => ({
      alert: `Node${condition}`,
      expr: `kube_node_status_condition{condition="${condition}",status="true"} == 1`,
      for: '2m',
      severity: 'critical',
      summary: `Node {{ $labels.node }} is under ${condition.replace('Pressure', '').toLowerCase()} pressure`,
      description: `The kubelet of {{ $labels.node }} reports ${condition}: it evicts pods and the scheduler keeps new ones away.`,
      runbook: NODE_RUNBOOK('kubectl top pods -A --sort-by=memory | head: who uses the most', 'check limits against requests of the pods on the node'),
    })),
    {
      alert: 'NodeNotReady',
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      for: '5m',
      severity: 'critical',
      summary: 'Node {{ $labels.node }} is not Ready',
      description: 'The kubelet of {{ $labels.node }} has not reported Ready for 5 minutes; its pods are evicted after the toleration period.',
      runbook: NODE_RUNBOOK('on the node: systemctl status kubelet containerd', 'check the node\'s network path to the API server endpoint'),
    },
  ];
  for (const pool of pools) {
    const nodes = `node=~"${exactly(pool.hosts.map(host => host.name))}"`;
    const labels = { pool: pool.name };
    const { evictionHard: hard, profile } = pool.kubelet;
    const soft: EvictionThresholds = profile.evictionSoft ?? {};
    const memory = soft['memory.available'] ?? hard['memory.available'];
    if (memory !== undefined) {
      const bytes = toBytes(thresholdAmount(memory, Quantity.parse(pool.sku.memory)));
      const available = `node_memory_MemAvailable_bytes{${nodes}}`;
      rules.push(
        {
          alert: 'NodeMemoryNearEviction', expr: `${available} < ${Math.ceil(bytes * 1.5)}`, for: '5m', severity: 'warning', labels,
          summary: 'Node {{ $labels.node }} is running out of memory',
          description: `{{ $labels.node }} (pool ${pool.name}) has {{ $value | humanize1024 }}B available, within half again of the ${soft['memory.available'] ? 'soft' : 'hard'} eviction threshold of ${memory}.`,
          runbook: NODE_RUNBOOK('kubectl top pods -A --sort-by=memory | head', 'find pods whose memory limit is far above their request'),
        },
        {
          alert: 'NodeMemoryEvicting', expr: `${available} < ${bytes}`, for: '1m', severity: 'critical', labels,
          summary: 'Node {{ $labels.node }} is evicting pods for memory',
          description: `{{ $labels.node }} (pool ${pool.name}) has {{ $value | humanize1024 }}B available, below the ${soft['memory.available'] ? 'soft' : 'hard'} eviction threshold of ${memory}: the kubelet evicts pods.`,
          runbook: NODE_RUNBOOK('kubectl get pods -A --field-selector spec.nodeName={{ $labels.node }},status.phase=Failed: the evicted pods'),
        },
      );
    }
    const disk = soft['nodefs.available'] ?? hard['nodefs.available'];
    if (disk !== undefined) {
      // Spaced, so that YAML can fold a long expression.
      const root = `{${nodes}, mountpoint="/", fstype!~"tmpfs|overlay"}`;
      const percent = /^(\d+(\.\d+)?)%$/.exec(disk);
      const free = percent ? `100 * node_filesystem_avail_bytes${root} / node_filesystem_size_bytes${root}` : `node_filesystem_avail_bytes${root}`;
      const limit = percent ? Number(percent[1]) : toBytes(Quantity.parse(disk));
      // Where journald stops writing too (its SystemKeepFree): logs alone never bring the node to evict.
      const warning = nodefsWarningLine(disk);
      const near = 'percent' in warning ? warning.percent : warning.bytes;
      rules.push(
        {
          alert: 'NodeDiskNearEviction', expr: `${free} < ${near}`, for: '10m', severity: 'warning', labels,
          summary: 'Node {{ $labels.node }} is running out of disk',
          description: `The root filesystem of {{ $labels.node }} (pool ${pool.name}) is close to the nodefs eviction threshold of ${disk}.`,
          runbook: NODE_RUNBOOK('on the node: crictl images; du -sh /var/log/pods /var/lib/containerd', 'find pods writing large emptyDir volumes or logs'),
        },
        {
          alert: 'NodeDiskEvicting', expr: `${free} < ${limit}`, for: '1m', severity: 'critical', labels,
          summary: 'Node {{ $labels.node }} is evicting pods for disk',
          description: `The root filesystem of {{ $labels.node }} (pool ${pool.name}) is below the nodefs eviction threshold of ${disk}: the kubelet removes images and evicts pods.`,
          runbook: NODE_RUNBOOK('on the node: crictl rmi --prune'),
        },
      );
    }
  }
  return { name: 'prodk8s.node-pressure', rules };
}

function toBytes(quantity: Quantity): number {
  return Number(quantity.nanos / 1_000_000_000n);
}
