import {
  ChartValues, HelmAddon, isPlainObject, Prerequisite, ProductionCluster, Quantity, requireValid, TenantSpec, Versions, warningsOf,
} from '../constructs';
import { AlertRule } from '../constructs/monitoring/alert-rules';
import { drainHeadroom } from '../constructs/nodes/capacity';
import { NodePool } from '../constructs/nodes/node-pool';

/** The longest line of a generated file, so that a reviewer reads it without scrolling. */
export const MAX_LINE_LENGTH = 120;

/** Where the exact alert rules are, beside the summary: a Prometheus rule file. */
export const ALERT_RULES_FILE = 'alert-rules.yaml';

/** What serves the API endpoint, in the summary's words. */
const ENDPOINT_PROVIDERS = {
  'kube-vip': ', a virtual IP that kube-vip holds on the control plane nodes',
  'external': ', an external load balancer or name (a prerequisite, to exist before `kubeadm init`)',
  'node': ', the first control plane node',
} as const;

/** The values of a chart a reviewer weighs, by the last key of their path. */
const KEY_SETTINGS = new Set(['replicas', 'replicaCount', 'retention', 'retentionSize', 'retention_period', 'size', 'storageClass', 'storageClassName', 'resources', 'priorityClassName']);

/**
 * `SUMMARY.md` of one environment: what a reviewer asks of a pull request,
 * in words and narrow tables. Versions and installers; warnings; each add-on
 * with its real chart reference and the settings that matter; each pool's
 * capacity, reservations, eviction and allocatable, and the shared pools'
 * totals; each tenant's Pod Security level, admins, every quota with its
 * share of what the tenant can land on, PriorityClass budgets, limits,
 * routes and egress; the prerequisites; the alerts in words (their exact
 * rules are `alert-rules.yaml`). Deterministic, and no line longer than
 * `MAX_LINE_LENGTH`. An invalid cluster is refused with its problems (a
 * `SynthError`). `warnings` are its warnings as `warningsOf` gives them, for
 * a caller that has already walked its tree for them (a synth).
 */
