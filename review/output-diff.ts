import { loadAll } from 'js-yaml';
import { Labels, Quantity } from '../constructs';

/** Where a change lands, in the words of a platform review. */
export type ChangeArea =
  | 'environments' | 'tenants' | 'quotas' | 'limits' | 'pod-security' | 'rbac' | 'network' | 'egress'
  | 'nodes' | 'kubelet' | 'kubeadm' | 'kubespray' | 'add-ons' | 'alerts' | 'objects';

/** One change of the cluster between two synths. */
export interface Change {
  readonly area: ChangeArea;
  /** What changed, such as `tenant payments` or `release kube-prometheus-stack`. */
  readonly subject: string;
  /** The field or value path, such as `requests.cpu`; none for a whole subject added or removed. */
  readonly field?: string;
  /** The value before, none where it was absent. */
  readonly before?: string;
  /** The value after, none where it is gone. */
  readonly after?: string;
  /** What it means: a share of the allocatable, a restart, a replacement. */
  readonly note?: string;
  /** Why it weakens isolation or replaces objects, when it does. */
  readonly risk?: string;
}

/** The changes of one environment. */
export interface EnvironmentDiff {
  readonly name: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly changes: readonly Change[];
}

/** What `prodk8s diff` reports. */
export interface DiffReport {
  readonly environments: readonly EnvironmentDiff[];
}

/** What only the current model knows: the allocatable each tenant's quota is measured against, and each pool's. */
export interface HeadFacts {
  landingAllocatable(environment: string, tenant: string): Record<string, Quantity> | undefined;
  poolAllocatable(environment: string, pool: string): string | undefined;
}

/** The output of a synth: file contents by path relative to the output folder (`<env>/…`). */
export type OutputFiles = ReadonlyMap<string, string>;

const NO_FACTS: HeadFacts = { landingAllocatable: () => undefined, poolAllocatable: () => undefined };

/** Pod Security levels from the most to the least permissive. */
const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'];

/** Where the Prometheus stack's values carry the model's alert rules, which the alerts area reports. */
const ALERT_RULE_VALUES = 'additionalPrometheusRulesMap';

/** Kinds the add-on releases are made of in the GitOps manifests: their values are compared in the Terraform values files. */
const ADDON_KINDS = new Set(['HelmRelease', 'HelmRepository', 'OCIRepository', 'Application']);

/**
 * Fields an update cannot change: a change replaces the object (delete and
 * create), which a reviewer must see. By kind, as path prefixes.
 */
const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  StatefulSet: ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates'],
  Job: ['spec.selector', 'spec.template'],
  Service: ['spec.clusterIP', 'spec.clusterIPs'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName'],
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'],
  PriorityClass: ['value', 'preemptionPolicy'],
  RoleBinding: ['roleRef'],
  ClusterRoleBinding: ['roleRef'],
};

/**
 * The changes between two synths of a model, per environment, in the words
 * of a platform review: tenants, quotas and their share of what the tenant can
 * land on, limits, Pod Security, RBAC, NetworkPolicies and egress, node
 * pools and kubelets (a kubelet change restarts the pool's kubelets; a
 * bootstrap change takes a new node), kubeadm and Kubespray settings, add-on
 * charts and values, alert rules. Every change that weakens isolation or
 * replaces an object carries a `risk`.
 */
export function diffOutputs(base: OutputFiles, head: OutputFiles, facts: HeadFacts = NO_FACTS): DiffReport {
  const environments = [...new Set([...environmentsOf(base), ...environmentsOf(head)])].sort(compareText);
  return {
    environments: environments.map(name => {
      const inBase = environmentsOf(base).has(name);
      const inHead = environmentsOf(head).has(name);
      if (!inBase) return { name, status: 'added', changes: [{ area: 'environments', subject: `environment ${name}`, after: 'added' }] };
      if (!inHead) return { name, status: 'removed', changes: [{ area: 'environments', subject: `environment ${name}`, before: 'removed' }] };
      const changes = acrossNamespaces(environmentChanges(name, filesOf(base, name), filesOf(head, name), facts));
      return { name, status: changes.length === 0 ? 'unchanged' : 'changed', changes };
    }),
  };
}

