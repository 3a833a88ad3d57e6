import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ClusterSpec, LOG_LABEL_FUNCTION, LoggingSpec, logLabelScript, ProductionCluster, warningsOf } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { clusterSpec, tenantSpec } from '../../fixtures/cluster-spec';
import { helmTemplate } from '../../helpers/helm';
import { runLuaFilter } from '../../helpers/luajit';
import { findObject, problemsOf, synthObjects } from '../../helpers/objects';

jest.setTimeout(120_000);

const LOGGING: LoggingSpec = { retention: '14d', store: { storage: { size: '20Gi', storageClassName: 'local' } } };
const OBJECTS = { bucket: 'logs', endpoint: 'https://s3.example.com', credentialsSecret: 'loki-s3' };

function withLogging(logging: Partial<LoggingSpec> | undefined, overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return clusterSpec({
    storage: { classes: [{ name: 'local', provisioner: 'local-path' }] },
    addons: logging === undefined ? {} : { logging: { ...LOGGING, ...logging } },
    ...overrides,
  });
}

const clusterOf = (spec: ClusterSpec) => new ProductionCluster(Testing.chart(), 'cluster', spec);
const byName = (name: string) => REFERENCE_ENVIRONMENTS.find(spec => spec.name === name)!;
/** The Loki configuration the chart renders into its ConfigMap. */
const lokiConfig = (objects: Record<string, any>[]) => parse(objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'loki')!.data['config.yaml']);
const MONITORING_API = ['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor'];

