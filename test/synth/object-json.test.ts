import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentChart } from '../../stacks/environment-chart';
import { syntheticEstate } from '../../scripts/bench/synthetic-estate';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { fastJson, objectJson } from '../../synth/object-json';
import { clusterSpec } from '../fixtures/cluster-spec';

/** Every object of the environments' construct trees. */
function objectsOf(...specs: Parameters<typeof clusterSpec>[0][]): ApiObject[] {
  const app = new App();
  return specs.flatMap(spec => new EnvironmentChart(app, spec as never).node.findAll().filter(ApiObject.isApiObject));
}

/** The same JSON, key order included, as the YAML writer keeps it. */
const text = (value: unknown) => JSON.stringify(value);

/** What `objectJson` gave and what `toJson()` gave, each from an object of its own (`make` builds one). */
function both(make: () => ApiObject): { fast: unknown; cdk8s: unknown } {
  const outcome = (render: () => unknown) => {
    try {
      return text(render());
    } catch (error) {
      return `throws ${(error as Error).message}`;
    }
  };
  return { fast: outcome(() => objectJson(make())), cdk8s: outcome(() => make().toJson()) };
}

const chart = () => new Chart(new App(), 'test');
const configMap = (data: unknown, scope: Construct = chart()) =>
  new ApiObject(scope, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'web' }, data });

