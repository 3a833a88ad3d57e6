import { Testing } from 'cdk8s';
import { ProductionCluster } from '../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { ALERT_RULES_FILE, environmentSummary, keySettings, MAX_LINE_LENGTH, wrapMarkdown } from '../../stacks/summary';
import { renderEnvironments } from '../../synth/synthesize';
import { clusterSpec, entryPool, generalPool, gpuPool, tenantSpec } from '../fixtures/cluster-spec';
import { promtool } from '../helpers/promtool';
import { parseAllDocuments } from 'yaml';

/** The lines of one section (`## name`), up to the next, wrapped lines joined again. */
function section(summary: string, name: string): string[] {
  const lines = summary.replace(/\n(?=  \S)/g, '').replace(/  (?=\S)/g, ' ').split('\n');
  const start = lines.indexOf(`## ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The lines of one subsection (`### name`) of a section. */
function subsection(lines: readonly string[], name: string): string[] {
  const start = lines.indexOf(`### ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('### '));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter(line => line !== '');
}

const summaryOf = (...args: Parameters<typeof clusterSpec>) => environmentSummary(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(...args)));

describe('environmentSummary: the cluster', () => {
  const summary = summaryOf();

  test('states the version, network, control plane, installers and deployment targets in words', () => {
    expect(summary.split('\n').slice(0, 7)).toEqual([
      '# test',
      '',
      'Kubernetes 1.36.4 with calico and kube-proxy in iptables mode; pods 10.244.0.0/16, services 10.96.0.0/12.',
      '',
      '- **Control plane**: 1 node; API endpoint 10.0.0.10:6443, the first control plane node; etcd stacked on them.',
      '- **Nodes**: kubeadm with a cloud-init bootstrap per node (`node/`), or Kubespray at 46dbdd39 (`kubespray/inventory/`).',
      '- **Add-ons**: Terraform (`terraform/`) or Flux (`manifests/`).',
    ]);
  });

  test('lists the warnings of the model, or says there are none', () => {
    expect(section(summary, 'Warnings')).toEqual(['', 'None.', '']);
    const flannel = summaryOf({ cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true } });
    expect(section(flannel, 'Warnings').join(' ')).toContain('cni.plugin = "flannel": the tenants\' NetworkPolicies are written but not enforced');
  });

  test('lists the warnings a synth collected already, as warningsOf gives them, rather than walking the model again', () => {
    const cluster = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec());
    expect(section(environmentSummary(cluster, ['[test/cluster/tenants/team-a] a warning']), 'Warnings')).toEqual(['', '- a warning', '']);
  });
});

describe('environmentSummary: add-ons', () => {
  const summary = summaryOf({ gitops: { engine: 'argocd' }, addons: { metricsServer: { replicas: 3 } } });
  const addons = section(summary, 'Add-ons');

  test('names each chart as Helm finds it: the repository and the chart, or the OCI reference, never a made-up URL', () => {
    expect(subsection(addons, 'calico')).toEqual(['Chart `tigera-operator` v3.32.1 from https://docs.tigera.io/calico/charts, into `tigera-operator`, after calico-crds.']);
    expect(subsection(addons, 'calico-crds')[0]).toBe('Chart `crd.projectcalico.org.v1` v3.32.1 from https://docs.tigera.io/calico/charts, into `tigera-operator`.');
    expect(subsection(addons, 'node-problem-detector')[0])
      .toBe('Chart `oci://ghcr.io/deliveryhero/helm-charts/node-problem-detector` 2.4.1, into `node-problem-detector`, after calico,');
    expect(summary).not.toContain('charts/crd.projectcalico.org.v1');
  });

  test('lists the settings that matter: replicas, retention, storage, resources, priority', () => {
    expect(subsection(addons, 'metrics-server')).toEqual([
      'Chart `metrics-server` 3.13.1 from https://kubernetes-sigs.github.io/metrics-server/, into `kube-system`, after calico,',
      'kubelet-csr-approver.',
      '- `priorityClassName`: system-cluster-critical',
      '- `replicas`: 3',
      '- `resources`: requests cpu 100m, memory 200Mi; limits memory 400Mi',
    ]);
    expect(subsection(addons, 'kube-prometheus-stack')).toContain('- `prometheus.prometheusSpec.retention`: 15d');
  });

  test('a changed setting changes its line of the summary', () => {
    const longer = section(summaryOf({ gitops: { engine: 'argocd' }, addons: { monitoring: { prometheus: { retention: '45d' } } } }), 'Add-ons');
    expect(subsection(longer, 'kube-prometheus-stack')).toContain('- `prometheus.prometheusSpec.retention`: 45d');
  });

  test('keySettings finds the settings by their last key, at any depth, in path order', () => {
    expect(keySettings({ b: { replicaCount: 2, other: 'x' }, a: { resources: { limits: { memory: '1Gi' }, requests: { cpu: '1' } } }, retention: '7d' })).toEqual([
      ['a.resources', 'requests cpu 1; limits memory 1Gi'], ['b.replicaCount', '2'], ['retention', '7d'],
    ]);
    expect(keySettings({ resources: {} })).toEqual([]);
  });
});

