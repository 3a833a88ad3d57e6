import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { EnvironmentChart } from '../../stacks/environment-chart';
import { syntheticEstate } from '../../scripts/bench/synthetic-estate';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { objectJson } from '../../synth/object-json';
import { clusterSpec } from '../fixtures/cluster-spec';

/** Every object of the environments' construct trees. */
function objectsOf(...specs: Parameters<typeof clusterSpec>[0][]): ApiObject[] {
  const app = new App();
  return specs.flatMap(spec => new EnvironmentChart(app, spec as never).node.findAll().filter(ApiObject.isApiObject));
}

/** The same JSON, key order included, as the YAML writer keeps it. */
const text = (value: unknown) => JSON.stringify(value);

describe('objectJson', () => {
  const objects = objectsOf(...REFERENCE_ENVIRONMENTS, clusterSpec(), syntheticEstate(3));

  test('gives exactly what toJson() gives for every object of the reference environments, the fixture and a synthetic estate', () => {
    const different = objects.filter(object => text(objectJson(object)) !== text(object.toJson())).map(object => object.node.path);
    expect(different).toEqual([]);
    expect(objects.length).toBeGreaterThan(300);
  });

  test('renders every one of them without calling toJson()', () => {
    const slow = objects.filter(object => {
      const toJson = jest.spyOn(object, 'toJson');
      objectJson(object);
      const called = toJson.mock.calls.length > 0;
      toJson.mockRestore();
      return called;
    });
    expect(slow.map(object => `${object.constructor.name} ${object.node.path}`)).toEqual([]);
    // Plain ApiObjects (custom resources) and typed k8s classes alike.
    expect([...new Set(objects.map(object => object.constructor.name))]).toEqual(expect.arrayContaining(['ApiObject', 'KubeNetworkPolicy', 'KubeResourceQuota', 'KubeDeployment', 'KubeCronJob', 'KubeHorizontalPodAutoscalerV2']));
  });

  describe('takes toJson() itself', () => {
    let chart: Chart;
    beforeEach(() => {
      chart = new Chart(new App(), 'test');
    });

    /** Whether objectJson asked the object's own toJson(), and gave what it gave. */
    function viaToJson(object: ApiObject): boolean {
      const toJson = jest.spyOn(object, 'toJson');
      const json = objectJson(object);
      const called = toJson.mock.calls.length > 0;
      toJson.mockRestore();
      expect(text(json)).toBe(text(object.toJson()));
      return called;
    }

    test('for an object with a JSON patch', () => {
      const object = new k8s.KubeConfigMap(chart, 'config', { metadata: { name: 'config', namespace: 'web' }, data: { a: '1' } });
      object.addJsonPatch(JsonPatch.add('/data/b', '2'));
      expect(viaToJson(object)).toBe(true);
      expect(objectJson(object)).toMatchObject({ data: { a: '1', b: '2' } });
    });

    test('for an app with a resolver of its own', () => {
      const upper: IResolver = {
        resolve: (context: ResolutionContext) => {
          if (context.value === 'web') context.replaceValue('WEB');
        },
      };
      const app = new App({ resolvers: [upper] });
      const object = new ApiObject(new Chart(app, 'test'), 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'web' } });
      expect(viaToJson(object)).toBe(true);
      expect(objectJson(object)).toMatchObject({ metadata: { namespace: 'WEB' } });
    });

    test('with CDK8S_DISABLE_SORT set', () => {
      const object = new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { b: '2', a: '1' } });
      process.env.CDK8S_DISABLE_SORT = '1';
      try {
        expect(viaToJson(object)).toBe(true);
        expect(Object.keys((objectJson(object) as { data: object }).data)).toEqual(['b', 'a']);
      } finally {
        delete process.env.CDK8S_DISABLE_SORT;
      }
    });

    test('for a class that renders itself', () => {
      class Custom extends ApiObject {
        public toJson(): any {
          return { ...super.toJson(), extra: true };
        }
      }
      const object = new Custom(chart, 'custom', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'custom' } });
      expect(viaToJson(object)).toBe(true);
      expect(objectJson(object)).toMatchObject({ extra: true });
    });

    test('for a value cdk8s refuses, with its error', () => {
      const object = new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { when: new Date(0) } });
      expect(() => objectJson(object)).toThrow("can't render non-simple object of type 'Date'");
    });
  });

  describe('resolves as cdk8s does', () => {
    const chart = () => new Chart(new App(), 'test');

    test('tokens: Lazy, IntOrString and Quantity, and a plain object that resolves itself', () => {
      const c = chart();
      const object = new k8s.KubeService(c, 'service', {
        metadata: { name: 'web', namespace: 'web', annotations: { note: Lazy.any({ produce: () => 'late' }) as never } },
        spec: {
          ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }],
          selector: { resolve: () => ({ b: '2', a: '1' }) } as never,
          externalIPs: Lazy.any({ produce: () => ['10.0.0.1'] }) as never,
        },
      });
      const quota = new k8s.KubeResourceQuota(c, 'quota', { metadata: { name: 'q', namespace: 'web' }, spec: { hard: { cpu: k8s.Quantity.fromString('2') } } });
      for (const o of [object, quota]) expect(text(objectJson(o))).toBe(text(o.toJson()));
      expect(objectJson(object)).toMatchObject({
        metadata: { annotations: { note: 'late' } }, spec: { externalIPs: ['10.0.0.1'], ports: [{ targetPort: 'http' }], selector: { a: '1', b: '2' } },
      });
      expect(Object.keys((objectJson(object) as { spec: { selector: object } }).spec.selector)).toEqual(['a', 'b']);
      expect(objectJson(quota)).toMatchObject({ spec: { hard: { cpu: '2' } } });
    });

    test('keys sorted, apiVersion, kind and metadata first, empty metadata and nullish values dropped', () => {
      const object = new ApiObject(chart(), 'config', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', annotations: {}, finalizers: [] },
        data: { b: '2', a: '1', gone: undefined, nothing: null }, immutable: false, binaryData: {},
      });
      const json = objectJson(object) as Record<string, unknown>;
      expect(text(json)).toBe(text(object.toJson()));
      expect(Object.keys(json)).toEqual(['apiVersion', 'kind', 'metadata', 'binaryData', 'data', 'immutable']);
      expect(json.metadata).toEqual({ name: 'config' });
      expect(Object.keys(json.data as object)).toEqual(['a', 'b']);
    });
  });
});
