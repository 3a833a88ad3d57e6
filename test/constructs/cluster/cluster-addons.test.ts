import { ClusterSpec, ProductionCluster } from '../../../constructs';
import { clusterSpec, entryPool, generalPool, gpuPool, tenantSpec } from '../../fixtures/cluster-spec';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';

const WITH_ENTRY = { nodePools: [generalPool(), gpuPool(), entryPool()] };
const HA_CONTROL_PLANE = {
  count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
};

function clusterOf(overrides: Partial<ClusterSpec> = {}): ProductionCluster {
  let cluster: ProductionCluster | undefined;
  synthObjects(chart => { cluster = new ProductionCluster(chart, 'cluster', clusterSpec(overrides)); });
  return cluster!;
}

const problems = (overrides: Partial<ClusterSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));
const valuesOf = (cluster: ProductionCluster, release: string): any => cluster.addons.find(a => a.releaseName === release)!.values;

describe('the add-ons of a cluster', () => {
  test('install the pod network first, then the Prometheus stack, then the rest', () => {
    expect(clusterOf().addons.map(a => a.releaseName)).toEqual([
      'calico-crds', 'calico', 'kubelet-csr-approver', 'kube-prometheus-stack', 'metrics-server', 'node-problem-detector', 'nvidia-device-plugin', 'loki', 'fluent-bit',
    ]);
    expect(clusterOf(WITH_ENTRY).addons.map(a => a.releaseName)).toContain('nginx-entry');
  });

  test('give Calico the pod CIDR and the network settings of the spec', () => {
    const pool = valuesOf(clusterOf({ cni: { plugin: 'calico', calicoEncapsulation: 'None', calicoBgp: false, mtu: 8950, blockSize: 24 } }), 'calico')
      .installation.calicoNetwork;
    expect(pool).toEqual({
      bgp: 'Disabled', mtu: 8950,
      ipPools: [{ cidr: '10.244.0.0/16', encapsulation: 'None', natOutgoing: 'Enabled', blockSize: 24, nodeSelector: 'all()' }],
    });
  });

  test('let Calico use each node\'s own pod range when the network routes pods (no encapsulation, no BGP)', () => {
    const routed = valuesOf(clusterOf({ cni: { plugin: 'calico', calicoEncapsulation: 'None', calicoBgp: false } }), 'calico').installation;
    expect(routed.cni).toEqual({ type: 'Calico', ipam: { type: 'HostLocal' } });
    expect(valuesOf(clusterOf(), 'calico').installation.cni).toBeUndefined();
    expect(valuesOf(clusterOf({ cni: { plugin: 'calico', calicoEncapsulation: 'None' } }), 'calico').installation.cni).toBeUndefined();
  });

  test('report a Calico setting out of range with the add-on\'s path', () => {
    expect(problems({ cni: { plugin: 'calico', blockSize: 33 } })).toEqual(['[test/cluster/addons/cni] blockSize = 33: must be a prefix length from 20 to 32 (IPv4)']);
  });

  test('run metrics-server twice, with a disruption budget, when the control plane is highly available', () => {
    expect(valuesOf(clusterOf(), 'metrics-server')).toMatchObject({ replicas: 1, podDisruptionBudget: { enabled: false } });
    expect(valuesOf(clusterOf({ controlPlane: HA_CONTROL_PLANE }), 'metrics-server'))
      .toMatchObject({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
  });

  test('refuse metrics-server\'s insecure kubelet TLS: the node layer issues verifiable serving certificates', () => {
    expect(problems({ addons: { metricsServer: { kubeletInsecureTls: true } } })).toEqual([
      '[test/cluster/addons/metrics-server] kubeletInsecureTls = true: the kubelets have serving certificates signed by the cluster CA (serverTLSBootstrap): verify them instead',
    ]);
    expect(problems({ production: true, addons: { metricsServer: { kubeletInsecureTls: true } } })).toHaveLength(2);
  });

  test('scrape a dedicated etcd at its members\' addresses, a stacked one through its static pods', () => {
    expect(valuesOf(clusterOf(), 'kube-prometheus-stack').kubeEtcd.endpoints).toBeUndefined();
    const dedicated = clusterOf({ controlPlane: { ...HA_CONTROL_PLANE, etcd: { count: 3, firstAddress: '10.0.0.21' } } });
    expect(valuesOf(dedicated, 'kube-prometheus-stack').kubeEtcd.endpoints).toEqual(['10.0.0.21', '10.0.0.22', '10.0.0.23']);
  });

  test('let node-problem-detector create its ServiceMonitor once the Prometheus CRDs are installed', () => {
    const cluster = clusterOf();
    const npd = cluster.addons.find(a => a.releaseName === 'node-problem-detector')!;
    expect(npd.values).toMatchObject({ metrics: { enabled: true, serviceMonitor: { enabled: true } } });
    expect(npd.dependsOn.map(a => a.releaseName)).toEqual(['calico', 'kube-prometheus-stack']);
  });

  test('run the entry only on the entry pool, behind the NodePorts of the spec or the defaults', () => {
    const controller = valuesOf(clusterOf(WITH_ENTRY), 'nginx-entry').controller;
    expect(controller.nodeSelector).toEqual({ 'prodk8s.io/node-pool': 'entry' });
    expect(controller.tolerations).toEqual([{ key: 'prodk8s.io/entry', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(controller.service).toMatchObject({ type: 'NodePort', httpPort: { nodePort: 30080 }, httpsPort: { nodePort: 30443 } });
    const custom = valuesOf(clusterOf({ ...WITH_ENTRY, entry: { namespace: 'edge', nodePorts: { http: 31080, https: 31443 } } }), 'nginx-entry');
    expect(custom.controller.service).toMatchObject({ httpPort: { nodePort: 31080 }, httpsPort: { nodePort: 31443 } });
  });

  test('create the add-ons\' namespaces first, with the Pod Security levels their agents need', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec(WITH_ENTRY)));
    expect(namesOf(objects, 'Namespace')).toEqual(['calico-system', 'logging', 'monitoring', 'nginx-entry', 'node-problem-detector', 'nvidia-device-plugin', 'team-a', 'tigera-operator']);
    expect(findObject(objects, 'Namespace', 'tigera-operator').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    // The operator's own namespace, made first to hold its quota, with the labels the operator sets, so that neither undoes the other.
    expect(findObject(objects, 'Namespace', 'calico-system').metadata.labels).toEqual({
      'name': 'calico-system', 'app.kubernetes.io/managed-by': 'tigera-operator', 'prodk8s.io/environment': 'test',
      'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    expect(findObject(objects, 'Namespace', 'nginx-entry').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('give a quota for the system PriorityClasses to kube-system and to each namespace where an add-on runs such pods, no other', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec(WITH_ENTRY)));
    const quotas = objects.filter(o => o.kind === 'ResourceQuota' && o.metadata.name === 'system-critical');
    expect(quotas.map(q => q.metadata.namespace).sort()).toEqual(['calico-system', 'kube-system', 'logging', 'node-problem-detector', 'nvidia-device-plugin']);
    for (const quota of quotas as Record<string, any>[]) {
      expect(quota.spec.scopeSelector).toEqual({ matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }] });
    }
    const flannel = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ ...WITH_ENTRY, cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true } })));
    expect(flannel.filter(o => o.kind === 'ResourceQuota' && o.metadata.name === 'system-critical').map(q => q.metadata.namespace).sort())
      .toEqual(['kube-flannel', 'kube-system', 'logging', 'node-problem-detector', 'nvidia-device-plugin']);
  });

  test('let Prometheus and the entry reach the tenants', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec()));
    expect(findObject(objects, 'NetworkPolicy', 'allow-from-monitoring', 'team-a')).toBeDefined();
    expect(findObject(objects, 'NetworkPolicy', 'allow-from-nginx-entry', 'team-a')).toBeDefined();
  });

  test('write Argo CD Applications instead of Flux objects when the environment asks for them', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ gitops: { engine: 'argocd' } })));
    expect(namesOf(objects, 'HelmRelease')).toEqual([]);
    expect(namesOf(objects, 'Application')).toEqual([
      'calico', 'calico-crds', 'fluent-bit', 'kube-prometheus-stack', 'kubelet-csr-approver', 'loki', 'metrics-server', 'node-problem-detector', 'nvidia-device-plugin',
    ]);
  });
});