function environmentChanges(env: string, base: OutputFiles, head: OutputFiles, facts: HeadFacts): Change[] {
  return [
    ...manifestChanges(env, objectsOf(base, 'manifests/'), objectsOf(head, 'manifests/'), facts),
    ...nodeChanges(env, base, head, facts),
    ...kubesprayChanges(base, head),
    ...addonChanges(base, head),
    ...alertChanges(base, head),
  ];
}

/**
 * The same change to an object of the same kind and name in several
 * namespaces (each platform namespace's quota) as one change naming them.
 */
function acrossNamespaces(changes: readonly Change[]): Change[] {
  const groups = new Map<string, { change: Change; namespaces: string[] }>();
  const result: (Change | { group: string })[] = [];
  for (const change of changes) {
    const namespaced = /^(\S+) ([^/\s]+)\/(\S+)$/.exec(change.subject);
    if (!namespaced) {
      result.push(change);
      continue;
    }
    const key = JSON.stringify([change.area, namespaced[1], namespaced[3], change.field, change.before, change.after, change.note, change.risk]);
    const group = groups.get(key);
    if (group) group.namespaces.push(namespaced[2]);
    else {
      groups.set(key, { change, namespaces: [namespaced[2]] });
      result.push({ group: key });
    }
  }
  return result.map(item => {
    if (!('group' in item)) return item;
    const { change, namespaces } = groups.get(item.group)!;
    if (namespaces.length === 1) return change;
    const [, kind, , name] = /^(\S+) ([^/\s]+)\/(\S+)$/.exec(change.subject)!;
    return { ...change, subject: `${kind} ${name} in ${namespaces.join(', ')}` };
  });
}

// ---------------------------------------------------------------- manifests

type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [field: string]: any };

function manifestChanges(env: string, base: Map<string, KubeObject>, head: Map<string, KubeObject>, facts: HeadFacts): Change[] {
  const changes: Change[] = [];
  // Objects of a namespace added or removed go with it: the namespace is the change.
  const namespaces = (objects: Map<string, KubeObject>) => new Set([...objects.values()].filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
  const [old, now] = [namespaces(base), namespaces(head)];
  const comesOrGoes = new Set([...old, ...now].filter(name => old.has(name) !== now.has(name)));
  for (const [, before, after] of pairs(base, head)) {
    const object = (after ?? before)!;
    const namespace = object.metadata.namespace;
    if (ADDON_KINDS.has(object.kind) || (namespace !== undefined && comesOrGoes.has(namespace))) continue;
    if (object.kind === 'Namespace' && object.metadata.labels?.[Labels.TENANT] !== undefined) {
      if (!before) changes.push({ area: 'tenants', subject: `tenant ${object.metadata.name}`, after: 'added' });
      else if (!after) changes.push({ area: 'tenants', subject: `tenant ${object.metadata.name}`, before: 'removed', note: 'its namespace and everything in it are deleted' });
      else changes.push(...podSecurityChanges(before, after));
      continue;
    }
    switch (object.kind) {
      case 'Namespace': changes.push(...(before && after ? podSecurityChanges(before, after) : [wholeObject(before, after)])); break;
      case 'ResourceQuota': changes.push(...quotaChanges(env, before, after, facts)); break;
      case 'LimitRange': changes.push(...fieldChanges('limits', subjectOf(object), before, after)); break;
      case 'Role': case 'ClusterRole': changes.push(...roleChanges(before, after)); break;
      case 'RoleBinding': case 'ClusterRoleBinding': changes.push(...bindingChanges(before, after)); break;
      case 'NetworkPolicy': changes.push(...networkPolicyChanges(before, after, head)); break;
      default: changes.push(...(before && after ? objectFieldChanges(before, after) : [wholeObject(before, after)]));
    }
  }
  return changes;
}

function podSecurityChanges(before: KubeObject, after: KubeObject): Change[] {
  const prefix = 'pod-security.kubernetes.io/';
  const keys = [...new Set([...Object.keys(before.metadata.labels ?? {}), ...Object.keys(after.metadata.labels ?? {})])]
    .filter(key => key.startsWith(prefix)).sort(compareText);
  return keys.flatMap(key => {
    const old = before.metadata.labels?.[key];
    const now = after.metadata.labels?.[key];
    if (old === now) return [];
    const mode = key.slice(prefix.length);
    const weaker = mode === 'enforce' && POD_SECURITY_LEVELS.indexOf(now ?? 'privileged') < POD_SECURITY_LEVELS.indexOf(old ?? 'privileged');
    return [{
      area: 'pod-security' as const, subject: `namespace ${after.metadata.name}`, field: mode, before: old, after: now,
      ...weaker ? { risk: `weakens isolation: pods the \`${old}\` level refused are admitted` } : {},
    }];
  });
}

function quotaChanges(env: string, before: KubeObject | undefined, after: KubeObject | undefined, facts: HeadFacts): Change[] {
  const object = (after ?? before)!;
  const subject = subjectOf(object);
  if (!before || !after) {
    return [{ ...wholeObject(before, after), area: 'quotas', ...!after ? { risk: 'weakens isolation: what it bounded is no longer bounded' } : {} }];
  }
  const allocatable = facts.landingAllocatable(env, object.metadata.namespace!);
  const hard = (o: KubeObject) => (o.spec?.hard ?? {}) as Record<string, string>;
  const keys = [...new Set([...Object.keys(hard(before)), ...Object.keys(hard(after))])].sort(compareText);
  const changes: Change[] = keys.filter(key => hard(before)[key] !== hard(after)[key]).map(key => {
    const whole = allocatable?.[key.replace(/^(requests|limits)\./, '')];
    const share = (value: string | undefined) => (whole === undefined || value === undefined || !Quantity.isValid(value) ? undefined : percentOf(value, whole));
    const shares = [share(hard(before)[key]), share(hard(after)[key])];
    return {
      area: 'quotas', subject, field: key, before: hard(before)[key], after: hard(after)[key],
      ...shares[1] !== undefined ? { note: `${shares[0] ?? '-'} → ${shares[1]} of ${whole} allocatable it can land on` } : {},
    };
  });
  return [...changes, ...fieldChanges('quotas', subject, before.spec?.scopeSelector, after.spec?.scopeSelector, 'scopeSelector')];
}

/** The (apiGroup, resource, verb) triples a role's rules allow. */
function permissions(role: KubeObject | undefined): Set<string> {
  const triples = new Set<string>();
  for (const rule of role?.rules ?? []) {
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? rule.nonResourceURLs ?? []) {
        for (const verb of rule.verbs ?? []) triples.add(`${verb} ${group === '' ? '' : `${group}/`}${resource}`);
      }
    }
  }
  return triples;
}

