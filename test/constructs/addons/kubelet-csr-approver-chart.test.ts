import { Testing } from 'cdk8s';
import { ProductionCluster } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { helmTemplate } from '../../helpers/helm';

// The approver's values rendered by the real chart at its pinned version
// (helm template of ../shared/charts/kubelet-csr-approver-1.2.14.tgz).
jest.setTimeout(120_000);

describe.each(REFERENCE_ENVIRONMENTS.map(spec => [spec.name, spec]))('the kubelet-csr-approver of %s, rendered by its chart', (_, spec) => {
  const cluster = new ProductionCluster(Testing.chart(), 'cluster', spec);
  const addon = cluster.addonSet.kubeletCsrApprover.release;
  let objects: Record<string, any>[];
  beforeAll(() => {
    objects = helmTemplate(addon, spec.kubernetesVersion);
  });

  test('runs with exactly the model\'s node names and addresses', () => {
    const deployment = objects.find(o => o.kind === 'Deployment')!;
    expect(deployment.metadata.namespace).toBe('kube-system');
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.PROVIDER_REGEX).toBe(addon.values.providerRegex);
    expect(env.PROVIDER_IP_PREFIXES).toBe((addon.values.providerIpPrefixes as string[]).join(','));
    expect(env.BYPASS_DNS_RESOLUTION).toBe('true');
    expect(deployment.spec.template.spec.priorityClassName).toBe('system-cluster-critical');
  });

  test('may approve CertificateSigningRequests, and creates no ServiceMonitor before Prometheus\'s CRDs exist', () => {
    const role = objects.find(o => o.kind === 'ClusterRole')!;
    expect(role.rules).toContainEqual(expect.objectContaining({ resources: ['certificatesigningrequests/approval'] }));
    expect(objects.some(o => o.kind === 'ServiceMonitor')).toBe(false);
  });
});
