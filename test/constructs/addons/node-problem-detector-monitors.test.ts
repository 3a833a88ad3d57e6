import { Testing } from 'cdk8s';
import {
  BUILT_IN_CONDITIONS, BUILT_IN_LOG_MONITORS, BUILT_IN_PLUGIN_MONITORS, COUNTED_PROBLEMS, IMAGE_MONITORS, NodeProblemDetector, ProductionCluster,
} from '../../../constructs';
import { prod } from '../../../src/environments';
import { helmTemplate } from '../../helpers/helm';

// The conditions node-problem-detector can set come from the image's own monitor files, so that none lacks an alert.
jest.setTimeout(60_000);

const configured = [...BUILT_IN_LOG_MONITORS, ...BUILT_IN_PLUGIN_MONITORS];
const imageConditions = configured.flatMap(file => Object.keys(IMAGE_MONITORS.monitors[file].conditions));

test('the recorded monitor files are those of the image the pinned chart deploys', () => {
  const release = new NodeProblemDetector(Testing.chart(), 'npd').release;
  const daemonSet = helmTemplate(release, '1.36.4').find(o => o.kind === 'DaemonSet')!;
  const image: string = daemonSet.spec.template.spec.containers[0].image;
  expect(image).toBe(`registry.k8s.io/node-problem-detector/node-problem-detector:${IMAGE_MONITORS.version}`);
  // What the chart runs: the monitor files the model turns on, all of them recorded.
  const args = daemonSet.spec.template.spec.containers[0].command.join(' ');
  expect(args).toContain(`--config.system-log-monitor=${[...BUILT_IN_LOG_MONITORS, '/custom-config/containerd-monitor.json'].join(',')}`);
  expect(args).toContain(`--config.custom-plugin-monitor=${BUILT_IN_PLUGIN_MONITORS.join(',')},/custom-config/time-sync.json`);
  for (const file of configured) expect(Object.keys(IMAGE_MONITORS.monitors)).toContain(file);
});

test('every condition the image\'s monitors can set is a built-in condition, with its own meaning', () => {
  expect(imageConditions).toContain('CperHardwareErrorFatal');
  expect(BUILT_IN_CONDITIONS.map(c => c.type)).toEqual([...imageConditions, 'ContainerRuntimeUnhealthy']);
  for (const condition of BUILT_IN_CONDITIONS) expect(condition.meaning).not.toMatch(/^node-problem-detector reports/);
  expect(BUILT_IN_CONDITIONS.find(c => c.type === 'CperHardwareErrorFatal')!.severity).toBe('critical');
});

test('the counted kernel events alerted on are ones the kernel monitor counts', () => {
  for (const reason of COUNTED_PROBLEMS) expect(IMAGE_MONITORS.monitors['/config/kernel-monitor.json'].counted).toContain(reason);
});

test('prod alerts on every condition, and taints nodes for the critical ones', () => {
  const cluster = new ProductionCluster(Testing.chart(), 'cluster', prod);
  const alerts = cluster.alertGroups.flatMap(group => group.rules.map(rule => rule.alert));
  for (const type of [...imageConditions, 'ContainerRuntimeUnhealthy', 'TimeNotSynchronized']) expect(alerts).toContain(`Node${type}`);
  expect(cluster.addonSet.nodeProblemTaints!.conditions).toContain('CperHardwareErrorFatal');
});
