import { Testing } from 'cdk8s';
import { ClusterSpec, ProductionCluster, TenantSpec, warningsOf } from '../../../constructs';
import { clusterSpec, entryPool, generalPool, gpuPool, tenantSpec } from '../../fixtures/cluster-spec';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';

const ADDON_NAMESPACES = ['calico-system', 'logging', 'monitoring', 'node-problem-detector', 'nvidia-device-plugin', 'tigera-operator'];

function clusterProblems(overrides: Partial<ClusterSpec>): string[] {
  return problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));
}

describe('ProductionCluster', () => {
  describe('renders', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({
      tenants: [tenantSpec(), tenantSpec({ name: 'ml', nodePool: 'gpu' })],
      entry: { namespace: 'edge' },
    })));

    test('the PriorityClasses and the shared namespace-admin ClusterRole', () => {
      expect(namesOf(objects, 'PriorityClass')).toEqual(['high', 'low']);
      expect(namesOf(objects, 'ClusterRole')).toEqual(['namespace-admin']);
    });

    test('one namespace per tenant, labelled with the environment and pinned to its minor version', () => {
      expect(namesOf(objects, 'Namespace').filter(name => !ADDON_NAMESPACES.includes(name))).toEqual(['ml', 'team-a']);
      expect(findObject(objects, 'Namespace', 'team-a').metadata.labels).toMatchObject({
        'prodk8s.io/environment': 'test',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.36',
      });
    });

    test('ingress from the entry namespace into every tenant', () => {
      expect(findObject(objects, 'NetworkPolicy', 'allow-from-edge', 'ml')).toBeDefined();
      expect(findObject(objects, 'NetworkPolicy', 'allow-from-edge', 'team-a')).toBeDefined();
    });

    test('a tenant on a node pool selects the pool\'s label and tolerates its taints', () => {
      const annotations = findObject(objects, 'Namespace', 'ml').metadata.annotations;
      expect(annotations['scheduler.alpha.kubernetes.io/node-selector']).toBe('prodk8s.io/node-pool=gpu');
      expect(JSON.parse(annotations['scheduler.alpha.kubernetes.io/defaultTolerations'])).toEqual([
        { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      ]);
      expect(findObject(objects, 'Namespace', 'team-a').metadata.annotations).toBeUndefined();
    });
  });

  test('gives tenants the cluster\'s Pod Security levels unless they set their own', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({
      podSecurity: { enforce: 'baseline' },
      tenants: [tenantSpec(), tenantSpec({ name: 'legacy', podSecurity: { enforce: 'privileged' } })],
    })));
    expect(findObject(objects, 'Namespace', 'team-a').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(findObject(objects, 'Namespace', 'legacy').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('accepts tenants added after construction, and checks them with the rest', () => {
    const problems = problemsOf(chart => {
      const cluster = new ProductionCluster(chart, 'cluster', clusterSpec());
      const tenant = cluster.addTenant(tenantSpec({ name: 'late' }));
      expect(tenant.namespace).toBe('late');
      cluster.addTenant(tenantSpec({ name: 'late' }));
    });
    expect(problems).toEqual(['[test/cluster] tenants[2].name = "late": tenant names must be unique: each tenant owns its namespace']);
  });

  test('accepts the fixture without problems', () => {
    expect(clusterProblems({})).toEqual([]);
  });

  describe('reports', () => {
    test.each<[string, Partial<ClusterSpec>, string]>([
      ['an environment name that is not a DNS-1123 label', { name: 'Prod_EU' },
        'name = "Prod_EU": must be a DNS-1123 label'],
      ['a Kubernetes version that is not exact', { kubernetesVersion: '1.36' },
        'kubernetesVersion = "1.36": must be an exact version such as 1.36.4'],
      ['a Kubernetes version with a v prefix', { kubernetesVersion: 'v1.36.4' },
        'kubernetesVersion = "v1.36.4": must be an exact version such as 1.36.4'],
      ['an unsupported Kubernetes minor', { kubernetesVersion: '1.29.2', outputs: { kubespray: false } },
        'kubernetesVersion = "1.29.2": must be a supported Kubernetes minor, 1.30 to 1.36'],
      ['a pod CIDR that is not one', { networking: { podCidr: '10.244.0.0/33', serviceCidr: '10.96.0.0/12' } },
        'networking.podCidr = "10.244.0.0/33": must be a network in CIDR notation'],
      ['a service CIDR with host bits', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.1.0/12' } },
        'networking.serviceCidr = "10.96.1.0/12": must be a network in CIDR notation such as 10.96.0.0/12 ("10.96.1.0/12" has host bits set: its network address is 10.96.0.0/12)'],
      ['overlapping pod and service CIDRs', { networking: { podCidr: '10.96.0.0/16', serviceCidr: '10.96.0.0/12' } },
        'networking.serviceCidr = "10.96.0.0/12": must not overlap networking.podCidr (10.96.0.0/16): a Service IP would be routed to a pod'],
      ['a service CIDR wider than /12', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.0.0.0/11' } },
        'networking.serviceCidr = "10.0.0.0/11": must be /12 or narrower: the API server refuses larger service ranges'],
      ['a DNS domain that is not one', { networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', dnsDomain: 'Cluster_Local' } },
        'networking.dnsDomain = "Cluster_Local": must be a DNS-1123 subdomain'],
      ['an unknown Pod Security level', { podSecurity: { warn: 'paranoid' as any } },
        'podSecurity.warn = "paranoid": must be one of "privileged", "baseline", "restricted"'],
      ['an invalid entry namespace', { entry: { namespace: 'Entry' } },
        'entry.namespace = "Entry": must be a DNS-1123 label'],
      ['duplicate node pools', { nodePools: [generalPool(), generalPool({ firstAddress: '10.0.3.10', hostnamePattern: 'other-{index}' })] },
        'nodePools[1].name = "general": node pool names must be unique'],
      ['duplicate tenants', { tenants: [tenantSpec(), tenantSpec()] },
        'tenants[1].name = "team-a": tenant names must be unique: each tenant owns its namespace'],
      ['a tenant named like the entry namespace', { tenants: [tenantSpec({ name: 'nginx-entry' })] },
        'tenants[0].name = "nginx-entry": is the namespace of an add-on or of the entry, which no tenant may own'],
      ['a budget for an undefined PriorityClass', {
        tenants: [tenantSpec({ priorityQuotas: [{ priorityClass: 'urgent', requests: { cpu: '1', memory: '1Gi' }, pods: 1 }] })] },
        'tenants[0].priorityQuotas[0].priorityClass = "urgent": must name a PriorityClass of the cluster (high, low)'],
      ['a budget when no PriorityClass is defined', {
        priorityClasses: [],
        tenants: [tenantSpec({ priorityQuotas: [{ priorityClass: 'high', requests: { cpu: '1', memory: '1Gi' }, pods: 1 }] })] },
        'tenants[0].priorityQuotas[0].priorityClass = "high": must name a PriorityClass of the cluster (none defined)'],
      ['an undefined node pool', { tenants: [tenantSpec({ nodePool: 'tpu' })] },
        'tenants[0].nodePool = "tpu": must name a node pool of the cluster (general, gpu)'],
      ['tenant egress into the pod network', { tenants: [tenantSpec({ egress: [{ cidr: '10.244.3.0/24' }] })] },
        'tenants[0].egress[0].cidr = "10.244.3.0/24": must not overlap the cluster network 10.244.0.0/16: in-cluster traffic is allowed by namespace, never by address'],
      ['tenant egress that contains the service network', { tenants: [tenantSpec({ egress: [{ cidr: '10.0.0.0/8' }] })] },
        'tenants[0].egress[0].cidr = "10.0.0.0/8": must not overlap the cluster network 10.244.0.0/16'],
    ])('%s', (_, overrides, message) => {
      const problems = clusterProblems(overrides);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`[test/cluster] ${message}`);
    });

    test('problems of the cluster, its classes and its tenants together, each with its path', () => {
      const problems = clusterProblems({
        kubernetesVersion: '2.0.0',
        outputs: { kubespray: false },
        priorityClasses: [{ name: 'system-x', value: 1 }],
        tenants: [tenantSpec({ quota: { requests: { cpu: '1', memory: '10GB' }, pods: 1 } })],
      });
      expect(problems).toEqual([
        expect.stringMatching(/^\[test\/cluster\] kubernetesVersion = "2.0.0": /),
        expect.stringMatching(/^\[test\/cluster\/priority-classes\] priorityClasses\[0\].name = "system-x": /),
        expect.stringMatching(/^\[test\/cluster\/tenants\/team-a\] quota.requests.memory = "10GB": /),
      ]);
    });
  });

  describe('capacity', () => {
    test('reports shared tenants whose quotas exceed the shared pools, with pool, tenants and numbers', () => {
      // general: 3 nodes × (8 − 90m − 100m) = 23430m.
      const problems = clusterProblems({ tenants: [
        tenantSpec({ name: 'a', quota: { requests: { cpu: '12', memory: '4Gi' }, pods: 10 } }),
        tenantSpec({ name: 'b', quota: { requests: { cpu: '12', memory: '4Gi' }, pods: 10 } }),
      ] });
      expect(problems).toEqual([
        '[test/cluster] capacity.shared.cpu = "24": the cpu requests the tenants\' quotas allow on the shared pools (those without NoSchedule '
        + 'or NoExecute taints) (a: 12, b: 12) exceed what it gives to pods: general: 3 nodes × 7810m × overcommit 1 = 23430m',
      ]);
    });

    test('accepts the same tenants with an overcommit factor on the pool, one node drained included', () => {
      // One of 3 nodes drained: 2 × 7810m × 1.6 = 24992m ≥ 24.
      expect(clusterProblems({
        nodePools: [generalPool({ requestOvercommit: '1.6' }), gpuPool()],
        tenants: [
          tenantSpec({ name: 'a', quota: { requests: { cpu: '12', memory: '4Gi' }, pods: 10 } }),
          tenantSpec({ name: 'b', quota: { requests: { cpu: '12', memory: '4Gi' }, pods: 10 } }),
        ],
      })).toEqual([]);
    });

    test('holds a pinned tenant\'s GPUs to its pool', () => {
      const problems = clusterProblems({ tenants: [tenantSpec({
        name: 'ml', nodePool: 'gpu', quota: { requests: { cpu: '8', memory: '64Gi' }, pods: 10, extendedResources: { 'nvidia.com/gpu': '10' } },
      })] });
      expect(problems).toEqual([
        '[test/cluster] capacity.gpu.nvidia.com/gpu = "10": the nvidia.com/gpu requests the tenants\' quotas allow on node pool gpu (ml: 10) '
        + 'exceed what it gives to pods: gpu: 2 nodes × 4 = 8',
      ]);
    });

    test('renders a tenant\'s extended resources into its compute quota', () => {
      const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ tenants: [tenantSpec({
        name: 'ml', nodePool: 'gpu', quota: { requests: { cpu: '8', memory: '64Gi' }, pods: 10, extendedResources: { 'nvidia.com/gpu': '4' } },
      })] })));
      expect(findObject(objects, 'ResourceQuota', 'compute', 'ml').spec.hard['requests.nvidia.com/gpu']).toBe('4');
    });

    test('reports quotas that fit every node but not one node drained: every node is drained some day', () => {
      // Both GPU nodes give 8 GPUs; with one drained, 4.
      const problems = clusterProblems({ tenants: [tenantSpec({
        name: 'ml', nodePool: 'gpu', quota: { requests: { cpu: '8', memory: '64Gi' }, pods: 10, extendedResources: { 'nvidia.com/gpu': '8' } },
      })] });
      expect(problems).toEqual([
        '[test/cluster] capacity.gpu.nvidia.com/gpu = "8": with one node of pool gpu drained, the nvidia.com/gpu requests the tenants\' quotas allow on '
        + 'node pool gpu (ml: 8) exceed what stays: gpu: 1 node × 4 = 4; a drain would leave pods unschedulable: add a node or lower the quotas',
      ]);
    });

    test('warns of a pool of one node, which a drain empties', () => {
      const cluster = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ nodePools: [generalPool(), gpuPool({ count: 1 })] }));
      expect(warningsOf(cluster)).toEqual([
        '[test/cluster] nodePools[1] = "gpu": one node; draining it stops every pod on it, so add a node where that matters',
      ]);
    });

    test('is not judged while a quota is invalid: the quota\'s own problem is reported instead', () => {
      const problems = clusterProblems({ tenants: [tenantSpec({ quota: { requests: { cpu: 'lots', memory: '4Gi' }, pods: 10 } })] });
      expect(problems).toEqual([expect.stringContaining('[test/cluster/tenants/team-a] quota.requests.cpu = "lots"')]);
    });
  });
});