export function environmentSummary(cluster: ProductionCluster, warnings: readonly string[] = warningsOf(cluster)): string {
  requireValid(cluster);
  const spec = cluster.spec;
  const layer = cluster.nodeLayer;
  const endpoint = layer.controlPlane.endpoint;
  const gitops = spec.gitops?.engine === 'argocd' ? 'Argo CD' : 'Flux';
  const tenants = [...cluster.tenantSpecs].sort((a, b) => compareText(a.name, b.name));
  const sharedPools = layer.pools.filter(pool => pool.isShared);
  const landings = new Landings(cluster);
  const pools = [layer.controlPlane.nodes, ...layer.pools];
  const lines = [
    `# ${spec.name}`,
    '',
    `Kubernetes ${spec.kubernetesVersion} with ${layer.cni.plugin} and kube-proxy in ${layer.kubeProxy.mode} mode; `
      + `pods ${layer.podCidr}, services ${layer.serviceCidr}.`,
    '',
    `- **Control plane**: ${count(layer.controlPlane.nodes.hosts.length, 'node')}; API endpoint `
      + `${endpoint.address}:${endpoint.port}${ENDPOINT_PROVIDERS[endpoint.provider]}; etcd `
      + `${layer.controlPlane.stackedEtcd ? 'stacked on them' : `on ${count(layer.controlPlane.etcdHosts.length, 'dedicated node')}`}.`,
    `- **Nodes**: ${installers(cluster)}.`,
    `- **Add-ons**: Terraform (\`terraform/\`) or ${gitops} (\`manifests/\`).`,
    cluster.operations
      ? `- **On call**: ${(spec.operations?.onCallGroups ?? []).map(g => `\`${g}\``).join(', ')} debug any pod and node from namespace `
        + `\`${cluster.operations.namespace}\`, with the toolbox \`${cluster.operations.toolboxImage}\`.`
      : '- **On call**: no operations access in the model (`operations`).',
    '',
    '## Warnings',
    '',
    ...list(warnings.map(warning => warning.replace(/^\[[^\]]*\] /, '')), 'None.'),
    '',
    '## Add-ons',
    '',
    'In install order, each after those it names.',
    ...cluster.addons.flatMap(addonSection),
    '',
    '## Node pools',
    '',
    'Allocatable per node = capacity − kube-reserved − system-reserved − hard eviction threshold.',
    '',
    'Resources are cpu / memory / pods, then extended resources.',
    '',
    '| pool | nodes | capacity per node | kube-reserved | system-reserved | hard eviction (memory / nodefs) |',
    '|---|---|---|---|---|---|',
    ...pools.map(pool => {
      const { sku, kubelet } = pool;
      return `| ${pool.name} | ${pool.hosts.length} | ${[sku.cpu, sku.memory, String(kubelet.maxPods), ...extendedCapacity(pool)].join(' / ')} | `
        + `${reserved(kubelet.kubeReserved)} | ${reserved(kubelet.systemReserved)} | `
        + `${kubelet.evictionHard['memory.available']} / ${kubelet.evictionHard['nodefs.available']} |`;
    }),
    '',
    '| pool | allocatable per node | allocatable in all |',
    '|---|---|---|',
    ...pools.map(pool => `| ${pool.name} | ${resources(poolTotals([pool], 1))} | ${resources(poolTotals([pool]))} |`),
    '',
    '| pool | taints |',
    '|---|---|',
    ...pools.map(pool => `| ${pool.name} | ${pool.taints.map(t => `\`${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}\``).join(', ') || 'none'} |`),
    '',
    ...drainSection(cluster),
    sharedPools.length === 0 ? 'No shared pool: every tenant runs on a pool of its own.'
      : `Shared by the tenants without a pool of their own (${sharedPools.map(p => p.name).join(', ')}): `
        + `${resources(poolTotals(sharedPools))} allocatable in all.`,
    '',
    '## Tenants',
    ...tenants.length === 0 ? ['', 'None.'] : tenants.flatMap(tenant => tenantSection(tenant, landings)),
    '',
    '## Prerequisites',
    '',
    'What the model refers to but does not create: it must exist before what uses it.',
    '',
    ...list(cluster.prerequisites.map(prerequisite), 'None: the model provides everything it refers to.'),
    '',
    '## Alerts',
    '',
    `What fires each alert, in words; the exact rules are \`${ALERT_RULES_FILE}\`, a Prometheus rule file.`,
    '',
    '| alert | severity | for | fires when |',
    '|---|---|---|---|',
    ...cluster.alertGroups.flatMap(group => group.rules.map(rule =>
      `| ${rule.alert}${rule.labels?.pool ? ` (${rule.labels.pool})` : ''} | ${rule.severity} | ${rule.for} | ${inWords(rule)} |`)),
    '',
  ];
  return wrapMarkdownLines(lines).join('\n');
}

/**
 * Each pool's headroom for a drain: what the tenants that can land on it may
 * request, as a share of what stays with one of its nodes drained (synth
 * refuses a model where any share passes 100%).
 */
function drainSection(cluster: ProductionCluster): string[] {
  const capacity = cluster.capacity;
  if (capacity === undefined) return [];
  const rows = drainHeadroom(capacity.supplies, capacity.demands).filter(row => Object.keys(row.shares).length > 0);
  if (rows.length === 0) return [];
  return [
    'With one node of a pool drained, the quotas of the tenants that can land on it ask for this share of what stays:',
    '',
    '| pool drained | requests of what stays |',
    '|---|---|',
    ...rows.map(row => `| ${row.pool} | ${Object.entries(row.shares)
      .map(([resource, { requested, available }]) => `${resource} ${percent(requested, available)}`).join(', ')} |`),
    '',
  ];
}

/** Which installers the node layer is written for. */
function installers(cluster: ProductionCluster): string {
  const { kubeadm, kubespray } = cluster.outputs;
  const kubesprayText = `Kubespray at ${Versions.kubespray.commit.slice(0, 8)} (\`kubespray/inventory/\`)`;
  if (kubeadm && kubespray) return `kubeadm with a cloud-init bootstrap per node (\`node/\`), or ${kubesprayText}`;
  return kubeadm ? 'kubeadm with a cloud-init bootstrap per node (`node/`)' : kubesprayText;
}

