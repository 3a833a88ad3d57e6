import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import {
  BUILT_IN_CONDITIONS, ChartValueKeys, CustomPluginMonitor, NodeProblemDetector, NodeProblemDetectorProps, NPD_METRICS_PORT,
  pluginMonitorConfig, TIME_SYNC_MONITOR, unknownValueKeys, Versions,
} from '../../../constructs';
import keys from '../../../constructs/addons/chart-values/node-problem-detector.keys.json';
import { problemsOf } from '../../helpers/objects';
import { shellCommands } from '../../helpers/shell';

const PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

const DISK_MONITOR: CustomPluginMonitor = {
  name: 'disk-check',
  condition: 'DiskUnhealthy',
  healthyReason: 'DiskHealthy',
  problemReason: 'DiskFailing',
  command: ['/usr/bin/test', '-w', '/var/lib/kubelet'],
  interval: '5m',
  timeout: '30s',
};

function npd(props: NodeProblemDetectorProps = {}): NodeProblemDetector {
  return new NodeProblemDetector(Testing.chart(), 'npd', props);
}

function settings(detector: NodeProblemDetector): any {
  return detector.release.values.settings;
}

function definitions(detector: NodeProblemDetector): Record<string, string> {
  return settings(detector).custom_monitor_definitions;
}

function problems(monitors: readonly CustomPluginMonitor[]): string[] {
  return problemsOf(chart => new NodeProblemDetector(chart, 'npd', { customPluginMonitors: monitors }));
}

