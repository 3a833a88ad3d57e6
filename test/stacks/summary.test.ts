import { Testing } from 'cdk8s';
import { ProductionCluster } from '../../constructs';
import { environmentSummary } from '../../stacks/summary';
import { clusterSpec, tenantSpec } from '../fixtures/cluster-spec';

describe('environmentSummary', () => {
  const summary = environmentSummary(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({
    tenants: [tenantSpec(), tenantSpec({ name: 'ml', nodePool: 'gpu', quota: { requests: { cpu: '31', memory: '64Gi' }, pods: 10 } })],
  })));
  const lines = summary.split('\n');

  test('states the version, network and control plane in words', () => {
    expect(lines.slice(0, 4)).toEqual([
      '# test',
      '',
      'Kubernetes 1.36.4, calico (pods 10.244.0.0/16, services 10.96.0.0/12), kube-proxy iptables.',
      'API endpoint 10.0.0.10:6443, 1 control plane node(s), etcd stacked.',
    ]);
  });

  test('lists each pool with its capacity, reservations, thresholds and allocatable', () => {
    // 8 − 90m − 100m; 32768Mi − 3646Mi − 256Mi − 500Mi.
    expect(lines).toContain('| general | 3 | 8 / 32Gi / 110 | 90m / 3646Mi | 100m / 256Mi | 500Mi / 10% | 7810m / 28366Mi / 110 | none |');
    expect(lines.find(l => l.startsWith('| gpu |'))).toContain('/ 4 nvidia.com/gpu | nvidia.com/gpu=present:NoSchedule |');
  });

  test('gives each tenant\'s requests as a share of the allocatable it can land on', () => {
    // team-a: 2 of 3 × 7810m = 23430m → 8.5%; 4Gi of 3 × 28366Mi = 85098Mi → 4.8%.
    expect(lines).toContain('| team-a | shared (general) | 2 | 4Gi | 20 | 8.5% / 4.8% |');
    expect(lines.find(l => l.startsWith('| ml |'))).toMatch(/^\| ml \| gpu \| 31 \| 64Gi \| 10 \| /);
  });
});

describe('environmentSummary of add-ons and alerts', () => {
  const summary = environmentSummary(new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ gitops: { engine: 'argocd' } })));

  test('names the GitOps engine and lists each add-on with its chart version and what it waits for', () => {
    expect(summary).toContain('Add-ons installed by Terraform (`terraform/cdk.tf.json`) or Argo CD (manifests).');
    expect(summary).toContain('| calico | https://docs.tigera.io/calico/charts/tigera-operator | v3.32.1 | tigera-operator | calico-crds |');
    expect(summary).toContain('| node-problem-detector | oci://ghcr.io/deliveryhero/helm-charts/node-problem-detector | 2.4.1 | node-problem-detector | calico, kube-prometheus-stack |');
  });

  test('lists every alert rule with what makes it fire, pipes escaped for the table', () => {
    expect(summary).toContain('| prodk8s.node-pressure | NodeMemoryEvicting (general) | critical | 1m | '
      + '`node_memory_MemAvailable_bytes{node=~"test-general-1\\|test-general-2\\|test-general-3"} < 524288000` |');
    expect(summary).toContain('| prodk8s.tenancy | TenantQuotaNearlyFull | warning | 15m |');
  });
});
