import { loadAll } from 'js-yaml';
import * as semver from 'semver';
import { ClusterSpec, etcdImage, ProductionCluster, SynthError, Versions } from '../constructs';
import chartKubeVersions from '../constructs/addons/chart-kube-versions.json';
import { kubeadmApiVersion } from '../constructs/nodes/kubeadm-config';
import { OutputFile } from '../synth/output-folder';
import { renderModel } from '../synth/synthesize';
import kubesprayReleases from './kubespray-releases.json';
import removedApis from './removed-apis.json';

/** One check of an upgrade path: what was checked, and why it fails, if it does. */
export interface UpgradeCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The plan as Markdown: the checks, each passed or failed with its reason, then the runbook. */
export function planMarkdown(plan: UpgradePlan): string {
  const failed = plan.checks.filter(check => !check.ok).length;
  return [
    `## Upgrade checks: ${plan.environment} ${plan.from} → ${plan.to}`,
    '',
    ...plan.checks.map(check => `- ${check.ok ? 'ok' : '**fails**'}: ${check.check}: ${check.detail}`),
    '',
    failed > 0 ? `${failed} check${failed === 1 ? '' : 's'} failed: no runbook for this path.` : plan.runbook,
    '',
  ].join('\n');
}

/** An upgrade plan: every check, and the runbook when all pass. */
export interface UpgradePlan {
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  readonly checks: readonly UpgradeCheck[];
  /** Markdown, ordered; empty when a check fails. */
  readonly runbook: string;
}

/** The model at the target version, rendered as a synth renders it, or its problems. */
export function targetModelOf(spec: ClusterSpec): TargetModel {
  try {
    const { rendering, clusters } = renderModel([spec]);
    return { problems: [], cluster: clusters[0], files: rendering.files };
  } catch (error) {
    if (error instanceof SynthError) return { problems: error.problems, files: [] };
    throw error;
  }
}

/** What the plan needs of the model at the target version: its problems, its cluster, its files. */
export interface TargetModel {
  readonly problems: readonly string[];
  readonly cluster?: ProductionCluster;
  readonly files: readonly OutputFile[];
}

/** The tables the checks read: the charts' kubeVersion constraints, and the API versions Kubernetes removed. */
export interface UpgradeData {
  /** By `<chart>-<version>`; `""` admits every version; a chart left out is not recorded. */
  readonly chartKubeVersions: Readonly<Record<string, string>>;
  readonly removedApis: readonly { readonly in: string; readonly apiVersion: string; readonly kinds: readonly string[] }[];
  /** The Kubernetes versions each Kubespray release installs, by tag. */
  readonly kubesprayReleases: Readonly<Record<string, readonly string[]>>;
}

/** The recorded tables: `constructs/addons/chart-kube-versions.json` and `review/removed-apis.json`. */
export const UPGRADE_DATA: UpgradeData = {
  chartKubeVersions: chartKubeVersions.charts, removedApis: removedApis.removed, kubesprayReleases: kubesprayReleases.releases,
};

const minorOf = (version: string) => `${semver.major(version)}.${semver.minor(version)}`;

/**
 * The checks of upgrading `current` to Kubernetes `to`, and, when they all
 * pass, the runbook: one minor at a time, never down; the model valid at the
 * target (a supported minor, the Kubespray pin's checksums, every other rule);
 * every pinned chart's `kubeVersion` admitting both versions; no rendered
 * object of an API version the target no longer serves; the kubeadm
 * configuration API and the etcd version the target takes; the Pod Security
 * version labels that move with it.
 */
export function upgradePlan(current: ClusterSpec, currentCluster: ProductionCluster, to: string,
  target: (spec: ClusterSpec) => TargetModel = targetModelOf, data: UpgradeData = UPGRADE_DATA): UpgradePlan {
  const from = current.kubernetesVersion;
  const plan = (checks: UpgradeCheck[], runbook = ''): UpgradePlan => ({ environment: current.name, from, to, checks, runbook });
  const exact = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(to);
  if (!exact) return plan([{ check: 'version', ok: false, detail: `--to ${JSON.stringify(to)}: must be an exact version such as 1.36.4` }]);
  const step = semver.minor(to) - semver.minor(from);
  const versionCheck: UpgradeCheck = semver.major(to) !== semver.major(from) ? { check: 'version', ok: false, detail: `${from} → ${to}: a major version change is no upgrade prodk8s plans` }
    : semver.lte(to, from) ? { check: 'version', ok: false, detail: `${from} → ${to}: ${semver.eq(to, from) ? 'already there' : 'a downgrade; Kubernetes does not support going back (restore an etcd snapshot instead)'}` }
      : step > 1 ? { check: 'version', ok: false, detail: `${from} → ${to}: skips ${step - 1} minor version${step > 2 ? 's' : ''}; upgrade one minor at a time (${minorOf(from)} → ${semver.major(from)}.${semver.minor(from) + 1})` }
        : { check: 'version', ok: true, detail: `${from} → ${to}: ${step === 1 ? 'one minor' : 'a patch release'}` };
  if (!versionCheck.ok) return plan([versionCheck]);

  const targetModel = target({ ...current, kubernetesVersion: to });
  const checks: UpgradeCheck[] = [
    versionCheck,
    targetModel.problems.length === 0
      ? { check: 'model', ok: true, detail: `the model is valid at ${to} (supported minor, Kubespray's checksums, every rule)` }
      : { check: 'model', ok: false, detail: `the model is not valid at ${to}: ${targetModel.problems.join('; ')}` },
    ...currentCluster.outputs.kubespray ? [kubesprayCheck(to, data.kubesprayReleases)] : [],
    ...chartChecks(currentCluster, from, to, data.chartKubeVersions),
    apiCheck(targetModel.files, to, data.removedApis),
  ];
  if (checks.some(check => !check.ok) || targetModel.cluster === undefined) return plan(checks);
  return plan(checks, runbook(current, currentCluster, targetModel.cluster, to));
}