describe('objectJson', () => {
  const objects = objectsOf(...REFERENCE_ENVIRONMENTS, clusterSpec(), syntheticEstate(3));

  test('gives exactly what toJson() gives for every object of the reference environments, the fixture and a synthetic estate', () => {
    const different = objects.filter(object => text(objectJson(object)) !== text(object.toJson())).map(object => object.node.path);
    expect(different).toEqual([]);
    expect(objects.length).toBeGreaterThan(300);
  });

  test('renders every one of them without toJson()', () => {
    const slow = objects.filter(object => fastJson(object) === undefined);
    expect(slow.map(object => `${object.constructor.name} ${object.node.path}`)).toEqual([]);
    // Plain ApiObjects (custom resources) and typed k8s classes alike.
    expect([...new Set(objects.map(object => object.constructor.name))]).toEqual(expect.arrayContaining(
      ['ApiObject', 'KubeNetworkPolicy', 'KubeResourceQuota', 'KubeDeployment', 'KubeCronJob', 'KubeHorizontalPodAutoscalerV2']));
  });

  describe('leaves to toJson() itself, with the same result', () => {
    test('an object with a JSON patch', () => {
      const object = new k8s.KubeConfigMap(chart(), 'config', { metadata: { name: 'config', namespace: 'web' }, data: { a: '1' } });
      object.addJsonPatch(JsonPatch.add('/data/b', '2'));
      expect(fastJson(object)).toBeUndefined();
      expect(objectJson(object)).toMatchObject({ data: { a: '1', b: '2' } });
    });

    test('an app with a resolver of its own, given at the start or added later', () => {
      const upper: IResolver = {
        resolve: (context: ResolutionContext) => {
          if (context.value === 'web') context.replaceValue('WEB');
        },
      };
      const object = configMap({}, new Chart(new App({ resolvers: [upper] }), 'test'));
      expect(fastJson(object)).toBeUndefined();
      expect(objectJson(object)).toMatchObject({ metadata: { namespace: 'WEB' } });

      const later = configMap({});
      expect(objectJson(later)).toMatchObject({ metadata: { namespace: 'web' } });
      App.of(later).resolvers.unshift(upper);
      expect(fastJson(later)).toBeUndefined();
      expect(objectJson(later)).toMatchObject({ metadata: { namespace: 'WEB' } });
    });

    test('CDK8S_DISABLE_SORT set', () => {
      const object = configMap({ b: '2', a: '1' });
      process.env.CDK8S_DISABLE_SORT = '1';
      try {
        expect(fastJson(object)).toBeUndefined();
        expect(Object.keys((objectJson(object) as { data: object }).data)).toEqual(['b', 'a']);
      } finally {
        delete process.env.CDK8S_DISABLE_SORT;
      }
    });

    test('a toJson() of its own: a class, an object, or one replaced on a k8s class or on ApiObject', () => {
      class Custom extends ApiObject {
        public toJson(): any {
          return { ...super.toJson(), extra: true };
        }
      }
      const custom = new Custom(chart(), 'custom', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'custom' } });
      expect(fastJson(custom)).toBeUndefined();
      expect(objectJson(custom)).toMatchObject({ extra: true });

      const own = configMap({});
      const render = own.toJson.bind(own);
      own.toJson = () => ({ ...render(), extra: true });
      expect(fastJson(own)).toBeUndefined();
      expect(objectJson(own)).toMatchObject({ extra: true });

      for (const type of [k8s.KubeConfigMap, ApiObject]) {
        const original = type.prototype.toJson;
        type.prototype.toJson = function (this: ApiObject) {
          return { ...original.call(this), data: { replaced: 'yes' } };
        };
        try {
          const object = new k8s.KubeConfigMap(chart(), 'config', { metadata: { name: 'config' }, data: { a: '1' } });
          expect(fastJson(object)).toBeUndefined();
          expect(text(objectJson(object))).toBe(text(object.toJson()));
        } finally {
          type.prototype.toJson = original;
        }
      }
    });

    test('a class whose GVK was changed after its first object', () => {
      const make = () => new k8s.KubeConfigMap(chart(), 'config', { metadata: { name: 'config' } });
      expect(objectJson(make())).toMatchObject({ apiVersion: 'v1' });
      const gvk = k8s.KubeConfigMap.GVK;
      (k8s.KubeConfigMap as { GVK: unknown }).GVK = { apiVersion: 'v9', kind: 'ConfigMap' };
      try {
        expect(both(make).fast).toBe(both(make).cdk8s);
        expect(objectJson(make())).toMatchObject({ apiVersion: 'v9' });
      } finally {
        (k8s.KubeConfigMap as { GVK: unknown }).GVK = gvk;
      }
    });

    test.each([
      ['a value cdk8s refuses', () => configMap({ when: new Date(0) })],
      ['a dictionary whose own constructor is not Object', () => configMap({ constructor: 'x', a: '1' })],
      ['a dictionary with an own __proto__ key, as JSON.parse makes', () => configMap(JSON.parse('{"a":"1","__proto__":{"x":"1"}}'))],
      ['an array cdk8s takes for a token', () => configMap({ list: Object.assign(['x'], { value: 'v' }) })],
      ['an array with holes', () => configMap({ list: [, 'x'] })], // eslint-disable-line no-sparse-arrays
      ['an array of another class', () => configMap({ list: new (class extends Array {})() })],
      ['a tree with no App at its root', () => configMap({}, new Chart(new Construct(undefined as never, ''), 'test'))],
    ])('%s', (_, make) => {
      expect(fastJson(make())).toBeUndefined();
      const { fast, cdk8s } = both(make);
      expect(fast).toBe(cdk8s);
    });

    test('a producer that fails, with cdk8s\'s message', () => {
      const object = configMap({ a: Lazy.any({ produce: () => { throw new Error('boom'); } }) });
      expect(() => fastJson(object)).toThrow('boom');
      expect(() => objectJson(object)).toThrow("Failed serializing construct at path 'test/config' with name 'config': Error: boom");
    });
  });

  describe('resolves as cdk8s does', () => {
    test('tokens: Lazy, IntOrString and Quantity, and a plain object that resolves itself', () => {
      const c = chart();
      const service = new k8s.KubeService(c, 'service', {
        metadata: { name: 'web', namespace: 'web', annotations: { note: Lazy.any({ produce: () => 'late' }) as never } },
        spec: {
          ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }],
          selector: { resolve: () => ({ b: '2', a: '1' }) } as never,
          externalIPs: Lazy.any({ produce: () => ['10.0.0.1'] }) as never,
        },
      });
      const quota = new k8s.KubeResourceQuota(c, 'quota', { metadata: { name: 'q', namespace: 'web' }, spec: { hard: { cpu: k8s.Quantity.fromString('2') } } });
      for (const object of [service, quota]) {
        expect(fastJson(object)).toBeDefined();
        expect(text(objectJson(object))).toBe(text(object.toJson()));
      }
      expect(objectJson(service)).toMatchObject({
        metadata: { annotations: { note: 'late' } }, spec: { externalIPs: ['10.0.0.1'], ports: [{ targetPort: 'http' }], selector: { a: '1', b: '2' } },
      });
      expect(Object.keys((objectJson(service) as { spec: { selector: object } }).spec.selector)).toEqual(['a', 'b']);
      expect(objectJson(quota)).toMatchObject({ spec: { hard: { cpu: '2' } } });
    });

    test('producers asked in the order of their keys, before the keys are sorted', () => {
      const make = () => {
        let asked = 0;
        return configMap({ b: Lazy.any({ produce: () => String(++asked) }), a: Lazy.any({ produce: () => String(++asked) }) });
      };
      const object = make();
      expect(fastJson(object)).toBeDefined();
      expect(objectJson(make())).toMatchObject({ data: { a: '2', b: '1' } });
      expect(both(make).fast).toBe(both(make).cdk8s);
    });

    test('keys sorted, apiVersion, kind and metadata first, empty metadata and nullish values dropped', () => {
      const object = new ApiObject(chart(), 'config', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', annotations: {}, finalizers: [] },
        data: { b: '2', a: '1', gone: undefined, nothing: null }, immutable: false, binaryData: {},
      });
      expect(fastJson(object)).toBeDefined();
      const json = objectJson(object) as Record<string, unknown>;
      expect(text(json)).toBe(text(object.toJson()));
      expect(Object.keys(json)).toEqual(['apiVersion', 'kind', 'metadata', 'binaryData', 'data', 'immutable']);
      expect(json.metadata).toEqual({ name: 'config' });
      expect(Object.keys(json.data as object)).toEqual(['a', 'b']);
    });

    test('keys in code-unit order as toJson() sorts them (capitals first, digits as text, accents last), integer-like keys first as JavaScript lists them', () => {
      const data = { z: '1', é: '2', B: '3', a: '4', a10: '5', a9: '6', 10: '7', 9: '8' };
      const { fast, cdk8s } = both(() => configMap(data));
      expect(fast).toBe(cdk8s);
      expect(Object.keys((objectJson(configMap(data)) as { data: object }).data)).toEqual(['9', '10', 'B', 'a', 'a10', 'a9', 'z', 'é']);
    });
  });
});