describe('environmentSummary: node pools', () => {
  const pools = section(summaryOf({ tenants: [tenantSpec()] }), 'Node pools');

  test('gives each pool\'s capacity, reservations, hard eviction, allocatable per node and in all, and taints', () => {
    // 8 − 90m − 100m; 32768Mi − 3646Mi − 256Mi − 500Mi.
    expect(pools).toContain('| general | 3 | 8 / 32Gi / 110 | 90m / 3646Mi | 100m / 256Mi | 500Mi / 10% |');
    expect(pools).toContain('| general | 7810m / 28366Mi / 110 | 23430m / 85098Mi / 330 |');
    expect(pools.find(line => line.startsWith('| gpu | 2 |'))).toContain(' / 4 nvidia.com/gpu |');
    expect(pools).toContain('| gpu | `nvidia.com/gpu=present:NoSchedule` |');
    expect(pools).toContain('| general | none |');
  });

  test('totals the shared pools', () => {
    expect(pools).toContain('Shared by the tenants without a pool of their own (general): 23430m / 85098Mi / 330 allocatable in all.');
  });
});

describe('environmentSummary: tenants', () => {
  const summary = summaryOf({
    nodePools: [generalPool(), gpuPool(), entryPool()],
    priorityClasses: [{ name: 'high', value: 1000 }],
    storage: { classes: [{ name: 'local-path', provisioner: 'local-path' }], defaultClass: 'local-path' },
    tenants: [
      tenantSpec({
        podSecurity: { enforce: 'baseline' },
        quota: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '8Gi' }, pods: 20, persistentVolumeClaims: 3, storage: '30Gi' },
        priorityQuotas: [{ priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods: 5 }],
        routes: [{ host: 'a.example.com', pathPrefix: '/api', service: 'api', port: 8080, stripPrefix: true, tls: { secretName: 'a-tls' } }],
        egress: [{ cidr: '10.9.0.0/24', ports: [{ port: 5432 }] }],
      }),
      tenantSpec({ name: 'ml', nodePool: 'gpu', quota: { requests: { cpu: '31', memory: '64Gi' }, pods: 10, extendedResources: { 'nvidia.com/gpu': '4' } } }),
    ],
  });
  const tenants = section(summary, 'Tenants');

  test('states Pod Security, where the tenant runs and its admins', () => {
    expect(subsection(tenants, 'team-a').slice(0, 2)).toEqual([
      'Pod Security `baseline` enforced (audited `restricted`, warned `restricted`); runs on the shared pools (general);',
      'admins: group `team-a-admins`.',
    ]);
    expect(subsection(tenants, 'ml')[0]).toMatch(/^Pod Security `restricted` enforced; runs on its own pool, gpu; /);
  });

  test('gives every quota with its share of the allocatable it can land on', () => {
    const teamA = subsection(tenants, 'team-a');
    // 2 of 3 × 7810m = 23430m; 4Gi of 3 × 28366Mi = 85098Mi; 20 of 330 pods.
    expect(teamA).toContain('| requests.cpu | 2 | 8.5% of 23430m |');
    expect(teamA).toContain('| requests.memory | 4Gi | 4.8% of 85098Mi |');
    expect(teamA).toContain('| limits.memory | 8Gi | 9.6% of 85098Mi |');
    expect(teamA).toContain('| pods | 20 | 6.0% of 330 |');
    expect(teamA).toContain('| persistentvolumeclaims | 3 | - |');
    expect(teamA).toContain('| requests.storage | 30Gi | - |');
    expect(teamA).toContain('| services (NodePort, LoadBalancer) | 10 (0, 0) | - |');
    // 4 GPUs of 2 nodes × 4.
    expect(subsection(tenants, 'ml')).toContain('| requests.nvidia.com/gpu | 4 | 50.0% of 8 |');
  });

  test('lists PriorityClass budgets, routes (prefix stripped or kept, certificate) and egress', () => {
    const teamA = subsection(tenants, 'team-a');
    expect(teamA).toContain('- PriorityClass `high`: requests 1 cpu, 1Gi memory, 5 pods');
    expect(teamA).toContain('- Route https://a.example.com/api → service api:8080, prefix stripped, certificate from Secret a-tls');
    expect(teamA).toContain('- Egress to 10.9.0.0/24 on TCP 5432');
    const ml = subsection(tenants, 'ml');
    expect(ml).toEqual(expect.arrayContaining(['- PriorityClasses: the cluster\'s default only.', '- Routes: none.', '- Egress: cluster DNS only.']));
  });

  test('names the prerequisites: Secrets with their keys, DNS names, the load balancer in front of the entry', () => {
    const prerequisites = section(summary, 'Prerequisites').join('\n');
    expect(prerequisites).toContain('- Secret `a-tls` in namespace `team-a`, with keys `tls.crt`, `tls.key` (for the routes of a.example.com)');
    expect(prerequisites).toContain('- DNS name `a.example.com`: resolves to the load balancer in front of the entry nodes (for the routes of tenant team-a)');
    expect(prerequisites).toContain('- Load balancer `in front of the entry nodes`: TCP 80 to NodePort 30080 and 443 to 30443 of 10.0.3.10');
  });
});