/** An add-on: its chart as Helm finds it, its namespace, what it waits for, and the settings that matter. */
function addonSection(addon: HelmAddon): string[] {
  const { repository, name, version } = addon.chart;
  const chart = repository.startsWith('oci://')
    ? `\`${repository.replace(/\/$/, '')}/${name}\` ${version}`
    : `\`${name}\` ${version} from ${repository}`;
  const after = addon.dependsOn.length === 0 ? '' : `, after ${addon.dependsOn.map(d => d.releaseName).join(', ')}`;
  return [
    '',
    `### ${addon.releaseName}`,
    '',
    `Chart ${chart}, into \`${addon.namespace}\`${after}.`,
    ...keySettings(addon.values).map(([path, value]) => `- \`${path}\`: ${value}`),
  ];
}

/** The settings a reviewer weighs (replicas, retention, storage, resources, priority), by path. */
export function keySettings(values: ChartValues, prefix = ''): [string, string][] {
  return Object.keys(values).sort(compareText).flatMap(key => {
    const value = values[key];
    const path = `${prefix}${key}`;
    if (KEY_SETTINGS.has(key) && key === 'resources' && isPlainObject(value)) {
      const text = resourceText(value);
      return text === '' ? [] : [[path, text] as [string, string]];
    }
    if (KEY_SETTINGS.has(key) && (typeof value === 'string' || typeof value === 'number')) return [[path, String(value)] as [string, string]];
    return isPlainObject(value) ? keySettings(value, `${path}.`) : [];
  });
}

/** A `resources` value in words: requests, then limits, each resource by name. */
function resourceText(value: ChartValues): string {
  return ['requests', 'limits'].flatMap(kind => {
    const entries = isPlainObject(value[kind]) ? Object.entries(value[kind] as ChartValues).sort(([a], [b]) => compareText(a, b)) : [];
    return entries.length === 0 ? [] : [`${kind} ${entries.map(([resource, q]) => `${resource} ${String(q)}`).join(', ')}`];
  }).join('; ');
}

/** The pools a tenant can land on: its own, or the shared ones. */
function landingPools(cluster: ProductionCluster, tenant: Pick<TenantSpec, 'nodePool'>): NodePool[] {
  const pools = cluster.nodeLayer.pools;
  return tenant.nodePool ? pools.filter(p => p.name === tenant.nodePool) : pools.filter(p => p.isShared);
}

/** The pools each tenant can land on and their totals, computed once per pool (most tenants share the same pools). */
class Landings {
  private readonly found = new Map<string, { pools: NodePool[]; totals: Record<string, Quantity> }>();

  constructor(private readonly cluster: ProductionCluster) {}

  public of(tenant: Pick<TenantSpec, 'nodePool'>): { pools: NodePool[]; totals: Record<string, Quantity> } {
    const key = tenant.nodePool ?? '';
    let landing = this.found.get(key);
    if (landing === undefined) {
      const pools = landingPools(this.cluster, tenant);
      landing = { pools, totals: poolTotals(pools) };
      this.found.set(key, landing);
    }
    return landing;
  }
}

/** The allocatable a tenant's quota is measured against, by resource name (cpu, memory, pods, extended), or none for an unknown tenant. */
export function landingAllocatable(cluster: ProductionCluster, tenantName: string): Record<string, Quantity> | undefined {
  const tenant = cluster.tenantSpecs.find(t => t.name === tenantName);
  return tenant === undefined ? undefined : poolTotals(landingPools(cluster, tenant));
}

/** A pool's allocatable per node, as the summary writes it, or none for an unknown pool. */
export function poolAllocatable(cluster: ProductionCluster, poolName: string): string | undefined {
  const pool = [cluster.controlPlane.nodes, ...cluster.nodePools].find(p => p.name === poolName);
  return pool === undefined ? undefined : resources(poolTotals([pool], 1));
}

