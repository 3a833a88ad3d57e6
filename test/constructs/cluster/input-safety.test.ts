import { Testing } from 'cdk8s';
import { ClusterSpec, HelmAddon, ProductionCluster } from '../../../constructs';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec, generalPool } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

// Text from the spec reaches files: each string is held to the file it lands in.
const problems = (overrides: Partial<ClusterSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));

describe('kernel parameters, which sysctl.conf reads a line at a time', () => {
  test.each([
    ['a newline', '1\nkernel.panic_on_oops = 0'],
    ['a carriage return', '1\r'],
    ['a $ that a templating step would expand', '${HOME}'],
    ['leading spaces', ' 1'],
  ])('refuse %s, never writing it', (_, value) => {
    expect(problems({ nodePools: [generalPool({ sysctls: { 'vm.max_map_count': value } })] })).toEqual([
      `[test/cluster/node-pools/0] nodePools[0].sysctls.vm.max_map_count = ${JSON.stringify(value)}: must be one line of printable characters without $, such as 262144 or "4096 87380 6291456"`,
    ]);
  });

  test('accept numbers and several values on one line', () => {
    expect(problems({ nodePools: [generalPool({ sysctls: { 'vm.max_map_count': 262144 as unknown as string, 'net.ipv4.tcp_rmem': '4096 87380 6291456' } })] })).toEqual([]);
  });
});

test('the Terraform provider block escapes interpolation in the kubeconfig path and context, as every other string', () => {
  const spec = clusterSpec({ name: 'esc', access: { kubeconfigPath: '/srv/${path.module}/kubeconfig', kubeContext: 'admin@%{if true}x%{endif}' } });
  const stack = JSON.parse(renderEnvironments([spec]).files.find(f => f.path === 'esc/terraform/cdk.tf.json')!.content);
  expect(stack.provider.helm[0].kubernetes).toEqual({ config_path: '/srv/$${path.module}/kubeconfig', config_context: 'admin@%%{if true}x%%{endif}' });
});

test('the GitOps namespace, which names objects and a manifest file, is a DNS label', () => {
  expect(problems({ gitops: { engine: 'flux', namespace: '../flux' } })).toContainEqual(expect.stringMatching(/^\[test\/cluster\] gitops.namespace = "..\/flux": must be a DNS-1123 label/));
});

test('a node name derived from the environment and pool names is held to a hostname\'s 63 characters, at the pool', () => {
  const name = 'e'.repeat(55);
  const rule = 'but a node name is its machine\'s hostname, at most 63 characters before its first dot: shorten the environment\'s or the pool\'s name, or set hostnamePattern';
  expect(problems({ name, nodePools: [generalPool()] }).filter(p => p.includes('hostname'))).toEqual([
    `[test/cluster/control-plane/nodes] controlPlane = "${name}-control-plane-1": gives a node name of 71 characters, ${rule}`,
    `[test/cluster/node-pools/0] nodePools[0] = "${name}-general-1": gives a node name of 65 characters, ${rule}`,
  ]);
});

test('IPv6 and dual-stack networks are refused rather than rendered half-right', () => {
  expect(problems({ networking: { podCidr: 'fd00:10::/56', serviceCidr: 'fd00:20::/112' } })).toEqual(expect.arrayContaining([
    '[test/cluster] networking.podCidr = "fd00:10::/56": IPv6 and dual-stack clusters are not supported yet: use IPv4 networks',
    '[test/cluster] networking.serviceCidr = "fd00:20::/112": IPv6 and dual-stack clusters are not supported yet: use IPv4 networks',
  ]));
});

describe('keys that reach object prototypes in chart values', () => {
  const chart = { repository: 'https://charts.example.com', name: 'demo', version: '1.2.3' };
  const addon = (rawValues: Record<string, unknown>) => problemsOf(scope => new HelmAddon(scope, 'addon', { chart, releaseName: 'demo', namespace: 'demo', values: {}, rawValues }));
  const RULE = 'is a key that reaches object prototypes (__proto__, constructor, prototype), which no chart reads; '
    + 'in JavaScript, an object literal\'s __proto__ silently becomes its prototype';

  test('are refused from JSON, from an object literal and by name, without showing the value', () => {
    expect(addon(JSON.parse('{"podLabels": {"__proto__": {"polluted": "yes"}}}'))).toEqual([`[test/addon] rawValues.podLabels.__proto__ = "(not shown)": ${RULE}`]);
    expect(addon({ podLabels: { __proto__: { polluted: 'yes' } } })).toEqual([`[test/addon] rawValues.podLabels.__proto__ = "(not shown)": ${RULE}`]);
    expect(addon({ list: [{ constructor: 'x' }], prototype: 1 })).toEqual([
      `[test/addon] rawValues.list[0].constructor = "(not shown)": ${RULE}`, `[test/addon] rawValues.prototype = "(not shown)": ${RULE}`,
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a Testing chart is no exception', () => {
    expect(new HelmAddon(Testing.chart(), 'addon', { chart, releaseName: 'demo', namespace: 'demo', values: { a: 1 } }).values).toEqual({ a: 1 });
  });
});