/** Whether the pinned Kubespray installs the target; if not, the newest recorded release that does, if any. */
function kubesprayCheck(to: string, releases: UpgradeData['kubesprayReleases']): UpgradeCheck {
  const pin = `the pinned Kubespray (${Versions.kubespray.commit.slice(0, 8)})`;
  if ((Versions.kubespray.kubernetes as readonly string[]).includes(to)) return { check: 'kubespray', ok: true, detail: `${pin} installs ${to}` };
  const tags = Object.keys(releases).filter(tag => releases[tag].includes(to)).sort((a, b) => semver.rcompare(semver.coerce(a)!, semver.coerce(b)!));
  return {
    check: 'kubespray', ok: false,
    detail: `${pin} has no checksums for ${to}; ${tags.length > 0 ? `Kubespray ${tags[0]} has: pin it (Versions.kubespray), or` : 'no recorded Kubespray release has either:'} `
      + 'set outputs.kubespray to false for the kubeadm path alone',
  };
}

/** Each pinned chart's `kubeVersion` against both versions; a chart whose constraint is not recorded is said so, not failed. */
function chartChecks(cluster: ProductionCluster, from: string, to: string, constraints: UpgradeData['chartKubeVersions']): UpgradeCheck[] {
  return [...new Set(cluster.addons.map(addon => `${addon.chart.name}-${addon.chart.version}`))].sort().map(chart => {
    const constraint = constraints[chart];
    if (constraint === undefined) return { check: `chart ${chart}`, ok: true, detail: 'its kubeVersion is not recorded (the chart is not in the cache): check its notes' };
    if (constraint === '') return { check: `chart ${chart}`, ok: true, detail: 'no kubeVersion constraint' };
    const admits = (version: string) => semver.satisfies(version, constraint, { includePrerelease: true });
    const refused = [from, to].filter(version => !admits(version));
    return refused.length === 0
      ? { check: `chart ${chart}`, ok: true, detail: `kubeVersion ${constraint} admits ${from} and ${to}` }
      : { check: `chart ${chart}`, ok: false, detail: `kubeVersion ${constraint} refuses ${refused.join(' and ')}: pin a chart version that admits both` };
  });
}

/** The rendered objects of an API version the target no longer serves. */
function apiCheck(files: readonly OutputFile[], to: string, removedApis: UpgradeData['removedApis']): UpgradeCheck {
  const removed = removedApis.filter(entry => semver.lte(`${entry.in}.0`, `${minorOf(to)}.0`));
  const found = new Set<string>();
  for (const file of files.filter(f => /\/manifests\/.*\.yaml$/.test(f.path))) {
    for (const object of loadAll(file.content) as { apiVersion?: string; kind?: string; metadata?: { name?: string } }[]) {
      const gone = removed.find(entry => entry.apiVersion === object?.apiVersion && (entry.kinds.includes('*') || entry.kinds.includes(String(object?.kind))));
      if (gone) found.add(`${object.kind} ${object.metadata?.name} (${object.apiVersion}, removed in ${gone.in})`);
    }
  }
  return found.size === 0
    ? { check: 'APIs', ok: true, detail: `no rendered object uses an API version ${to} no longer serves` }
    : { check: 'APIs', ok: false, detail: `${[...found].sort().join(', ')}: move them to a served API version first` };
}

