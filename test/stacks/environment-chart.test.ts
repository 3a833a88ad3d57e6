import { App } from 'cdk8s';
import { EnvironmentChart } from '../../stacks/environment-chart';
import { clusterSpec } from '../fixtures/cluster-spec';

describe('EnvironmentChart', () => {
  test('is named after its environment and holds its cluster', () => {
    const chart = new EnvironmentChart(new App(), clusterSpec({ name: 'qa' }));
    expect(chart.node.id).toBe('qa');
    expect(chart.cluster.node.path).toBe('qa/cluster');
    expect(chart.cluster.spec.name).toBe('qa');
  });

  test('keeps the names it is given, without hash suffixes', () => {
    const objects = new EnvironmentChart(new App(), clusterSpec()).toJson();
    expect(objects.map((o: any) => o.metadata.name)).toContain('namespace-admin');
    expect(objects.every((o: any) => !/-c8[0-9a-f]{6}$/.test(o.metadata.name))).toBe(true);
  });
});