describe('the log store, rendered by the loki chart', () => {
  test('dev: one Loki pod, chunks on its volume of the default class, the model\'s retention applied by the compactor', () => {
    const cluster = clusterOf(byName('dev'));
    const objects = helmTemplate(cluster.addonSet.logging!.store.release, '1.36.4', undefined, { apiVersions: MONITORING_API });
    const statefulSets = objects.filter(o => o.kind === 'StatefulSet').map(o => o.metadata.name);
    expect(statefulSets).toEqual(['loki']);
    const pod = findObject(objects as any, 'StatefulSet', 'loki');
    expect(pod.spec.replicas).toBe(1);
    expect(pod.spec.template.spec.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(pod.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    // Claims outlive the StatefulSet: deleting the release does not delete the logs.
    expect(pod.spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
    const config = lokiConfig(objects);
    expect(config.auth_enabled).toBe(false);
    expect(config.limits_config.retention_period).toBe('168h');
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.schema_config.configs).toEqual([{ from: '2026-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }]);
    // Nothing beyond the store: no caches asking gigabytes, no canary, no gateway.
    expect(objects.filter(o => ['StatefulSet', 'Deployment', 'DaemonSet'].includes(o.kind)).map(o => o.metadata.name)).toEqual(['loki']);
    expect(objects.find(o => o.kind === 'ServiceMonitor')).toBeDefined();
  });

  test('prod: write, read and backend pods, three each, on fast-ssd, chunks in S3 with credentials from the declared Secret only', () => {
    const cluster = clusterOf(byName('prod'));
    const objects = helmTemplate(cluster.addonSet.logging!.store.release, '1.36.4');
    const workloads = objects.filter(o => ['StatefulSet', 'Deployment'].includes(o.kind)).map(o => `${o.kind}/${o.metadata.name}/${o.spec.replicas}`).sort();
    expect(workloads).toEqual(['Deployment/loki-read/3', 'StatefulSet/loki-backend/3', 'StatefulSet/loki-write/3']);
    for (const name of ['loki-write', 'loki-backend']) {
      const set = findObject(objects as any, 'StatefulSet', name);
      expect(set.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } });
      expect(set.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'loki-s3', key: 'access-key-id' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'loki-s3', key: 'secret-access-key' } } },
      ]));
    }
    const config = lokiConfig(objects);
    expect(config.common.replication_factor).toBe(3);
    expect(config.common.storage.s3).toEqual(expect.objectContaining({ bucketnames: 'example-prod-logs', region: 'eu-central-1' }));
    // No key in the configuration: Loki's S3 client takes the SDK's environment variables.
    expect(JSON.stringify(config)).not.toMatch(/access_key_id|secret_access_key/);
    expect(config.limits_config.retention_period).toBe('720h');
    // A whole cluster's logs in one store: more than Loki's defaults for one application.
    expect(config.limits_config).toMatchObject({
      ingestion_rate_mb: 16, ingestion_burst_size_mb: 32, per_stream_rate_limit: '8MB', per_stream_rate_limit_burst: '16MB',
    });
    expect(config.compactor.delete_request_store).toBe('s3');
    // Lines of up to 1 MiB kept, longer ones cut: a refused line would cost the agent its whole batch.
    expect(config.limits_config).toMatchObject({ max_line_size: '1MB', max_line_size_truncate: true });
    // Loki calls no API: no token, and no rules sidecar with a ClusterRole over every Secret of the cluster.
    expect(findObject(objects as any, 'ServiceAccount', 'loki').automountServiceAccountToken).toBe(false);
    expect(objects.filter(o => ['ClusterRole', 'Role'].includes(o.kind)).flatMap(o => o.rules ?? [])).toEqual([]);
    for (const set of objects.filter(o => ['StatefulSet', 'Deployment'].includes(o.kind))) {
      expect(set.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['loki']);
    }
    // Each target keeps running through a drain: a disruption budget of one pod.
    expect(objects.filter(o => o.kind === 'PodDisruptionBudget').map(o => `${o.metadata.name}:${o.spec.maxUnavailable}`).sort())
      .toEqual(['loki-backend:1', 'loki-read:1', 'loki-write:1']);
  });

  test('the store\'s pods find each other under the cluster\'s DNS domain, as the agents and Grafana find them', () => {
    const spec = { ...byName('prod'), networking: { ...byName('prod').networking, dnsDomain: 'corp.internal' } };
    const cluster = clusterOf(spec);
    const config = lokiConfig(helmTemplate(cluster.addonSet.logging!.store.release, '1.36.4'));
    expect(config.memberlist.join_members).toEqual(['loki-memberlist.logging.svc.corp.internal']);
    expect(config.common.compactor_grpc_address).toBe('loki-backend.logging.svc.corp.internal:9095');
    expect(cluster.addonSet.logging!.store.pushEndpoint.host).toBe('loki-write.logging.svc.corp.internal');
    expect(cluster.addonSet.logging!.dataSource.url).toBe('http://loki-read.logging.svc.corp.internal:3100');
  });

  test('only the logging and monitoring namespaces reach the store, which authenticates no one', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', byName('prod')));
    const policy = findObject(objects, 'NetworkPolicy', 'loki-ingress', 'logging');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'loki' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ] }],
    });
    expect(findObject(objects, 'Namespace', 'logging').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('Grafana gets the store as a data source, the read pods\' Service; without Grafana nothing is added', () => {
    const stack = helmTemplate(clusterOf(byName('prod')).addonSet.monitoring.release, '1.36.4');
    const provisioned = parse(stack.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'kube-prometheus-stack-grafana-datasource')!.data['datasource.yaml']);
    expect(provisioned.datasources.find((source: any) => source.type === 'loki')).toEqual(
      { name: 'Logs', type: 'loki', uid: 'prodk8s-logs', url: 'http://loki-read.logging.svc.cluster.local:3100', access: 'proxy' });
    const dev = clusterOf(byName('dev')).addonSet.monitoring.release.values as any;
    expect(dev.grafana).toEqual({ enabled: false });
  });

  test('the object storage credentials and bucket are prerequisites; the bucket must not expire logs before the retention', () => {
    const cluster = clusterOf(withLogging({ store: { storage: { size: '10Gi', storageClassName: 'local' }, objectStorage: OBJECTS } }));
    expect(cluster.prerequisites.filter(p => p.usedBy === 'addons.logging.store')).toEqual([
      { kind: 'Bucket', name: 'logs', usedBy: 'addons.logging.store', holds: [
        'at https://s3.example.com', 'no lifecycle rule shorter than the retention (14d): Loki deletes older logs itself', 'readable and writable with those credentials'] },
      { kind: 'Secret', name: 'loki-s3', namespace: 'logging', holds: ['access-key-id', 'secret-access-key'], usedBy: 'addons.logging.store' },
    ]);
  });
});

