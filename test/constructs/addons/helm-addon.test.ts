import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartValueKeys, HelmAddon, HelmAddonProps, HelmChart, MAX_RELEASE_NAME_LENGTH, unknownValueKeys, ValueKeys } from '../../../constructs';
import { problemsOf } from '../../helpers/objects';

const CHART: HelmChart = { repository: 'https://charts.example.com', name: 'demo', version: '1.2.3' };

const KEYS: ChartValueKeys = {
  chart: 'demo',
  version: '1.2.3',
  source: 'test',
  keys: {
    replicas: true,
    image: { repository: true, tag: true },
    podLabels: '*',
    subchart: { enabled: true, '*': '*' },
    routes: { '*': { host: true, port: true } },
  },
};

function addon(scope: Construct, id: string, props: Partial<HelmAddonProps> = {}): HelmAddon {
  return new HelmAddon(scope, id, { chart: CHART, releaseName: id, namespace: 'demo', values: {}, ...props });
}

function problems(props: Partial<HelmAddonProps>): string[] {
  return problemsOf(chart => addon(chart, 'addon', props));
}

describe('HelmAddon values', () => {
  test('are the typed values when there are no raw values', () => {
    const typed = { replicas: 2, image: { repository: 'demo', tag: '1.0' }, list: [1, 2] };
    const release = addon(Testing.chart(), 'addon', { values: typed });
    expect(release.values).toEqual({ replicas: 2, image: { repository: 'demo', tag: '1.0' }, list: [1, 2] });
  });

  test('merge the raw values over the typed ones: maps merge, lists and scalars replace', () => {
    const typed = {
      replicas: 2,
      image: { repository: 'demo', tag: '1.0' },
      args: ['--a', '--b'],
      nested: { list: [{ name: 'x' }], keep: true },
    };
    const release = addon(Testing.chart(), 'addon', {
      values: typed,
      rawValues: { replicas: 3, image: { tag: '2.0' }, args: ['--c'], nested: { list: [{ name: 'y' }], extra: 'z' }, added: { k: 'v' } },
    });
    expect(release.values).toEqual({
      replicas: 3,
      image: { repository: 'demo', tag: '2.0' },
      args: ['--c'],
      nested: { list: [{ name: 'y' }], keep: true, extra: 'z' },
      added: { k: 'v' },
    });
  });

  test('replace a map by a scalar, and a scalar by a map, from the raw values', () => {
    const release = addon(Testing.chart(), 'addon', {
      values: { a: { b: 1 }, c: 'text' },
      rawValues: { a: null, c: { d: 1 } },
    });
    expect(release.values).toEqual({ a: null, c: { d: 1 } });
  });

  test('leave the typed values untouched by the merge', () => {
    const typed = { image: { repository: 'demo', tag: '1.0' }, args: ['--a'] };
    const release = addon(Testing.chart(), 'addon', { values: typed, rawValues: { image: { tag: '2.0' }, args: ['--b'] } });
    expect(release.values).toEqual({ image: { repository: 'demo', tag: '2.0' }, args: ['--b'] });
    expect(typed).toEqual({ image: { repository: 'demo', tag: '1.0' }, args: ['--a'] });
  });

  test('are computed when read, when given as a function', () => {
    let replicas = 1;
    const release = addon(Testing.chart(), 'addon', { values: () => ({ replicas }), rawValues: { extra: true } });
    expect(release.values).toEqual({ replicas: 1, extra: true });
    replicas = 4;
    expect(release.values).toEqual({ replicas: 4, extra: true });
  });

  test('exposes chart, release, namespace and labels as given', () => {
    const release = addon(Testing.chart(), 'addon', { namespaceLabels: { team: 'platform' } });
    expect(release.chart).toEqual(CHART);
    expect(release.releaseName).toBe('addon');
    expect(release.namespace).toBe('demo');
    expect(release.namespaceLabels).toEqual({ team: 'platform' });
    expect(addon(Testing.chart(), 'other').namespaceLabels).toEqual({});
  });
});

