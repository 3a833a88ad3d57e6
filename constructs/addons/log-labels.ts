/** What the log agent labels records with, from the model. */
export interface LogLabelSource {
  /** The environment (cluster) name. */
  readonly environment: string;
  /** Every Kubernetes node's pool, by node name: control plane and worker pools. */
  readonly nodePools: ReadonlyMap<string, string>;
  /** The tenants' namespaces: a tenant owns the namespace of its name. */
  readonly tenants: readonly string[];
}

/**
 * The Loki labels of every record, bounded, so that a tenant's or a pool's logs are one stream selector. The
 * node is one: each node's agent then writes streams of its own, which Loki takes in order after an outage
 * (a stream shared by several nodes would refuse a node's backlog once others had written an hour past it).
 */
export const LOG_LABELS = ['environment', 'node_pool', 'node', 'source', 'namespace', 'tenant'] as const;
/** Per-record metadata kept beside the line (Loki's structured metadata): unbounded, so no labels. */
export const LOG_METADATA = ['pod', 'container'] as const;
/** Where each kind of record comes from, the `source` label. */
export const LOG_SOURCES = { container: 'container', kubelet: 'kubelet', containerd: 'containerd', audit: 'audit' } as const;

/** The tag prefixes the agent's inputs give their records. */
export const LOG_TAGS = { container: 'kube.', journal: 'host.', audit: 'audit.' } as const;

/** A container log's tag: its input's prefix, then the file's path with dots for slashes. */
export const CONTAINER_LOG_PATH = '/var/log/containers/*.log';
const CONTAINER_TAG_PREFIX = `${LOG_TAGS.container}var.log.containers.`;

/** The Lua function the agent calls on every record. */
export const LOG_LABEL_FUNCTION = 'label';

/** A Lua string literal: the names are DNS labels, but nothing reaches code unescaped. */
function lua(text: string): string {
  return `"${text.replace(/[\\"]/g, c => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, c => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)}"`;
}

function table(entries: readonly (readonly [string, string])[]): string {
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, value]) => `  [${lua(key)}] = ${value},`).join('\n')}\n}`;
}

/**
 * The agent's Lua filter (Fluent Bit runs LuaJIT): labels each record with
 * the environment, the node's pool (from the model's nodes, by the node name
 * the DaemonSet hands the pod), the source, and for containers the namespace,
 * pod and container (from the log file's name, which the kubelet writes as
 * `<pod>_<namespace>_<container>-<id>.log`) and the tenant owning the
 * namespace. No call to the API server: the agent needs no rights there.
 * Journal records keep their message, priority and unit; the rest of their
 * fields go.
 */
export function logLabelScript(source: LogLabelSource): string {
  const pools = [...source.nodePools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tenants = [...new Set(source.tenants)].sort();
  return [
    '-- Labels every log record with what the model knows: environment, node pool, namespace and tenant.',
    `local ENVIRONMENT = ${lua(source.environment)}`,
    `local NODE_POOLS = ${table(pools.map(([node, pool]) => [node, lua(pool)]))}`,
    `local TENANTS = ${table(tenants.map(name => [name, 'true']))}`,
    'local NODE = os.getenv("NODE_NAME") or ""',
    'local NODE_POOL = NODE_POOLS[NODE] or "unknown"',
    '',
    `function ${LOG_LABEL_FUNCTION}(tag, timestamp, record)`,
    '  local labelled',
    `  if string.sub(tag, 1, ${LOG_TAGS.journal.length}) == ${lua(LOG_TAGS.journal)} then`,
    '    local unit = string.gsub(record["SYSTEMD_UNIT"] or "", "%.service$", "")',
    '    labelled = { message = record["MESSAGE"], priority = record["PRIORITY"], source = unit }',
    `  elseif string.sub(tag, 1, ${LOG_TAGS.audit.length}) == ${lua(LOG_TAGS.audit)} then`,
    `    labelled = record`,
    `    labelled["source"] = ${lua(LOG_SOURCES.audit)}`,
    `  elseif string.sub(tag, 1, ${CONTAINER_TAG_PREFIX.length}) == ${lua(CONTAINER_TAG_PREFIX)} then`,
    '    labelled = record',
    `    labelled["source"] = ${lua(LOG_SOURCES.container)}`,
    `    local file = string.sub(tag, ${CONTAINER_TAG_PREFIX.length + 1})`,
    '    local pod, namespace, container = string.match(file, "^([^_]+)_([^_]+)_(.+)%-%x+%.log$")',
    '    if namespace then',
    '      labelled["namespace"] = namespace',
    '      labelled["pod"] = pod',
    '      labelled["container"] = container',
    '      if TENANTS[namespace] then labelled["tenant"] = namespace end',
    '    end',
    '  else',
    '    labelled = record',
    '    labelled["source"] = "unknown"',
    '  end',
    '  labelled["environment"] = ENVIRONMENT',
    '  labelled["node_pool"] = NODE_POOL',
    '  labelled["node"] = NODE',
    '  return 2, timestamp, labelled',
    'end',
    '',
  ].join('\n');
}