/** A tenant: where it runs, who administers it, every quota against what it can land on, budgets, limits, routes, egress. */
function tenantSection(tenant: TenantSpec, landings: Landings): string[] {
  const { pools, totals } = landings.of(tenant);
  const share = (name: string, hard: string) => {
    const whole = totals[name];
    return whole === undefined ? '' : percent(Quantity.parse(hard), whole);
  };
  const { quota } = tenant;
  const admins = [...(tenant.admins.groups ?? []).map(g => `group \`${g}\``), ...(tenant.admins.users ?? []).map(u => `user \`${u}\``)];
  const quotas: [string, string, string][] = [
    ['requests.cpu', quota.requests.cpu, share('cpu', quota.requests.cpu)],
    ['requests.memory', quota.requests.memory, share('memory', quota.requests.memory)],
    ...quota.limits?.cpu === undefined ? [] : [['limits.cpu', quota.limits.cpu, share('cpu', quota.limits.cpu)] as [string, string, string]],
    ...quota.limits?.memory === undefined ? [] : [['limits.memory', quota.limits.memory, share('memory', quota.limits.memory)] as [string, string, string]],
    ['pods', String(quota.pods), share('pods', String(quota.pods))],
    ...Object.entries(quota.extendedResources ?? {}).sort(([a], [b]) => compareText(a, b))
      .map(([name, hard]) => [`requests.${name}`, hard, share(name, hard)] as [string, string, string]),
    ['services (NodePort, LoadBalancer)', `${quota.services ?? 10} (${quota.nodePortServices ?? 0}, ${quota.loadBalancerServices ?? 0})`, ''],
    ['persistentvolumeclaims', String(quota.persistentVolumeClaims ?? 0), ''],
    ['requests.storage', quota.storage ?? '0', ''],
    ...Object.entries(quota.storageClasses ?? {}).sort(([a], [b]) => compareText(a, b)).map(([name, budget]) =>
      [`requests.storage of class ${name}`, `${budget.storage}${budget.persistentVolumeClaims === undefined ? '' : ` (${budget.persistentVolumeClaims} claims)`}`, ''] as [string, string, string]),
  ];
  const routes = tenant.routes ?? [];
  const egress = tenant.egress ?? [];
  const limits = tenant.limits;
  return [
    '',
    `### ${tenant.name}`,
    '',
    `Pod Security ${podSecurityText(tenant)}; runs on ${tenant.nodePool ? `its own pool, ${tenant.nodePool}` : `the shared pools (${pools.map(p => p.name).join(', ')})`}; `
      + `admins: ${admins.join(', ') || 'none'}.`,
    '',
    '| quota | hard | share of what it can land on |',
    '|---|---|---|',
    ...quotas.map(([name, hard, part]) => `| ${name} | ${hard} | ${part || '-'} |`),
    '',
    ...list((tenant.priorityQuotas ?? []).map(budget => `PriorityClass \`${budget.priorityClass}\`: requests ${budget.requests.cpu} cpu, `
      + `${budget.requests.memory} memory${budget.limits?.cpu ? `, limits ${budget.limits.cpu} cpu` : ''}`
      + `${budget.limits?.memory ? `${budget.limits?.cpu ? ',' : ', limits'} ${budget.limits.memory} memory` : ''}, ${budget.pods} pods`),
    '- PriorityClasses: the cluster\'s default only.'),
    ...limits ? [`- Container limits: ${[
      limits.defaultRequest ? `default request ${computeText(limits.defaultRequest)}` : '',
      limits.defaultLimit ? `default limit ${computeText(limits.defaultLimit)}` : '',
      limits.max ? `at most ${computeText(limits.max)}` : '',
    ].filter(text => text !== '').join('; ')}.`] : [],
    ...list(routes.map(route => `Route ${route.tls ? 'https' : 'http'}://${route.host}${route.pathPrefix ?? '/'} → service `
      + `${route.service}:${route.port}${route.pathPrefix && route.pathPrefix !== '/' ? (route.stripPrefix ? ', prefix stripped' : ', prefix kept') : ''}`
      + `${route.tls ? `, certificate from Secret ${route.tls.secretName}` : ''}`), '- Routes: none.'),
    ...list(egress.map(rule => `Egress to ${rule.cidr}${rule.ports?.length ? ` on ${rule.ports.map(p => `${p.protocol ?? 'TCP'} ${p.port}`).join(', ')}` : ', every port'}`),
      '- Egress: cluster DNS only.'),
  ];
}

/** The Pod Security levels: enforced, and audited and warned of where they differ. */
function podSecurityText(tenant: TenantSpec): string {
  const { enforce = 'restricted', audit = 'restricted', warn = 'restricted' } = tenant.podSecurity ?? {};
  const others = audit === enforce && warn === enforce ? '' : ` (audited \`${audit}\`, warned \`${warn}\`)`;
  return `\`${enforce}\` enforced${others}`;
}

