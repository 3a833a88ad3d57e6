import { Testing } from 'cdk8s';
import { ChartValueKeys, KubeletCsrApprover, nodeNamesRegex, ProductionCluster, unknownValueKeys, Versions } from '../../../constructs';
import keys from '../../../constructs/addons/chart-values/kubelet-csr-approver.keys.json';
import { clusterSpec, generalPool } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

const HOSTS = [{ name: 'prod-general-1', address: '10.0.1.10' }, { name: 'gpu.node-2', address: 'fd00::12' }];

describe('KubeletCsrApprover', () => {
  const approver = new KubeletCsrApprover(Testing.chart(), 'approver', { hosts: HOSTS, clusterDomain: 'cluster.local' });

  test('installs the pinned kubelet-csr-approver into kube-system', () => {
    expect(approver.release.chart).toEqual(Versions.charts.kubeletCsrApprover);
    expect(approver.release.chart).toEqual({ repository: 'https://postfinance.github.io/kubelet-csr-approver', name: 'kubelet-csr-approver', version: '1.2.14' });
    expect(approver.release.namespace).toBe('kube-system');
    expect(unknownValueKeys(approver.release.values, (keys as ChartValueKeys).keys)).toEqual([]);
  });

  test('approves certificates of the model\'s node names and addresses only', () => {
    expect(approver.release.values).toMatchObject({
      global: { clusterDomain: 'cluster.local' },
      providerRegex: '^(?:gpu\\.node-2|prod-general-1)$',
      providerIpPrefixes: ['10.0.1.10/32', 'fd00::12/128'],
      bypassDnsResolution: true,
      priorityClassName: 'system-cluster-critical',
    });
    const regex = new RegExp(nodeNamesRegex(HOSTS));
    expect(['prod-general-1', 'gpu.node-2'].filter(name => regex.test(name))).toHaveLength(2);
    // Neither another node, nor a name that only contains or extends a model's, nor a dot taken as any character.
    expect(['prod-general-10', 'x-prod-general-1', 'gpuxnode-2', 'evil'].filter(name => regex.test(name))).toEqual([]);
  });

  test('refuses a raw value the pinned chart does not have', () => {
    const problems = problemsOf(chart => new KubeletCsrApprover(chart, 'approver', { hosts: HOSTS, clusterDomain: 'cluster.local', rawValues: { providerRegexp: 'x' } }));
    expect(problems.join('\n')).toContain('providerRegexp');
  });
});

describe('the approver of a cluster', () => {
  test('knows every node that runs a kubelet: control plane and pools, not dedicated etcd hosts', () => {
    const cluster = new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({
      controlPlane: {
        count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
        etcd: { count: 3, firstAddress: '10.0.0.21' },
      },
      nodePools: [generalPool({ count: 2 })],
    }));
    const values = cluster.addonSet.kubeletCsrApprover.release.values;
    expect(values.providerIpPrefixes).toEqual(['10.0.0.11/32', '10.0.0.12/32', '10.0.0.13/32', '10.0.1.10/32', '10.0.1.11/32']);
    expect(values.providerRegex).toBe('^test-(?:control-plane-[1-3]|general-[1-2])$');
    expect(cluster.addonSet.metricsServer!.release.dependsOn.map(addon => addon.releaseName)).toEqual(['calico', 'kubelet-csr-approver']);
  });
});