describe('HelmAddon checks', () => {
  test('accept a valid add-on whose values the chart knows', () => {
    expect(problems({
      valueKeys: KEYS,
      values: { replicas: 2, image: { tag: '1.0' }, podLabels: { any: 'label', 'a/b': { even: 'nested' } } },
      rawValues: { subchart: { enabled: true, anything: { at: { all: 1 } } }, routes: { main: { host: 'h', port: 80 } } },
    })).toEqual([]);
  });

  test('accept a release name of exactly 53 characters, and an oci:// registry', () => {
    const name = 'a'.repeat(MAX_RELEASE_NAME_LENGTH);
    expect(MAX_RELEASE_NAME_LENGTH).toBe(53);
    expect(problems({ releaseName: name, chart: { ...CHART, repository: 'oci://ghcr.io/example/charts' } })).toEqual([]);
  });

  test('accept a version with a leading v, as Calico\'s charts are versioned', () => {
    expect(problems({ chart: { ...CHART, version: 'v3.32.1' } })).toEqual([]);
  });

  const RELEASE_RULE = 'must be a DNS-1123 label of at most 53 characters, Helm\'s limit for release names';
  const VERSION_RULE = 'must be an exact chart version such as 3.13.1, never a range, so that every target installs the same chart';

  test.each<[string, Partial<HelmAddonProps>, string]>([
    ['a release name of 54 characters', { releaseName: 'a'.repeat(54) }, `releaseName = "${'a'.repeat(54)}": ${RELEASE_RULE}`],
    ['a release name with capitals', { releaseName: 'Demo' }, `releaseName = "Demo": ${RELEASE_RULE}`],
    ['a release name with an underscore', { releaseName: 'my_release' }, `releaseName = "my_release": ${RELEASE_RULE}`],
    ['a release name ending with a dash', { releaseName: 'demo-' }, `releaseName = "demo-": ${RELEASE_RULE}`],
    ['an empty release name', { releaseName: '' }, `releaseName = "": ${RELEASE_RULE}`],
    ['a namespace that is no DNS-1123 label', { namespace: 'Demo_NS' },
      'namespace = "Demo_NS": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit'],
    ['a system-critical namespace that is no DNS-1123 label', { systemCriticalNamespaces: ['demo', 'Kube_System'] },
      'systemCriticalNamespaces[1] = "Kube_System": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit'],
    ['an operator namespace that is no DNS-1123 label', { operatorNamespaces: { 'calico.system': {} } },
      'operatorNamespaces.calico.system = "calico.system": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit'],
    ['a plain http repository', { chart: { ...CHART, repository: 'http://charts.example.com' } },
      'chart.repository = "http://charts.example.com": must be an https:// Helm repository or an oci:// registry'],
    ['a repository without a scheme', { chart: { ...CHART, repository: 'charts.example.com' } },
      'chart.repository = "charts.example.com": must be an https:// Helm repository or an oci:// registry'],
    ['a repository with a space', { chart: { ...CHART, repository: 'https://charts.example.com/a b' } },
      'chart.repository = "https://charts.example.com/a b": must be an https:// Helm repository or an oci:// registry'],
    ['a caret range', { chart: { ...CHART, version: '^3.0.0' } }, `chart.version = "^3.0.0": ${VERSION_RULE}`],
    ['a tilde range', { chart: { ...CHART, version: '~1.2' } }, `chart.version = "~1.2": ${VERSION_RULE}`],
    ['latest', { chart: { ...CHART, version: 'latest' } }, `chart.version = "latest": ${VERSION_RULE}`],
    ['a version without a patch number', { chart: { ...CHART, version: '1.2' } }, `chart.version = "1.2": ${VERSION_RULE}`],
    ['the value keys of another chart', { valueKeys: { ...KEYS, chart: 'other' } },
      'valueKeys = "other@1.2.3": must be the keys of the installed chart, demo@1.2.3'],
    ['the value keys of another version', { valueKeys: { ...KEYS, version: '1.2.2' } },
      'valueKeys = "demo@1.2.2": must be the keys of the installed chart, demo@1.2.3'],
    ['an unknown top-level value', { valueKeys: KEYS, values: { replica: 2 } },
      'values.replica = 2: is not a value of chart demo 1.2.3'],
    ['an unknown nested value', { valueKeys: KEYS, values: { image: { repository: 'demo', digest: 'sha256:0' } } },
      'values.image.digest = "sha256:0": is not a value of chart demo 1.2.3'],
    ['an unknown value under the entries of a map of named entries', { valueKeys: KEYS, values: { routes: { main: { host: 'h', path: '/' } } } },
      'values.routes.main.path = "/": is not a value of chart demo 1.2.3'],
    ['an unknown value that only the raw values bring', { valueKeys: KEYS, values: { replicas: 1 }, rawValues: { image: { pullPolicy: 'Always' } } },
      'values.image.pullPolicy = "Always": is not a value of chart demo 1.2.3'],
  ])('refuse %s', (_, props, message) => {
    expect(problems(props)).toEqual([`[test/addon] ${message}`]);
  });

  test('report every unknown value, sorted by path, with the raw values merged in', () => {
    expect(problems({
      valueKeys: KEYS,
      values: { zeta: 1, image: { tag: '1', sha: 'x' } },
      rawValues: { alpha: { b: [1] } },
    })).toEqual([
      '[test/addon] values.alpha = {"b":[1]}: is not a value of chart demo 1.2.3',
      '[test/addon] values.image.sha = "x": is not a value of chart demo 1.2.3',
      '[test/addon] values.zeta = 1: is not a value of chart demo 1.2.3',
    ]);
  });

  test('do not check value keys without valueKeys', () => {
    expect(problems({ values: { anything: { at: 'all' } } })).toEqual([]);
  });

  test('report every broken rule at once', () => {
    expect(problems({ releaseName: 'Bad', namespace: 'Bad', chart: { repository: 'ftp://x', name: 'demo', version: 'latest' } })).toEqual([
      `[test/addon] releaseName = "Bad": ${RELEASE_RULE}`,
      '[test/addon] namespace = "Bad": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit',
      '[test/addon] chart.repository = "ftp://x": must be an https:// Helm repository or an oci:// registry',
      `[test/addon] chart.version = "latest": ${VERSION_RULE}`,
    ]);
  });
});