describe('the log agent, rendered by the fluent-bit chart', () => {
  const cluster = clusterOf(byName('prod'));
  const objects = helmTemplate(cluster.addonSet.logging!.agent.release, '1.36.4', undefined, { apiVersions: MONITORING_API });
  const daemonSet = findObject(objects as any, 'DaemonSet', 'fluent-bit');
  const pod = daemonSet.spec.template.spec;
  const config: string = findObject(objects as any, 'ConfigMap', 'fluent-bit').data['fluent-bit.conf'];

  test('runs on every node whatever its taints, before tenants\' pods, and needs no Kubernetes API rights', () => {
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(objects.filter(o => ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind))).toEqual([]);
    expect(pod.containers[0].securityContext).toEqual({ runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  test('reads the host\'s logs read-only, and keeps its positions and buffer on the host', () => {
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'varlog', hostPath: { path: '/var/log' } },
      { name: 'state', hostPath: { path: '/var/lib/fluent-bit', type: 'DirectoryOrCreate' } },
    ]));
    expect(pod.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'varlog', mountPath: '/var/log', readOnly: true }, { name: 'state', mountPath: '/var/lib/fluent-bit' },
    ]));
    // The docker era's container folder is gone.
    expect(JSON.stringify(pod.volumes)).not.toContain('/var/lib/docker');
  });

  test('ships containers\' logs, the kubelet\'s and containerd\'s journal and the audit log to the write pods, with a bounded buffer', () => {
    expect(config).toContain('[INPUT]\n    Name tail\n    Tag kube.*\n    Path /var/log/containers/*.log\n    multiline.parser cri\n');
    expect(config).toContain('    Name systemd\n    Tag host.*\n    Path /var/log/journal\n    Systemd_Filter _SYSTEMD_UNIT=kubelet.service\n    Systemd_Filter _SYSTEMD_UNIT=containerd.service\n');
    expect(config).toContain('    Name tail\n    Tag audit.*\n    Path /var/log/kubernetes/audit/kube-apiserver-audit.log\n    Parser json\n');
    expect(config).toContain('    Name loki\n    Alias loki\n    Match *\n    Host loki-write.logging.svc.cluster.local\n    Port 3100\n');
    expect(config).toContain('    label_keys $environment,$node_pool,$node,$source,$namespace,$tenant\n');
    expect(config).toContain('    Retry_Limit no_limits\n    storage.total_limit_size 512M\n');
    expect(config).toContain('    storage.path /var/lib/fluent-bit/buffer/\n');
    // The store's refusals are the alerts' to report; they do not make the agents unready.
    expect(config).toContain('    Health_Check Off\n');
    expect(daemonSet.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/api/v2/health');
    // At most 32 chunks of 2 MB in memory, within the container's 256Mi limit.
    expect(config).toContain('    storage.max_chunks_up 32\n');
    expect(pod.containers[0].resources.limits.memory).toBe('256Mi');
    // Every input buffers on disk, so that an unreachable store costs no memory and no records until the limit.
    expect(config.match(/storage\.type filesystem/g)).toHaveLength(3);
    expect(findObject(objects as any, 'ConfigMap', 'fluent-bit-luascripts').data['prodk8s-labels.lua']).toContain('["prod-gpu-1"] = "gpu"');
    const monitor = findObject(objects as any, 'ServiceMonitor', 'fluent-bit');
    expect(monitor.spec.endpoints[0].relabelings).toEqual([{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }]);
  });
});

describe('the labels of every record, by the agent\'s Lua filter under LuaJIT', () => {
  const script = logLabelScript({
    environment: 'prod',
    nodePools: new Map([['prod-control-plane-1', 'control-plane'], ['prod-gpu-1', 'gpu']]),
    tenants: ['payments', 'ml-training'],
  });
  const id = 'a'.repeat(64);
  const container = (file: string) => `kube.var.log.containers.${file}`;
  const run = (node: string, records: { tag: string; record: Record<string, string> }[]) => runLuaFilter(script, LOG_LABEL_FUNCTION, records, { NODE_NAME: node });

  test('a tenant\'s container: environment, pool, namespace and tenant as labels, pod and container beside them', () => {
    const [result] = run('prod-gpu-1', [{ tag: container(`trainer-0.shard_ml-training_worker-main-${id}.log`), record: { log: 'epoch 3', stream: 'stdout' } }]);
    expect(result).toEqual({ code: 2, record: {
      log: 'epoch 3', stream: 'stdout', source: 'container', environment: 'prod', node_pool: 'gpu', node: 'prod-gpu-1',
      namespace: 'ml-training', tenant: 'ml-training', pod: 'trainer-0.shard', container: 'worker-main',
    } });
  });

  test('a platform namespace has no tenant; an unknown node has pool "unknown"', () => {
    const [result] = run('elsewhere', [{ tag: container(`coredns-6d4b_kube-system_coredns-${id}.log`), record: { log: 'ready' } }]);
    expect(result.record).toMatchObject({ namespace: 'kube-system', node_pool: 'unknown', node: 'elsewhere' });
    expect(result.record.tenant).toBeUndefined();
  });

  test('journal records keep message, priority and unit; audit records keep the event', () => {
    const [journal, audit] = run('prod-control-plane-1', [
      { tag: 'host.kubelet', record: { SYSTEMD_UNIT: 'kubelet.service', MESSAGE: 'Started', PRIORITY: '6', PID: '42', HOSTNAME: 'x' } },
      { tag: 'audit.var.log.kubernetes.audit.kube-apiserver-audit.log', record: { verb: 'delete', auditID: 'abc' } },
    ]);
    expect(journal.record).toEqual({ message: 'Started', priority: '6', source: 'kubelet', environment: 'prod', node_pool: 'control-plane', node: 'prod-control-plane-1' });
    expect(audit.record).toEqual({ verb: 'delete', auditID: 'abc', source: 'audit', environment: 'prod', node_pool: 'control-plane', node: 'prod-control-plane-1' });
  });

  test('tenants added after the add-ons are in the script the agent gets', () => {
    const cluster = clusterOf(withLogging({}));
    cluster.addTenant(tenantSpec({ name: 'late' }));
    const values = cluster.addonSet.logging!.agent.release.values as any;
    expect(values.luaScripts['prodk8s-labels.lua']).toContain('["late"] = true');
  });

  test('a broken script fails the run, so these tests can fail', () => {
    expect(() => runLuaFilter('function label(', LOG_LABEL_FUNCTION, [{ tag: 'x', record: {} }], {})).toThrow(/luajit failed/);
  });
});