describe('NodeProblemDetector values', () => {
  test('installs the pinned chart in its own privileged namespace', () => {
    const release = npd().release;
    expect(release.chart).toEqual(Versions.charts.nodeProblemDetector);
    expect(release.releaseName).toBe('node-problem-detector');
    expect(release.namespace).toBe('node-problem-detector');
    expect(release.namespaceLabels).toEqual(PRIVILEGED);
    expect(release.dependsOn).toEqual([]);
  });

  test('watches the kernel, read-only filesystems and containerd logs', () => {
    expect(settings(npd()).log_monitors).toEqual([
      '/config/kernel-monitor.json',
      '/config/readonly-monitor.json',
      '/custom-config/containerd-monitor.json',
    ]);
  });

  test('runs the restart counters and the time check by default', () => {
    const detector = npd();
    expect(settings(detector).custom_plugin_monitors).toEqual(['/config/systemd-monitor-counter.json', '/custom-config/time-sync.json']);
    expect(detector.customPluginMonitors).toEqual([TIME_SYNC_MONITOR]);
    expect(Object.keys(definitions(detector)).sort()).toEqual(['containerd-monitor.json', 'time-sync.json', 'time-sync.sh']);
    expect(settings(detector).prometheus_port).toBe(NPD_METRICS_PORT);
    expect(NPD_METRICS_PORT).toBe(20257);
  });

  test('runs the custom checks it is given, in order, instead of the time check', () => {
    const detector = npd({ customPluginMonitors: [DISK_MONITOR, TIME_SYNC_MONITOR] });
    expect(settings(detector).custom_plugin_monitors).toEqual([
      '/config/systemd-monitor-counter.json', '/custom-config/disk-check.json', '/custom-config/time-sync.json',
    ]);
    expect(Object.keys(definitions(detector)).sort()).toEqual(['containerd-monitor.json', 'disk-check.json', 'time-sync.json', 'time-sync.sh']);
    expect(JSON.parse(definitions(detector)['disk-check.json'])).toEqual(pluginMonitorConfig(DISK_MONITOR));
    expect(settings(npd({ customPluginMonitors: [] })).custom_plugin_monitors).toEqual(['/config/systemd-monitor-counter.json']);
  });

  test('defines the time check in node-problem-detector\'s custom plugin format', () => {
    expect(JSON.parse(definitions(npd())['time-sync.json'])).toEqual({
      plugin: 'custom',
      pluginConfig: { invoke_interval: '1m', timeout: '10s', max_output_length: 80, concurrency: 1 },
      source: 'time-sync-custom-plugin-monitor',
      metricsReporting: true,
      conditions: [{ type: 'TimeNotSynchronized', reason: 'TimeSynchronized', message: 'time-sync check passes' }],
      rules: [
        { type: 'temporary', reason: 'TimeNotSynchronized', path: '/bin/bash', args: ['/custom-config/time-sync.sh'], timeout: '10s' },
        {
          type: 'permanent', condition: 'TimeNotSynchronized', reason: 'TimeNotSynchronized',
          path: '/bin/bash', args: ['/custom-config/time-sync.sh'], timeout: '10s',
        },
      ],
    });
  });

  test('defines the containerd log monitor in node-problem-detector\'s journald format', () => {
    expect(JSON.parse(definitions(npd())['containerd-monitor.json'])).toEqual({
      plugin: 'journald',
      pluginConfig: { source: 'containerd' },
      logPath: '/var/log/journal',
      lookback: '5m',
      bufferSize: 10,
      source: 'containerd-monitor',
      conditions: [{ type: 'ContainerRuntimeUnhealthy', reason: 'ContainerRuntimeIsHealthy', message: 'containerd logs no fatal errors' }],
      rules: [
        { type: 'temporary', reason: 'ContainerdError', pattern: '.*level=error.*' },
        { type: 'permanent', condition: 'ContainerRuntimeUnhealthy', reason: 'ContainerdFatal', pattern: '.*level=fatal.*' },
      ],
    });
  });

  test('mounts the time check\'s script beside it and runs it through bash', () => {
    const script = definitions(npd())['time-sync.sh'];
    expect(script).toBe(TIME_SYNC_MONITOR.script);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(shellCommands(script).join('\n')).toContain('nsenter --target 1 --mount --uts -- timedatectl show --property=NTPSynchronized --value');
    expect(TIME_SYNC_MONITOR.command).toEqual(['/bin/bash', '/custom-config/time-sync.sh']);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  test('runs on every node, tainted or not, in the host\'s PID namespace, at node-critical priority', () => {
    const values = npd().release.values;
    expect(values.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(values.hostPID).toBe(true);
    expect(values.priorityClassName).toBe('system-node-critical');
  });

  test('exposes metrics, with a ServiceMonitor only when asked', () => {
    const metrics = (serviceMonitor?: boolean) => npd({ serviceMonitor }).release.values.metrics;
    const relabelings = [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }];
    expect(metrics()).toEqual({ enabled: true, serviceMonitor: { enabled: false, additionalRelabelings: relabelings } });
    expect(metrics(false)).toEqual({ enabled: true, serviceMonitor: { enabled: false, additionalRelabelings: relabelings } });
    expect(metrics(true)).toEqual({ enabled: true, serviceMonitor: { enabled: true, additionalRelabelings: relabelings } });
  });

  test('lists the built-in conditions, then one per custom check', () => {
    expect(npd({ customPluginMonitors: [DISK_MONITOR, TIME_SYNC_MONITOR] }).conditions).toEqual([
      ...BUILT_IN_CONDITIONS,
      { type: 'DiskUnhealthy', severity: 'warning', meaning: 'the disk-check check fails' },
      { type: 'TimeNotSynchronized', severity: 'warning', meaning: 'the time-sync check fails' },
    ]);
  });

  test('merges raw values last and depends on what it is given', () => {
    const first = npd().release;
    const release = npd({ dependsOn: [first], rawValues: { settings: { heartBeatPeriod: '5m0s' }, tolerations: [] } }).release;
    expect((release.values.settings as any).heartBeatPeriod).toBe('5m0s');
    expect((release.values.settings as any).prometheus_port).toBe(NPD_METRICS_PORT);
    expect(release.values.tolerations).toEqual([]);
    expect(release.dependsOn).toEqual([first]);
  });

  test.each<[string, NodeProblemDetectorProps]>([
    ['the defaults', {}],
    ['a ServiceMonitor', { serviceMonitor: true }],
    ['several checks', { customPluginMonitors: [DISK_MONITOR, TIME_SYNC_MONITOR] }],
    ['no checks', { customPluginMonitors: [] }],
    ['raw values', { rawValues: { settings: { extraArgs: ['--v=2'] }, resources: { limits: { memory: '100Mi' } }, metrics: { prometheusRule: { enabled: true } } } }],
  ])('sets only values the chart knows, with %s', (_, props) => {
    expect(unknownValueKeys(npd(props).release.values, (keys as ChartValueKeys).keys)).toEqual([]);
    expect(problemsOf(chart => new NodeProblemDetector(chart, 'npd', props))).toEqual([]);
  });
});

describe('pluginMonitorConfig', () => {
  test('writes the interval, timeout and program of a check', () => {
    expect(pluginMonitorConfig(DISK_MONITOR)).toEqual({
      plugin: 'custom',
      pluginConfig: { invoke_interval: '5m', timeout: '30s', max_output_length: 80, concurrency: 1 },
      source: 'disk-check-custom-plugin-monitor',
      metricsReporting: true,
      conditions: [{ type: 'DiskUnhealthy', reason: 'DiskHealthy', message: 'disk-check check passes' }],
      rules: [
        { type: 'temporary', reason: 'DiskFailing', path: '/usr/bin/test', args: ['-w', '/var/lib/kubelet'], timeout: '30s' },
        { type: 'permanent', condition: 'DiskUnhealthy', reason: 'DiskFailing', path: '/usr/bin/test', args: ['-w', '/var/lib/kubelet'], timeout: '30s' },
      ],
    });
  });

  test('gives a program without arguments an empty argument list', () => {
    const config = pluginMonitorConfig({ ...DISK_MONITOR, command: ['/usr/local/bin/check'] }) as any;
    expect(config.rules.map((r: any) => [r.path, r.args])).toEqual([['/usr/local/bin/check', []], ['/usr/local/bin/check', []]]);
  });
});

describe('NodeProblemDetector checks', () => {
  const DNS_LABEL = 'must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit';
  const CAMEL = 'must be UpperCamelCase, such as TimeNotSynchronized';

  test.each<[string, Partial<CustomPluginMonitor>, string[]]>([
    ['a name that is no DNS-1123 label', { name: 'Disk_Check' }, [`customPluginMonitors[0].name = "Disk_Check": ${DNS_LABEL}`]],
    ['the name of the built-in containerd monitor', { name: 'containerd-monitor' },
      ['customPluginMonitors[0].name = "containerd-monitor": is the name of the built-in containerd monitor']],
    ['a condition in lowerCamelCase', { condition: 'diskUnhealthy' }, [`customPluginMonitors[0].condition = "diskUnhealthy": ${CAMEL}`]],
    ['a condition with a dash', { condition: 'Disk-Unhealthy' }, [`customPluginMonitors[0].condition = "Disk-Unhealthy": ${CAMEL}`]],
    ['a healthy reason with a space', { healthyReason: 'Disk Healthy' }, [`customPluginMonitors[0].healthyReason = "Disk Healthy": ${CAMEL}`]],
    ['a problem reason longer than a label name', { problemReason: `D${'a'.repeat(63)}` },
      [`customPluginMonitors[0].problemReason = "D${'a'.repeat(63)}": ${CAMEL}`]],
    ['a relative command', { command: ['check.sh', '--fast'] },
      ['customPluginMonitors[0].command = ["check.sh","--fast"]: must start with an absolute program path']],
    ['no command', { command: [] }, ['customPluginMonitors[0].command = []: must start with an absolute program path']],
    ['an interval without a unit', { interval: '60' }, ['customPluginMonitors[0].interval = "60": must be a duration such as 30s']],
    ['an interval in words', { interval: '1 minute' }, ['customPluginMonitors[0].interval = "1 minute": must be a duration such as 30s']],
    ['a timeout in days', { timeout: '1d' }, ['customPluginMonitors[0].timeout = "1d": must be a duration such as 30s']],
  ])('refuse %s', (_, change, messages) => {
    expect(problems([{ ...DISK_MONITOR, ...change }])).toEqual(messages.map(m => `[test/npd] ${m}`));
  });

  test('refuse a monitor name used twice', () => {
    expect(problems([TIME_SYNC_MONITOR, DISK_MONITOR, { ...DISK_MONITOR, condition: 'DiskSlow' }]))
      .toEqual(['[test/npd] customPluginMonitors[2].name = "disk-check": monitor names must be unique']);
  });

  test('accept durations in milliseconds, seconds, minutes and hours', () => {
    expect(problems([
      { ...DISK_MONITOR, name: 'a', interval: '500ms', timeout: '250ms' },
      { ...DISK_MONITOR, name: 'b', interval: '1h', timeout: '30s' },
    ])).toEqual([]);
  });
});

describe('the time-sync script', () => {
  let dir: string;
  let scriptPath: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'time-sync-'));
    scriptPath = path.join(dir, 'time-sync.sh');
    fs.writeFileSync(scriptPath, definitions(npd())['time-sync.sh']);
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script with a fake `nsenter` first on PATH; the fake records its arguments. */
  function runWith(name: string, nsenterBody: string): { status: number | null; stdout: string; args: string } {
    const fakeDir = path.join(dir, name);
    fs.mkdirSync(fakeDir);
    const argsFile = path.join(fakeDir, 'args');
    fs.writeFileSync(path.join(fakeDir, 'nsenter'), `#!/bin/sh\necho "$@" > '${argsFile}'\n${nsenterBody}\n`, { mode: 0o755 });
    const result = spawnSync('bash', [scriptPath], { env: { PATH: `${fakeDir}:${process.env.PATH}` }, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, args: fs.existsSync(argsFile) ? fs.readFileSync(argsFile, 'utf8').trim() : '' };
  }

  test('exits 0 when the host clock is synchronized', () => {
    const run = runWith('yes', 'echo yes');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('clock synchronized\n');
    expect(run.args).toBe('--target 1 --mount --uts -- timedatectl show --property=NTPSynchronized --value');
  });

  test('exits 1 when it is not', () => {
    const run = runWith('no', 'echo no');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('clock not synchronized (NTPSynchronized=no)\n');
  });

  test('exits 2 when it cannot tell', () => {
    const run = runWith('failing', 'echo "Failed to connect to bus" >&2\nexit 1');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('timedatectl unavailable\n');
  });
});