describe('HelmAddon dependencies', () => {
  test('are those given, then those added, each once', () => {
    const chart = Testing.chart();
    const a = addon(chart, 'a');
    const b = addon(chart, 'b');
    const given = [a];
    const c = addon(chart, 'c', { dependsOn: given });
    given.push(b);
    expect(c.dependsOn).toEqual([a]);
    c.addDependency(b, b, a);
    c.addDependency(b);
    expect(c.dependsOn).toEqual([a, b]);
    expect(addon(chart, 'd').dependsOn).toEqual([]);
    expect(addon(chart, 'e', { dependsOn: [a, a, b] }).dependsOn).toEqual([a, b]);
  });

  test('form no cycle in a chain or a diamond', () => {
    expect(problemsOf(chart => {
      const d = addon(chart, 'd');
      const b = addon(chart, 'b', { dependsOn: [d] });
      const c = addon(chart, 'c', { dependsOn: [d] });
      addon(chart, 'a', { dependsOn: [b, c] });
    })).toEqual([]);
  });

  test('refuse a cycle a → b → a, reported by both add-ons', () => {
    expect(problemsOf(chart => {
      const a = addon(chart, 'a');
      const b = addon(chart, 'b', { dependsOn: [a] });
      a.addDependency(b);
    })).toEqual([
      '[test/a] dependsOn = "a → b → a": add-on dependencies must not form a cycle',
      '[test/b] dependsOn = "b → a → b": add-on dependencies must not form a cycle',
    ]);
  });

  test('refuse a longer cycle and a dependency on itself', () => {
    expect(problemsOf(chart => {
      const a = addon(chart, 'a');
      const c = addon(chart, 'c', { dependsOn: [a] });
      const b = addon(chart, 'b', { dependsOn: [c] });
      a.addDependency(b);
      const self = addon(chart, 'self');
      self.addDependency(self);
    })).toEqual([
      '[test/a] dependsOn = "a → b → c → a": add-on dependencies must not form a cycle',
      '[test/c] dependsOn = "c → a → b → c": add-on dependencies must not form a cycle',
      '[test/b] dependsOn = "b → c → a → b": add-on dependencies must not form a cycle',
      '[test/self] dependsOn = "self → self": add-on dependencies must not form a cycle',
    ]);
  });

  test('leave an add-on that depends on a cycle to the add-ons of the cycle', () => {
    expect(problemsOf(chart => {
      const b = addon(chart, 'b');
      const c = addon(chart, 'c', { dependsOn: [b] });
      b.addDependency(c);
      addon(chart, 'a', { dependsOn: [b] });
    })).toEqual([
      '[test/b] dependsOn = "b → c → b": add-on dependencies must not form a cycle',
      '[test/c] dependsOn = "c → b → c": add-on dependencies must not form a cycle',
    ]);
  });
});

describe('unknownValueKeys', () => {
  test('does not take the names of built-in object properties for known keys', () => {
    expect(unknownValueKeys({ constructor: 1, toString: 2, replicas: 3 }, { replicas: true }).map(u => u.path)).toEqual(['constructor', 'toString']);
  });

  const tree: ValueKeys = {
    leaf: true,
    map: { known: true, inner: { deep: true } },
    open: '*',
    sub: { enabled: true, '*': '*' },
    named: { '*': { host: true } },
  };

  test('accepts the keys of the tree, whatever a leaf or an open map holds', () => {
    expect(unknownValueKeys({
      leaf: [{ anything: 1 }, 'x'],
      map: { known: { any: 'thing' }, inner: { deep: [1] } },
      open: { free: { keys: { at: 'every level' } } },
      sub: { enabled: false, beyond: { the: 'listed keys' } },
      named: { a: { host: 'x' }, b: {} },
    }, tree)).toEqual([]);
  });

  test('reports unknown keys at the top level and nested, sorted by path, with their values', () => {
    expect(unknownValueKeys({
      zz: 1,
      map: { known: 1, unknown: 'x', inner: { deep: 1, deeper: { a: 1 } } },
      aa: [1],
      named: { main: { host: 'h', port: 80 } },
    }, tree)).toEqual([
      { path: 'aa', value: [1] },
      { path: 'map.inner.deeper', value: { a: 1 } },
      { path: 'map.unknown', value: 'x' },
      { path: 'named.main.port', value: 80 },
      { path: 'zz', value: 1 },
    ]);
  });

  test('does not descend into lists or scalars where the tree has a map', () => {
    expect(unknownValueKeys({ map: [{ unknown: 1 }], sub: 'text' }, tree)).toEqual([]);
  });

  test('finds nothing known in an empty tree', () => {
    expect(unknownValueKeys({}, {})).toEqual([]);
    expect(unknownValueKeys({ a: 1 }, {})).toEqual([{ path: 'a', value: 1 }]);
  });

  test('admits any key beside the listed ones under a "*" member', () => {
    expect(unknownValueKeys({ x: 1, y: { z: 2 } }, { a: true, '*': '*' })).toEqual([]);
  });
});
