import { Prerequisite, ProductionCluster, Quantity, requireValid } from '../constructs';
import { NodePool } from '../constructs/nodes/node-pool';

/**
 * `SUMMARY.md` of one environment: what a reviewer needs to see in a pull
 * request, in words and tables: the cluster, its add-ons with their chart
 * versions, its node pools with capacity, reservations and allocatable, the
 * tenants' requests against the allocatable they can land on, and the alert
 * rules. Deterministic: add-ons in install order, pools in spec order,
 * tenants by name, exact quantities. An invalid cluster is refused with its
 * problems (a `SynthError`).
 */
/** What serves the API endpoint, in the summary's words. */
const ENDPOINT_PROVIDERS = {
  'kube-vip': ' (a virtual IP that kube-vip holds on the control plane nodes)',
  'external': ' (an external load balancer or name: a prerequisite, to exist before `kubeadm init`)',
  'node': '',
} as const;

export function environmentSummary(cluster: ProductionCluster): string {
  requireValid(cluster);
  const spec = cluster.spec;
  const layer = cluster.nodeLayer;
  const shared = layer.pools.filter(p => p.isShared);
  // The allocatable of each group of pools, summed once however many tenants share it.
  const totalsByGroup = new Map<string, { cpu: Quantity; memory: Quantity }>();
  const totalsOf = (group: string, pools: readonly NodePool[]) => {
    let totals = totalsByGroup.get(group);
    if (!totals) totalsByGroup.set(group, totals = { cpu: total(pools, 'cpu'), memory: total(pools, 'memory') });
    return totals;
  };
  const lines = [
    `# ${spec.name}`,
    '',
    `Kubernetes ${spec.kubernetesVersion}, ${layer.cni.plugin} (pods ${layer.podCidr}, services ${layer.serviceCidr}), kube-proxy ${layer.kubeProxy.mode}.`,
    `API endpoint ${layer.controlPlane.endpoint.address}:${layer.controlPlane.endpoint.port}${ENDPOINT_PROVIDERS[layer.controlPlane.endpoint.provider]}, `
      + `${layer.controlPlane.nodes.hosts.length} control plane node(s), etcd ${layer.controlPlane.stackedEtcd ? 'stacked' : `on ${layer.controlPlane.etcdHosts.length} dedicated nodes`}.`,
    `Add-ons installed by Terraform (\`terraform/cdk.tf.json\`) or ${cluster.spec.gitops?.engine === 'argocd' ? 'Argo CD' : 'Flux'} (manifests).`,
    '',
    '## Add-ons',
    '',
    '| release | chart | version | namespace | after |',
    '|---|---|---|---|---|',
    ...cluster.addons.map(addon => `| ${addon.releaseName} | ${addon.chart.repository.replace(/\/$/, '')}/${addon.chart.name} | ${addon.chart.version} | `
      + `${addon.namespace} | ${addon.dependsOn.map(d => d.releaseName).join(', ') || '-'} |`),
    '',
    '## Prerequisites',
    '',
    'What the model refers to but does not create: it must exist before the add-ons and tenants that use it.',
    '',
    ...cluster.prerequisites.length === 0 ? ['None: the model provides everything it refers to.'] : [
      '| kind | name | namespace | must hold | used by |',
      '|---|---|---|---|---|',
    ],
    ...cluster.prerequisites.map(item => `| ${item.kind} | ${item.name} | ${item.namespace ?? '-'} | ${holdings(item)} | ${item.usedBy} |`),
    '',
    '## Node pools',
    '',
    'Allocatable per node = capacity − kube-reserved − system-reserved − hard eviction threshold.',
    '',
    '| pool | nodes | capacity (cpu / memory / pods) | kube-reserved | system-reserved | hard eviction (memory / nodefs) | allocatable per node | taints |',
    '|---|---|---|---|---|---|---|---|',
    ...[layer.controlPlane.nodes, ...layer.pools].map(poolRow),
    '',
    '## Tenants',
    '',
    '| tenant | runs on | cpu requests | memory requests | pods | share of the allocatable it can land on (cpu / memory) |',
    '|---|---|---|---|---|---|',
    ...[...cluster.tenantSpecs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(tenant => {
      const pools = tenant.nodePool ? layer.pools.filter(p => p.name === tenant.nodePool) : shared;
      const totals = totalsOf(tenant.nodePool ?? '', pools);
      const share = (resource: 'cpu' | 'memory', request: string) => percent(Quantity.parse(request), totals[resource]);
      const { cpu, memory } = tenant.quota.requests;
      return `| ${tenant.name} | ${tenant.nodePool ?? `shared (${pools.map(p => p.name).join(', ')})`} | ${cpu} | ${memory} | ${tenant.quota.pods} | `
        + `${share('cpu', cpu)} / ${share('memory', memory)} |`;
    }),
    '',
    '## Alert rules',
    '',
    '| group | alert | severity | for | fires when |',
    '|---|---|---|---|---|',
    ...cluster.alertGroups.flatMap(group => group.rules.map(rule =>
      `| ${group.name} | ${rule.alert}${rule.labels?.pool ? ` (${rule.labels.pool})` : ''} | ${rule.severity} | ${rule.for} | \`${rule.expr.replace(/\|/g, '\\|')}\` |`)),
    '',
  ];
  return lines.join('\n');
}

function poolRow(pool: NodePool): string {
  const { sku, kubelet } = pool;
  const a = pool.allocatable!;
  const reserved = (r: { cpu: string; memory: string }) => `${r.cpu} / ${r.memory}`;
  const taints = pool.taints.map(t => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`).join(', ') || 'none';
  return `| ${pool.name} | ${pool.hosts.length} | ${sku.cpu} / ${sku.memory} / ${kubelet.maxPods} | ${reserved(kubelet.kubeReserved)} | `
    + `${reserved(kubelet.systemReserved)} | ${kubelet.evictionHard['memory.available']} / ${kubelet.evictionHard['nodefs.available']} | `
    + `${a.cpu} / ${a.memory} / ${a.pods}${Object.entries(a.extended).map(([name, q]) => ` / ${q} ${name}`).join('')} | ${taints} |`;
}

function total(pools: readonly NodePool[], resource: 'cpu' | 'memory'): Quantity {
  return pools.reduce((sum, pool) => sum.plus(pool.allocatable![resource].times(pool.hosts.length)), Quantity.of(0));
}

/** `part` as a percentage of `whole`, one decimal, rounded down. */
function percent(part: Quantity, whole: Quantity): string {
  if (whole.nanos === 0n) return 'n/a';
  const tenths = part.nanos * 1000n / whole.nanos;
  return `${tenths / 10n}.${tenths % 10n}%`;
}

/** What a prerequisite must hold: a Secret's keys and a class's annotation as code, anything else in words. */
function holdings(item: Prerequisite): string {
  if (item.holds.length === 0) return '-';
  return item.kind === 'Secret' || item.kind === 'StorageClass' ? item.holds.map(key => `\`${key}\``).join(', ') : item.holds.join(', ');
}
