import { Testing } from 'cdk8s';
import { ChartValueKeys, NodeProblemTaints, ProductionCluster, unknownValueKeys, Versions } from '../../../constructs';
import keys from '../../../constructs/addons/chart-values/node-readiness-controller.keys.json';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

const KNOWN = ['KernelDeadlock', 'ReadonlyFilesystem', 'TimeNotSynchronized'];

describe('NodeProblemTaints', () => {
  const taints = new NodeProblemTaints(Testing.chart(), 'taints', { conditions: ['KernelDeadlock', 'TimeNotSynchronized'], knownConditions: KNOWN });

  test('installs the pinned Node Readiness Controller with one problem-gate rule per condition', () => {
    expect(taints.release.chart).toEqual(Versions.charts.nodeReadinessController);
    expect(taints.release.values).toEqual({
      nodeReadinessRules: [
        {
          name: 'npd-kerneldeadlock', dryRun: false, enforcementMode: 'continuous',
          conditions: [{ type: 'KernelDeadlock', requiredStatus: 'False', defaultStatus: 'False' }],
          taint: { key: 'readiness.k8s.io/KernelDeadlock', value: 'node-problem-detector', effect: 'NoSchedule' },
          nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } },
        },
        expect.objectContaining({ name: 'npd-timenotsynchronized', taint: expect.objectContaining({ key: 'readiness.k8s.io/TimeNotSynchronized' }) }),
      ],
    });
    expect(unknownValueKeys(taints.release.values, (keys as ChartValueKeys).keys)).toEqual([]);
  });

  test('can only report what it would taint', () => {
    const dry = new NodeProblemTaints(Testing.chart(), 'taints', { conditions: ['KernelDeadlock'], knownConditions: KNOWN, dryRun: true });
    expect((dry.release.values.nodeReadinessRules as any[])[0].dryRun).toBe(true);
  });

  test.each([
    [[], 'conditions = []: name at least one condition to taint on'],
    [['KernelPanic'], 'conditions[0] = "KernelPanic": must be a condition node-problem-detector sets (KernelDeadlock, ReadonlyFilesystem, TimeNotSynchronized)'],
    [['KernelDeadlock', 'KernelDeadlock'], 'conditions[1] = "KernelDeadlock": is listed twice'],
  ])('refuses the conditions %p', (conditions, message) => {
    expect(problemsOf(chart => new NodeProblemTaints(chart, 'taints', { conditions, knownConditions: KNOWN }))).toEqual([`[test/taints] ${message}`]);
  });
});

describe('node problem taints in a cluster', () => {
  const clusterOf = (spec = clusterSpec({ addons: { nodeProblemTaints: {} } })) => new ProductionCluster(Testing.chart(), 'cluster', spec);

  test('are off unless asked for', () => {
    expect(clusterOf(clusterSpec()).addons.map(a => a.releaseName)).not.toContain('node-problem-taints');
  });

  test('taint on node-problem-detector\'s critical conditions by default, after the pod network', () => {
    const cluster = clusterOf();
    const release = cluster.addons.find(a => a.releaseName === 'node-problem-taints')!;
    expect((release.values.nodeReadinessRules as any[]).map(r => r.conditions[0].type))
      .toEqual(['CperHardwareErrorFatal', 'KernelDeadlock', 'XfsShutdown', 'ReadonlyFilesystem', 'ContainerRuntimeUnhealthy']);
    expect(release.dependsOn.map(a => a.releaseName)).toEqual(['calico']);
  });

  test('tell the alert that the node is tainted, and to drain rather than cordon', () => {
    const alert = clusterOf().alertGroups[0].rules.find(r => r.alert === 'NodeKernelDeadlock')!;
    expect(alert.description).toContain('it is tainted readiness.k8s.io/KernelDeadlock:NoSchedule until the condition clears');
    expect(alert.runbook).toContain('kubectl drain {{ $labels.node }}');
    const untainted = clusterOf().alertGroups[0].rules.find(r => r.alert === 'NodeTimeNotSynchronized')!;
    expect(untainted.runbook).toContain('kubectl cordon');
  });

  test('accept only conditions node-problem-detector sets', () => {
    const problems = problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ addons: { nodeProblemTaints: { conditions: ['DiskFull'] } } })));
    expect(problems).toEqual([expect.stringMatching(/^\[test\/cluster\/addons\/node-problem-taints\] conditions\[0\] = "DiskFull": must be a condition node-problem-detector sets \(CperHardwareErrorFatal, KernelDeadlock, /)]);
  });
});