describe('the logging spec', () => {
  const problems = (logging: Partial<LoggingSpec>, overrides: Partial<ClusterSpec> = {}) =>
    problemsOf(chart => new ProductionCluster(chart, 'cluster', withLogging(logging, overrides)));

  test('a minimal pipeline passes', () => {
    expect(problems({})).toEqual([]);
  });

  test.each([
    [{ retention: '7 days' }, 'store', 'retention = "7 days": must be a duration of whole hours, days or weeks (336h, 14d, 2w) of at least 24h, the shortest retention Loki\'s compactor applies'],
    [{ retention: '12h' }, 'store', 'retention = "12h": must be a duration of whole hours, days or weeks (336h, 14d, 2w) of at least 24h, the shortest retention Loki\'s compactor applies'],
    [{ store: { mode: 'scalable', storage: { size: '10Gi' } } }, 'store', 'mode = "scalable": needs objectStorage: the write, read and backend pods share the chunks only through object storage'],
    [{ store: { storage: { size: '10Gi' }, objectStorage: OBJECTS, replicas: 2 } }, 'store', 'replicas = 2: must be a whole number of at least 3: the write path keeps three copies of every record, on different nodes'],
    [{ store: { storage: { size: 'big', storageClassName: 'local' } } }, 'store', 'storage.size = "big": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi'],
    [{ store: { storage: { size: '10Gi' }, objectStorage: { ...OBJECTS, endpoint: 'http://s3.example.com' } } }, 'store',
      'objectStorage.endpoint = "http://s3.example.com": must be an https:// URL of the S3 service, without credentials or a path'],
    [{ store: { storage: { size: '10Gi' }, objectStorage: { ...OBJECTS, bucket: 'Logs_2026' } } }, 'store',
      'objectStorage.bucket = "Logs_2026": must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or dashes'],
    [{ agent: { bufferLimit: '2T' } }, 'agent', 'bufferLimit = "2T": must be a Fluent Bit size such as 512M (K, M or G)'],
    [{ store: { storage: { size: '10Gi', storageClassName: 'local' }, ingestionRateMiB: 0.5 } }, 'store',
      'ingestionRateMiB = 0.5: must be a whole number of MiB per second, one or more'],
    [{ store: { storage: { size: '10Gi' }, rawValues: { singleBinary: { replica: 2 } } } }, 'store/release', 'values.singleBinary.replica = 2: is not a value of chart loki 7.3.0'],
    [{ agent: { rawValues: { config: { output: 'x' } } } }, 'agent/release', 'values.config.output = "x": is not a value of chart fluent-bit 0.58.1'],
  ] as const)('refuses %j', (logging, where, message) => {
    const found = problems(logging as Partial<LoggingSpec>);
    expect(found).toContainEqual(`[test/cluster/addons/logging/${where}] ${message}`);
  });

  test('a store volume needs a StorageClass of the model: a named one that exists, or a default', () => {
    expect(problems({ store: { storage: { size: '10Gi', storageClassName: 'fast' } } })).toEqual([
      '[test/cluster] addons.logging.store.storage.storageClassName = "fast": must be one of storage.classes (local): its pods would stay Pending',
    ]);
    expect(problems({ store: { storage: { size: '10Gi' } } })).toEqual([
      '[test/cluster] addons.logging.store.storage = "10Gi": names no storageClassName and storage.defaultClass is not set: its pods would stay Pending',
    ]);
  });

  test('without it synth warns: logs live on the nodes only', () => {
    expect(warningsOf(clusterOf(withLogging(undefined)))).toContain(
      '[test/cluster] addons.logging is not set: logs live on the nodes only, rotated away and lost with evicted pods and replaced nodes');
    expect(warningsOf(clusterOf(withLogging({}))).join('\n')).not.toContain('addons.logging');
  });

  test('a credential in the values is refused, as for every add-on', () => {
    expect(problems({ store: { storage: { size: '10Gi', storageClassName: 'local' }, rawValues: { loki: { storage: { s3: { secretAccessKey: 'AKIAsecretvalue123' } } } } } }).join('\n'))
      .toMatch(/\[test\/cluster\/addons\/logging\/store\/release\] rawValues\.loki\.storage\.s3\.secretAccessKey = "\(not shown\)": looks like a secret/);
  });
});