describe('tenant routes', () => {
  const web = (routes: any[], name = 'team-a') => tenantSpec({ name, routes });

  test('become Ingresses of the entry\'s class in the tenant\'s namespace', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({
      ...WITH_ENTRY, tenants: [web([{ host: 'shop.example.com', service: 'shop', port: 8080 }])],
    })));
    const ingress = findObject(objects, 'Ingress', 'route-shop-example-com', 'team-a');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0].http.paths[0]).toEqual({
      path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 8080 } } },
    });
  });

  test('need an entry pool', () => {
    expect(problems({ tenants: [web([{ host: 'shop.example.com', service: 'shop', port: 8080 }])] })).toEqual([
      '[test/cluster] tenants[0].routes = [{"host":"shop.example.com","service":"shop","port":8080}]: need an entry: a node pool with role "entry"',
    ]);
  });

  test('keep a host to one tenant', () => {
    expect(problems({
      ...WITH_ENTRY,
      tenants: [web([{ host: 'shop.example.com', service: 'shop', port: 8080 }]), web([{ host: 'shop.example.com', pathPrefix: '/admin', service: 'x', port: 80 }], 'team-b')],
    })).toEqual(['[test/cluster] tenants[1].routes[0].host = "shop.example.com": is already a host of tenant team-a']);
  });

  test('no tenant may own an add-on\'s namespace', () => {
    expect(problems({ tenants: [tenantSpec({ name: 'monitoring' })] })).toEqual([
      '[test/cluster] tenants[0].name = "monitoring": is the namespace of an add-on or of the entry, which no tenant may own',
    ]);
  });
});

describe('tenant workloads', () => {
  const php = {
    name: 'php-apache', image: 'registry.k8s.io/hpa-example@sha256:581697a37f0e136db86d6b30392f0db40ce99c8248a7044c770012f4e8491544', containerPort: 80,
    resources: { requests: { cpu: '200m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    autoscaling: { minReplicas: 1, maxReplicas: 10, cpuUtilization: 50 },
  };

  test('render a Deployment, a Service and an HPA in the tenant\'s namespace, restricted by its Pod Security level', () => {
    const objects = synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ tenants: [tenantSpec({ workloads: [php] })] })));
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'php-apache', 'team-a');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 10, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php-apache' } });
    const deployment = findObject(objects, 'Deployment', 'php-apache', 'team-a');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    expect(findObject(objects, 'Service', 'php-apache', 'team-a')).toBeDefined();
  });

  test('need metrics-server for an HPA on cpu', () => {
    const problems = problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({
      addons: { metricsServer: { enabled: false } }, tenants: [tenantSpec({ workloads: [php] })],
    })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[test\/cluster\/tenants\/team-a\/workloads\[0\]\/autoscaler\] autoscaling\.cpuUtilization = 50: .*metrics-server/);
  });

  test('have unique names in their tenant', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ tenants: [tenantSpec({ workloads: [php, php] })] }))))
      .toContain('[test/cluster] tenants[0].workloads[1].name = "php-apache": workload names must be unique in the tenant: each names a Deployment');
  });
});