function roleChanges(before: KubeObject | undefined, after: KubeObject | undefined): Change[] {
  const subject = subjectOf((after ?? before)!);
  const old = permissions(before);
  const now = permissions(after);
  const added = [...now].filter(p => !old.has(p)).sort(compareText);
  const removed = [...old].filter(p => !now.has(p)).sort(compareText);
  return [
    ...added.length === 0 ? [] : [{
      area: 'rbac' as const, subject, field: 'allows', after: added.join(', '),
      risk: before ? 'broader role: whoever is bound to it may do more' : 'a new role: check who is bound to it',
    }],
    ...removed.length === 0 ? [] : [{ area: 'rbac' as const, subject, field: 'allows', before: removed.join(', ') }],
  ];
}

function bindingChanges(before: KubeObject | undefined, after: KubeObject | undefined): Change[] {
  const subject = subjectOf((after ?? before)!);
  const subjects = (binding: KubeObject | undefined) => new Set<string>((binding?.subjects ?? []).map((s: any) => `${s.kind} ${s.name}`));
  const role = (binding: KubeObject | undefined) => (binding ? `${binding.roleRef.kind} ${binding.roleRef.name}` : undefined);
  const old = subjects(before);
  const now = subjects(after);
  const added = [...now].filter(s => !old.has(s)).sort(compareText);
  const removed = [...old].filter(s => !now.has(s)).sort(compareText);
  return [
    ...added.map(s => ({ area: 'rbac' as const, subject, field: 'subject', after: s, note: `gets ${role(after)}`, risk: 'a new admin' })),
    ...removed.map(s => ({ area: 'rbac' as const, subject, field: 'subject', before: s })),
    ...before && after && role(before) !== role(after)
      ? [{ area: 'rbac' as const, subject, field: 'roleRef', before: role(before), after: role(after), risk: 'replaces the binding: roleRef cannot change' }] : [],
  ];
}