function computeText(resources: { cpu?: string; memory?: string }): string {
  return [resources.cpu ? `${resources.cpu} cpu` : '', resources.memory ? `${resources.memory} memory` : ''].filter(t => t !== '').join(', ');
}

/** A prerequisite as a list item: what, where, what it must hold, for whom. */
function prerequisite(item: Prerequisite): string {
  const where = item.namespace ? ` in namespace \`${item.namespace}\`` : '';
  const holds = item.holds.length === 0 ? ''
    : item.kind === 'Secret' ? `, with keys ${item.holds.map(key => `\`${key}\``).join(', ')}`
      : item.kind === 'StorageClass' ? `, annotated ${item.holds.map(key => `\`${key}\``).join(', ')}`
        : `: ${item.holds.join(', ')}`;
  return `${item.kind} \`${item.name}\`${where}${holds} (for ${item.usedBy})`;
}

/** What fires an alert, from its summary: label references read as the label's name. */
function inWords(rule: AlertRule): string {
  return rule.summary.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, '<$1>').replace(/\{\{[^}]*\}\}/g, '<value>').replace(/\|/g, '\\|');
}

/** The allocatable of these pools, by resource name, in all (or per node, with `nodes`). */
function poolTotals(pools: readonly NodePool[], nodes?: number): Record<string, Quantity> {
  const totals: Record<string, Quantity> = {};
  for (const pool of pools) {
    const a = pool.allocatable!;
    const times = nodes ?? pool.hosts.length;
    for (const [name, quantity] of [['cpu', a.cpu], ['memory', a.memory], ['pods', a.pods], ...Object.entries(a.extended)] as [string, Quantity][]) {
      totals[name] = (totals[name] ?? Quantity.of(0)).plus(quantity.times(times));
    }
  }
  return totals;
}

/** Totals as `cpu / memory / pods / extended`, in the units a reviewer reads. */
function resources(totals: Record<string, Quantity>): string {
  const { cpu, memory, pods, ...extended } = totals;
  return [`${cpu}`, `${memory}`, `${pods}`, ...Object.keys(extended).sort(compareText).map(name => `${extended[name]} ${name}`)].join(' / ');
}

function extendedCapacity(pool: NodePool): string[] {
  return Object.entries(pool.sku.extendedResources ?? {}).sort(([a], [b]) => compareText(a, b)).map(([name, q]) => `${q} ${name}`);
}

function reserved(r: { cpu: string; memory: string }): string {
  return `${r.cpu} / ${r.memory}`;
}

/** `part` as a percentage of `whole`, one decimal, rounded down. */
export function percent(part: Quantity, whole: Quantity): string {
  if (whole.nanos === 0n) return 'n/a';
  const tenths = part.nanos * 1000n / whole.nanos;
  return `${tenths / 10n}.${tenths % 10n}% of ${whole}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Items as a Markdown list, or a sentence when there are none. */
function list(items: readonly string[], none: string): string[] {
  return items.length === 0 ? [none] : items.map(item => `- ${item}`);
}

/**
 * A Markdown line as lines of at most `MAX_LINE_LENGTH`: prose and list
 * items word-wrapped (a list item's lines indented under its text), tables
 * and headings as they are.
 */
export function wrapMarkdown(line: string): string[] {
  if (line.length <= MAX_LINE_LENGTH || line.startsWith('|') || line.startsWith('#')) return [line];
  const marker = /^(\s*)(- |\d+\. )?/.exec(line)!;
  const start = marker[0].length;
  const indent = ' '.repeat(start);
  const lines: string[] = [];
  for (const word of line.slice(start).split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= MAX_LINE_LENGTH) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(lines.length === 0 ? `${line.slice(0, start)}${word}` : `${indent}${word}`);
  }
  return lines;
}

/** A Markdown document's lines wrapped as `wrapMarkdown` does, fenced code left as it is. */
export function wrapMarkdownLines(lines: readonly string[]): string[] {
  let fenced = false;
  return lines.flatMap(line => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    return fenced || line.trimStart().startsWith('```') ? [line] : wrapMarkdown(line);
  });
}

/** Code-unit order, the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