describe('environmentSummary: alerts', () => {
  const summary = summaryOf();
  const alerts = section(summary, 'Alerts');

  test('lists each alert in words, its exact rule in the rule file', () => {
    expect(alerts).toContain(`What fires each alert, in words; the exact rules are \`${ALERT_RULES_FILE}\`, a Prometheus rule file.`);
    expect(alerts).toContain('| NodeMemoryEvicting (general) | critical | 1m | Node <node> is evicting pods for memory |');
    expect(alerts).toContain('| TenantQuotaNearlyFull | warning | 15m | Tenant <namespace> uses <value> of its <resource> quota |');
    expect(summary).not.toContain('node_memory_MemAvailable_bytes');
  });

  test('names no alert with a word twice', () => {
    const names = alerts.filter(line => line.startsWith('| ') && !line.startsWith('| alert')).map(line => line.split(' | ')[0].slice(2).split(' ')[0]);
    expect(names).toContain('NodeKernelOops');
    for (const name of names) {
      const words: string[] = name.match(/[A-Z]+(?![a-z])|[A-Z][a-z0-9]*/g) ?? [];
      expect({ name, repeated: words.filter((word, index) => words.indexOf(word) !== index) }).toEqual({ name, repeated: [] });
    }
  });
});

describe('the alert rule file beside each summary', () => {
  const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;

  test.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name] as const))('%s: promtool checks it, and it holds every rule the summary lists', env => {
    const content = files.find(f => f.path === `${env}/${ALERT_RULES_FILE}`)!.content;
    const rules = parseAllDocuments(content)[0].toJS() as { groups: { rules: { alert: string }[] }[] };
    expect(promtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': rules })).toMatch(/SUCCESS: \d+ rules found/);
    const summary = files.find(f => f.path === `${env}/SUMMARY.md`)!.content;
    const listed = section(summary, 'Alerts').filter(line => /^\| [A-Z]/.test(line) && !line.startsWith('| alert')).length;
    expect(rules.groups.flatMap(group => group.rules)).toHaveLength(listed);
  });
});

test('wrapMarkdown wraps prose and list items at the line width, and leaves tables and headings whole', () => {
  const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
  const prose = wrapMarkdown(words);
  expect(prose.length).toBeGreaterThan(1);
  expect(prose.join(' ')).toBe(words);
  const item = wrapMarkdown(`- ${words}`);
  expect(item[0].startsWith('- word0')).toBe(true);
  expect(item.slice(1).every(line => line.startsWith('  word'))).toBe(true);
  for (const line of [...prose, ...item]) expect(line.length).toBeLessThanOrEqual(MAX_LINE_LENGTH);
  const row = `| ${words} |`;
  expect(wrapMarkdown(row)).toEqual([row]);
});
