import { App } from 'cdk8s';
import { EnvironmentChart } from '../../stacks/environment-chart';
import { clusterSpec } from '../fixtures/cluster-spec';
import { namesOf } from '../helpers/objects';

describe('EnvironmentChart', () => {
  test('is named after its environment and holds its cluster', () => {
    const chart = new EnvironmentChart(new App(), clusterSpec({ name: 'qa' }));
    expect(chart.node.id).toBe('qa');
    expect(chart.cluster.node.path).toBe('qa/cluster');
    expect(chart.cluster.spec.name).toBe('qa');
  });

  test('keeps the names it is given, without hash suffixes', () => {
    const objects = new EnvironmentChart(new App(), clusterSpec()).toJson();
    expect(namesOf(objects, 'ClusterRole')).toEqual(['namespace-admin']);
    expect(namesOf(objects, 'PriorityClass')).toEqual(['high', 'low']);
    // The tenant's, and those of the add-ons other than kube-system's.
    expect(namesOf(objects, 'Namespace')).toEqual(['calico-system', 'logging', 'monitoring', 'node-problem-detector', 'nvidia-device-plugin', 'team-a', 'tigera-operator']);
    expect(namesOf(objects, 'HelmRelease')).toEqual([
      'calico', 'calico-crds', 'fluent-bit', 'kube-prometheus-stack', 'kubelet-csr-approver', 'loki', 'metrics-server', 'node-problem-detector', 'nvidia-device-plugin',
    ]);
  });
});