/**
 * A construct's children are an object keyed by id. A first child whose id
 * follows a tenant's data (a route's host) gives V8's empty-object hidden
 * class one more transition per tenant, until it can hold no more: past some
 * 1,500 tenants, every object then built key by key gets a hidden class of
 * its own, and a large synth slows by a fifth.
 */
describe('the ids of the constructs within a tenant', () => {
  /** A tenant with one of everything that names constructs after its data. */
  const tenant = (i: number): TenantSpec => tenantSpec({
    name: `team-${i}`,
    routes: [
      { host: `shop-${i}.example.com`, service: `web-${i}`, port: 80, tls: { secretName: `shop-${i}-tls` } },
      { host: `shop-${i}.example.com`, pathPrefix: `/api-${i}`, service: `api-${i}`, port: 'http', stripPrefix: true },
    ],
    workloads: [{ name: `worker-${i}`, image: `registry.example.com/worker-${i}:1.0.${i}`, resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    egress: [{ cidr: `10.${i}.0.0/24`, ports: [{ port: 5432 + i }] }],
  });

  /** The id of the first child of every construct within the tenants that has children. */
  function firstChildIds(tenants: TenantSpec[]): string[] {
    const chart = Testing.chart();
    const cluster = new ProductionCluster(chart, 'cluster', clusterSpec({ nodePools: [generalPool(), entryPool()], tenants }));
    const scope = cluster.node.findChild('tenants');
    const within = scope.node.children.flatMap(child => child.node.findAll());
    return [...new Set(within.filter(c => c.node.children.length > 0).map(c => c.node.children[0].node.id))].sort();
  }

  test('are the same whatever the tenant\'s names, hosts, workloads and networks', () => {
    const ids = firstChildIds([tenant(0)]);
    expect(ids).toContain('routes[0]-host');
    expect(firstChildIds([0, 1, 2, 3].map(tenant))).toEqual(ids);
  });
});