/** What a NetworkPolicy allows, one line per direction, peer and ports. */
function allowances(policy: KubeObject | undefined): Map<string, 'ingress' | 'egress'> {
  const allowed = new Map<string, 'ingress' | 'egress'>();
  for (const direction of ['ingress', 'egress'] as const) {
    for (const rule of policy?.spec?.[direction] ?? []) {
      const peers: any[] = rule[direction === 'ingress' ? 'from' : 'to'] ?? [{}];
      const ports = (rule.ports ?? []).map((p: any) => `${p.protocol ?? 'TCP'} ${p.port ?? '*'}`).join(', ') || 'every port';
      for (const peer of peers) allowed.set(`${direction} ${direction === 'ingress' ? 'from' : 'to'} ${peerText(peer)} on ${ports}`, direction);
    }
  }
  return allowed;
}

function peerText(peer: any): string {
  if (peer.ipBlock) return `${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const selector = (s: any) => (s === undefined ? undefined : Object.keys(s).length === 0 ? 'all' : JSON.stringify(s.matchLabels ?? s));
  const parts = [selector(peer.namespaceSelector) && `namespaces ${selector(peer.namespaceSelector)}`, selector(peer.podSelector) && `pods ${selector(peer.podSelector)}`];
  return parts.filter(Boolean).join(', ') || 'anywhere';
}

/**
 * A policy's allowances added (a risk) or removed. A policy removed is a risk
 * where a direction it isolated is isolated no more: no policy left in the
 * namespace selects all its pods for that direction (a pod that no policy
 * isolates accepts any traffic).
 */
function networkPolicyChanges(before: KubeObject | undefined, after: KubeObject | undefined, head: Map<string, KubeObject>): Change[] {
  const subject = subjectOf((after ?? before)!);
  const old = allowances(before);
  const now = allowances(after);
  const changes: Change[] = [];
  for (const [text, direction] of now) {
    if (!old.has(text)) changes.push({ area: direction === 'egress' ? 'egress' : 'network', subject, field: 'allows', after: text, risk: `new ${direction}: more traffic allowed` });
  }
  for (const [text, direction] of old) {
    if (!now.has(text)) changes.push({ area: direction === 'egress' ? 'egress' : 'network', subject, field: 'allows', before: text });
  }
  const types = (p: KubeObject | undefined) => (p?.spec?.policyTypes ?? []).join(', ');
  if (!after) {
    const isolatedStill = (direction: string) => [...head.values()].some(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === before!.metadata.namespace
      && (o.spec?.policyTypes ?? []).includes(direction) && Object.keys(o.spec?.podSelector ?? {}).length === 0);
    const opened = (before!.spec?.policyTypes ?? []).filter((direction: string) => !isolatedStill(direction));
    changes.push({
      area: 'network', subject, before: 'removed',
      ...opened.length > 0 ? { risk: `weakens isolation: ${opened.join(' and ')} of the namespace no longer isolated` } : {},
    });
  }
  else if (before && types(before) !== types(after)) {
    const dropped = (before.spec?.policyTypes ?? []).some((t: string) => !(after.spec?.policyTypes ?? []).includes(t));
    changes.push({ area: 'network', subject, field: 'policyTypes', before: types(before), after: types(after), ...dropped ? { risk: 'weakens isolation: a direction no longer isolated' } : {} });
  } else if (!before && changes.length === 0) changes.push({ area: 'network', subject, after: 'added' });
  return changes;
}

function objectFieldChanges(before: KubeObject, after: KubeObject): Change[] {
  const immutable = IMMUTABLE_FIELDS[after.kind] ?? [];
  const { metadata: _b, ...b } = before;
  const { metadata: _a, ...a } = after;
  return valueChanges(b, a).map(change => {
    const replaces = immutable.find(prefix => change.path === prefix || change.path.startsWith(`${prefix}.`) || change.path.startsWith(`${prefix}[`));
    return {
      area: 'objects' as const, subject: subjectOf(after), field: change.path, before: change.before, after: change.after,
      ...replaces ? { risk: `replaces the object: ${replaces} cannot change` } : {},
    };
  });
}

function wholeObject(before: KubeObject | undefined, after: KubeObject | undefined): Change {
  return after ? { area: 'objects', subject: subjectOf(after), after: 'added' } : { area: 'objects', subject: subjectOf(before!), before: 'removed' };
}

function subjectOf(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

// ---------------------------------------------------------------- nodes, kubeadm, Kubespray

function nodeChanges(env: string, base: OutputFiles, head: OutputFiles, facts: HeadFacts): Change[] {
  const changes: Change[] = [];
  const paths = [...new Set([...base.keys(), ...head.keys()])].filter(path => path.startsWith('node/')).sort(compareText);
  const bootstraps = new Map<string, { added: string[]; removed: string[]; changed: string[] }>();
  for (const path of paths) {
    const before = base.get(path);
    const after = head.get(path);
    if (before === after) continue;
    const pool = /^node\/(?:pools\/([^/]+)|(control-plane))\//.exec(path);
    const poolName = pool ? pool[1] ?? pool[2] : undefined;
    const cloudInit = /cloud-init-(.+)\.yaml$/.exec(path);
    if (cloudInit) {
      const group = bootstraps.get(poolName ?? '') ?? { added: [], removed: [], changed: [] };
      group[before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'].push(cloudInit[1]);
      bootstraps.set(poolName ?? '', group);
      continue;
    }
    if (path.endsWith('/kubelet.yaml')) {
      const allocatable = poolName ? facts.poolAllocatable(env, poolName) : undefined;
      changes.push(...documentChanges('kubelet', `kubelet of pool ${poolName}`, before, after).map(change => ({
        ...change, note: `restarts the kubelets of pool ${poolName}${allocatable && /Reserved|eviction/.test(change.field ?? '') ? `; allocatable per node ${allocatable}` : ''}`,
      })));
      continue;
    }
    const subject = path.replace(/^node\//, '');
    changes.push(...documentChanges('kubeadm', subject, before, after).map(change => ({ ...change, note: kubeadmNote(path, change.field) })));
  }
  for (const [pool, group] of [...bootstraps].sort(([a], [b]) => compareText(a, b))) {
    if (group.added.length > 0) changes.push({ area: 'nodes', subject: `pool ${pool}`, field: 'nodes', after: group.added.join(', '), note: 'added' });
    if (group.removed.length > 0) {
      changes.push({ area: 'nodes', subject: `pool ${pool}`, field: 'nodes', before: group.removed.join(', '), note: 'removed: drain them first' });
    }
    if (group.changed.length > 0) {
      changes.push({ area: 'nodes', subject: `pool ${pool}`, field: 'bootstrap', after: `changed for ${group.changed.join(', ')}`, note: 'takes effect on a new node: replace the nodes' });
    }
  }
  return changes;
}

/** When a change of a node file takes effect, by the document it is in. */
function kubeadmNote(path: string, field: string | undefined): string {
  if (path.endsWith('sysctl.conf')) return 'applies at boot: run sysctl -p on the nodes, or replace them';
  if (field?.startsWith('KubeProxyConfiguration.')) return 'kube-proxy: update its ConfigMap in kube-system and restart its pods';
  if (field?.startsWith('ClusterConfiguration.')) return 'the control plane: kubeadm upgrade apply, or the kubeadm-config ConfigMap and static pods by hand';
  return 'applies when a node is set up: replace the nodes, or apply by hand';
}

function kubesprayChanges(base: OutputFiles, head: OutputFiles): Change[] {
  const paths = [...new Set([...base.keys(), ...head.keys()])].filter(path => path.startsWith('kubespray/')).sort(compareText);
  return paths.flatMap(path => documentChanges('kubespray', path.replace(/^kubespray\/inventory\//, ''), base.get(path), head.get(path))
    .map(change => ({ ...change, note: 'takes effect at the next cluster.yml (or upgrade-cluster.yml) run' })));
}

/** The changes of a YAML file, document by document, by value path. */
function documentChanges(area: ChangeArea, subject: string, before: string | undefined, after: string | undefined): Change[] {
  if (before === undefined) return [{ area, subject, after: 'added' }];
  if (after === undefined) return [{ area, subject, before: 'removed' }];
  const docs = (text: string) => (/\.(ya?ml)$/.test(subject) || text.startsWith('---') || text.startsWith('#') ? parseYaml(text) : [text]);
  const old = docs(before);
  const now = docs(after);
  const keyed = (list: unknown[]) => new Map(list.map((doc, index) => [keyOfDocument(doc, index), doc]));
  const a = keyed(old);
  const b = keyed(now);
  return [...new Set([...a.keys(), ...b.keys()])].flatMap(key => valueChanges(a.get(key), b.get(key), key)
    .map(change => ({ area, subject, field: change.path, before: change.before, after: change.after })));
}

function keyOfDocument(document: unknown, index: number): string {
  const kind = (document as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : index === 0 ? '' : `document ${index + 1}`;
}

// ---------------------------------------------------------------- add-ons and alerts

function addonChanges(base: OutputFiles, head: OutputFiles): Change[] {
  const releases = (files: OutputFiles) => {
    const text = files.get('terraform/cdk.tf.json');
    return new Map<string, any>(Object.values<any>(text ? JSON.parse(text).resource?.helm_release ?? {} : {}).map(release => [release.name, release]));
  };
  const changes: Change[] = [];
  for (const [name, before, after] of pairs(releases(base), releases(head))) {
    const subject = `release ${name}`;
    if (!before) {
      changes.push({ area: 'add-ons', subject, after: `${after.chart} ${after.version}`, note: `added, into ${after.namespace}` });
      continue;
    }
    if (!after) {
      changes.push({ area: 'add-ons', subject, before: `${before.chart} ${before.version}`, note: 'removed: uninstalled with what it made' });
      continue;
    }
    for (const field of ['repository', 'chart', 'version', 'namespace']) {
      if (before[field] !== after[field]) {
        changes.push({ area: 'add-ons', subject, field, before: before[field], after: after[field], ...field === 'namespace' ? { risk: 'replaces the release: a new namespace' } : {} });
      }
    }
    const values = (files: OutputFiles) => parseYaml(files.get(`terraform/values/${name}.yaml`) ?? '{}')[0];
    changes.push(...valueChanges(values(base), values(head)).filter(change => !change.path.startsWith(`${ALERT_RULE_VALUES}.`)).map(change => ({
      area: 'add-ons' as const, subject, field: `values ${change.path}`, before: change.before, after: change.after,
    })));
  }
  return changes;
}

function alertChanges(base: OutputFiles, head: OutputFiles): Change[] {
  const rules = (files: OutputFiles) => {
    const document = parseYaml(files.get('alert-rules.yaml') ?? '') [0] as { groups?: { rules: any[] }[] } | undefined;
    return new Map<string, any>((document?.groups ?? []).flatMap(group => group.rules)
      .map(rule => [`${rule.alert}${rule.labels?.pool ? ` (${rule.labels.pool})` : ''}`, rule]));
  };
  const changes: Change[] = [];
  for (const [name, before, after] of pairs(rules(base), rules(head))) {
    const subject = `alert ${name}`;
    if (!before) changes.push({ area: 'alerts', subject, after: after.expr, note: 'added' });
    else if (!after) changes.push({ area: 'alerts', subject, before: before.expr, note: 'removed' });
    else {
      for (const field of ['expr', 'for']) {
        if (before[field] !== after[field]) changes.push({ area: 'alerts', subject, field, before: before[field], after: after[field] });
      }
      if (before.labels?.severity !== after.labels?.severity) {
        changes.push({ area: 'alerts', subject, field: 'severity', before: before.labels?.severity, after: after.labels?.severity });
      }
    }
  }
  return changes;
}

// ---------------------------------------------------------------- values

interface ValueChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

/**
 * The leaves of two values that differ, by path: maps key by key, lists of
 * named items by name (`containers[name=app]`), lists of plain values as sets
 * (an item added or removed, not every index after it), other lists index by
 * index. A subtree that only one side has is one change, not one per leaf.
 */
export function valueChanges(before: unknown, after: unknown, prefix = ''): ValueChange[] {
  const a = leaves(before, prefix);
  const b = leaves(after, prefix);
  const changes: ValueChange[] = [];
  const reported = new Set<string>();
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort(compareText)) {
    if (a.get(path) === b.get(path) || reported.has(path)) continue;
    const onlyIn = !a.has(path) ? b : !b.has(path) ? a : undefined;
    const other = onlyIn === b ? a : b;
    // The shortest enclosing path the other side has nothing under: reported once, as a whole.
    const whole = onlyIn && ancestors(path).find(parent => ![...other.keys()].some(key => within(key, parent)));
    if (whole !== undefined && whole !== path) {
      const inside = [...onlyIn!.keys()].filter(key => within(key, whole));
      inside.forEach(key => reported.add(key));
      const text = inside.map(key => `${key.slice(whole.length).replace(/^\./, '') || '.'}: ${onlyIn!.get(key)}`).join(', ');
      changes.push(onlyIn === b ? { path: whole, after: text } : { path: whole, before: text });
      continue;
    }
    changes.push({ path, before: a.get(path), after: b.get(path) });
  }
  return changes;
}

/** The paths that enclose `path`, the outermost first, `path` last. */
function ancestors(path: string): string[] {
  const cuts = [...path.matchAll(/[.[]/g)].map(match => match.index!).filter(index => index > 0);
  return [...cuts.map(index => path.slice(0, index)), path];
}

function within(key: string, parent: string): boolean {
  return key === parent || key.startsWith(`${parent}.`) || key.startsWith(`${parent}[`);
}

function leaves(value: unknown, path: string, into = new Map<string, string>()): Map<string, string> {
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (Array.isArray(value)) {
    const named = value.length > 0 && value.every(item => typeof (item as { name?: unknown })?.name === 'string');
    const plain = value.every(item => item === null || typeof item !== 'object');
    if (value.length === 0) into.set(path, '[]');
    else if (plain) for (const item of value) into.set(`${path}[${String(item)}]`, String(item));
    else value.forEach((item, index) => leaves(item, `${path}[${named ? `name=${(item as { name: string }).name}` : index}]`, into));
  } else if (typeof value === 'object' && value !== null) {
    if (Object.keys(value).length === 0) into.set(path, '{}');
    for (const [key, item] of Object.entries(value)) leaves(item, at(key), into);
  } else if (value !== undefined) {
    into.set(path, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return into;
}

// ---------------------------------------------------------------- files

function environmentsOf(files: OutputFiles): Set<string> {
  return new Set([...files.keys()].filter(path => path.includes('/')).map(path => path.slice(0, path.indexOf('/'))));
}

function filesOf(files: OutputFiles, env: string): Map<string, string> {
  return new Map([...files].filter(([path]) => path.startsWith(`${env}/`)).map(([path, content]) => [path.slice(env.length + 1), content]));
}

function objectsOf(files: OutputFiles, folder: string): Map<string, KubeObject> {
  const objects = new Map<string, KubeObject>();
  for (const [path, content] of files) {
    if (!path.startsWith(folder) || !path.endsWith('.yaml')) continue;
    for (const object of parseYaml(content) as KubeObject[]) {
      if (object?.kind) objects.set(`${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
    }
  }
  return objects;
}

function parseYaml(text: string): unknown[] {
  return loadAll(text);
}

function fieldChanges(area: ChangeArea, subject: string, before: unknown, after: unknown, prefix = ''): Change[] {
  if (before === undefined && after !== undefined && typeof after === 'object' && (after as { kind?: string }).kind) return [{ area, subject, after: 'added' }];
  if (after === undefined && before !== undefined && typeof before === 'object' && (before as { kind?: string }).kind) return [{ area, subject, before: 'removed' }];
  const strip = (o: unknown) => (o && typeof o === 'object' && 'metadata' in o ? { ...(o as object), metadata: undefined } : o);
  return valueChanges(strip(before), strip(after), prefix).map(change => ({ area, subject, field: change.path, before: change.before, after: change.after }));
}

function percentOf(value: string, whole: Quantity): string {
  if (whole.nanos === 0n) return 'n/a';
  const tenths = Quantity.parse(value).nanos * 1000n / whole.nanos;
  return `${tenths / 10n}.${tenths % 10n}%`;
}

/** Every key of either map, in order, with its value on each side. */
function pairs<T>(base: ReadonlyMap<string, T>, head: ReadonlyMap<string, T>): [string, T | undefined, T | undefined][] {
  return [...new Set([...base.keys(), ...head.keys()])].sort(compareText).map(key => [key, base.get(key), head.get(key)]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