function runbook(current: ClusterSpec, cluster: ProductionCluster, next: ProductionCluster, to: string): string {
  const from = current.kubernetesVersion;
  const controlPlane = cluster.controlPlane.nodes.hosts;
  const stacked = cluster.controlPlane.stackedEtcd;
  const pools = cluster.nodePools;
  const fromApi = kubeadmApiVersion(from);
  const toApi = kubeadmApiVersion(to);
  const etcdFrom = etcdImage(from).split(':')[1];
  const etcdTo = etcdImage(to).split(':')[1];
  const labelled = cluster.tenantSpecs.map(t => t.name);
  const minorChange = minorOf(from) !== minorOf(to);
  const addons = next.addons.map(addon => addon.releaseName);
  const lines = [
    `# Upgrade ${current.name}: Kubernetes ${from} → ${to}`,
    '',
    `Control plane first, then the kubelets pool by pool (a kubelet may be up to three minors behind the API server;`,
    'kube-proxy moves with its kubelet), then the add-ons. Each stage can be rolled back as its section says.',
    '',
    '## 0. Before',
    '',
    `1. In the environment's spec, set \`kubernetesVersion: '${to}'\`; synthesize, and review the pull request with`,
    '   `prodk8s diff` (the node files, Kubespray\'s variables and the Pod Security labels change).',
    ...current.backups?.etcd
      ? ['2. Take an etcd backup now and wait for it: `kubectl -n kube-system create job --from=cronjob/etcd-backup etcd-backup-before-upgrade`.']
      : ['2. Take an etcd snapshot now (`etcdctl snapshot save`): this environment has no scheduled backup.'],
    `3. The etcd ${stacked ? 'kubeadm runs as a static pod is upgraded with the control plane' : 'members are dedicated hosts'}: ${etcdFrom} → ${etcdTo}`
      + `${stacked || etcdFrom === etcdTo ? '.' : `; upgrade each member to ${etcdTo.replace(/-0$/, '')} or newer first, one at a time, quorum kept.`}`,
    ...fromApi === toApi ? [] : [`4. The kubeadm configuration API moves ${fromApi} → ${toApi}: \`kubeadm config migrate\` any file of your own.`],
    '',
    '## 1. Control plane (kubeadm)',
    '',
    `1. On ${controlPlane[0]?.name}: install kubeadm ${to}, then \`kubeadm upgrade plan v${to}\` and \`kubeadm upgrade apply v${to}\``,
    '   (it renews the control plane\'s certificates too).',
    ...controlPlane.slice(1).map((host, i) => `${i + 2}. On ${host.name}: install kubeadm ${to}, then \`kubeadm upgrade node\`.`),
    `${controlPlane.length + 1}. Each control plane node in turn: \`kubectl drain <node> --ignore-daemonsets\`, install kubelet and kubectl ${to},`,
    '   `systemctl daemon-reload && systemctl restart kubelet`, `kubectl uncordon <node>`.',
    '',
    'Rollback: kubeadm cannot downgrade. Reinstall the previous kubeadm, kubelet and kubectl, restore the control plane',
    'from the etcd backup taken before (`etcd-restore.md`) and the previous static pod manifests',
    '(`/etc/kubernetes/tmp/kubeadm-backup-manifests-*`, which kubeadm upgrade keeps).',
    '',
    '## 2. Node pools, one node at a time',
    '',
    'Every tenant\'s quota fits with one node of any pool drained (synth checks it), and every PodDisruptionBudget',
    'lets a drain evict a pod: drain one node at a time and wait for it to be Ready before the next.',
    '',
    ...pools.map((pool, i) => `${i + 1}. Pool ${pool.name} (${pool.hosts.map(h => h.name).join(', ')}): for each node, `
      + `\`kubectl drain <node> --ignore-daemonsets --delete-emptydir-data\`, \`kubeadm upgrade node\`, install kubelet ${to}, `
      + '`systemctl daemon-reload && systemctl restart kubelet`, `kubectl uncordon <node>`.'),
    '',
    `Rollback: on a node, reinstall kubelet ${from} and restart it (a kubelet older than the API server is supported), then uncordon.`,
    '',
    '## 1–2 with Kubespray',
    '',
    `\`ansible-playbook -i inventory/hosts.yaml --become upgrade-cluster.yml -e kube_version=${to} -e serial=1\``,
    `(Kubespray at ${Versions.kubespray.commit.slice(0, 8)}, with the inventory synthesized for ${to}): the control plane first, then`,
    'the nodes one at a time, each drained and uncordoned. Limit it to one pool at a time with `--limit pool_<name>`',
    'after the control plane (`--limit kube_control_plane`).',
    '',
    '## 3. Add-ons',
    '',
    `With the synthesized output for ${to}: \`terraform apply\` in \`terraform/\`, or let the GitOps engine sync \`manifests/\`.`,
    `They install in this order: ${addons.join(', ')}.`,
    '',
    'Rollback: the previous output\'s add-ons (the previous commit), applied the same way.',
    '',
    ...minorChange ? [
      '## Pod Security versions',
      '',
      `The namespaces' \`pod-security.kubernetes.io/*-version\` labels move v${minorOf(from)} → v${minorOf(to)} with the synthesized`,
      `manifests: the rules of ${minorOf(to)} apply from then on (${labelled.length > 0 ? labelled.join(', ') : 'no tenant'}). Review`,
      'the Pod Security warnings of the dry run first: `kubectl label --dry-run=server --overwrite ns <namespace>',
      `pod-security.kubernetes.io/enforce-version=v${minorOf(to)}\`.`,
      '',
    ] : [],
  ];
  return lines.join('\n');
}
