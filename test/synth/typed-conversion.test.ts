import { inspect } from 'util';
import { k8s } from 'cdk8s-plus-27';
import { Field, k8sConversion, readTable, tableOf } from '../../synth/typed-conversion';

const generated = k8s as unknown as Record<string, (json: unknown) => unknown>;
const TYPES = Object.keys(k8s).filter(name => name.startsWith('toJson_')).map(name => name.slice('toJson_'.length)).sort();

/** The result, every key in its order (those holding undefined too, which JSON would hide), or the error thrown. */
function outcome(convert: () => unknown): string {
  try {
    return inspect(convert(), { depth: null, breakLength: Infinity });
  } catch (error) {
    return `throws ${(error as Error).constructor.name}`;
  }
}

/** Both conversions of `json` as type `type`: the table's and the generated function's. */
function both(type: string, json: unknown): { table: string; generated: string } {
  return { table: outcome(() => k8sConversion(type)!(json)), generated: outcome(() => generated[`toJson_${type}`](json)) };
}

/**
 * A value for every field of `type`, of the shape its line expects, nested
 * types `depth` deep, plus a key no field reads: maps with keys out of order
 * and an undefined value, an as-is object with its keys out of order.
 */
function sample(type: string, depth = 3): Record<string, unknown> {
  const value = ({ how, type: inner }: Field): unknown => {
    const nested = () => (depth > 0 ? sample(inner!, depth - 1) : undefined);
    switch (how) {
      case 'as-is': return { z: 1, a: { y: [2, { b: 3, a: 4 }] } };
      case 'value': return { value: '1Gi' };
      case 'date': return undefined;
      case 'typed': return nested();
      case 'list': return ['b', 'a'];
      case 'typed-list': return depth > 0 ? [sample(inner!, depth - 1), undefined] : undefined;
      case 'map': return { b: '2', gone: undefined, a: '1' };
      case 'value-map': return { memory: { value: '1Gi' }, gone: undefined, cpu: { value: 2 } };
      case 'typed-map': return depth > 0 ? { b: sample(inner!, depth - 1), a: sample(inner!, depth - 1) } : undefined;
      case 'list-map': return { b: ['y', 'x'], a: [] };
    }
  };
  const json: Record<string, unknown> = { notAField: true };
  for (const field of tableOf(type)!) json[field.property] = value(field);
  return json;
}

describe('k8sConversion', () => {
  test('reads a table from every generated conversion of cdk8s-plus-27', () => {
    expect(TYPES.length).toBeGreaterThan(400);
    expect(TYPES.filter(type => tableOf(type) === undefined)).toEqual([]);
  });

  test('reads each kind of line: the JSON key, the property and how it converts', () => {
    const fields = (type: string) => Object.fromEntries(tableOf(type)!.map(({ key, ...field }) => [key, field]));
    expect(fields('NetworkPolicyPort')).toEqual({
      endPort: { property: 'endPort', how: 'as-is' }, port: { property: 'port', how: 'value' }, protocol: { property: 'protocol', how: 'as-is' },
    });
    expect(fields('ObjectMeta')).toMatchObject({
      labels: { property: 'labels', how: 'map' }, creationTimestamp: { how: 'date' }, finalizers: { how: 'list' },
      ownerReferences: { how: 'typed-list', type: 'OwnerReference' },
    });
    expect(fields('PodSpec')).toMatchObject({ hostPID: { property: 'hostPid', how: 'as-is' }, securityContext: { how: 'typed', type: 'PodSecurityContext' } });
    expect(fields('ResourceRequirements')).toMatchObject({ limits: { how: 'value-map' } });
    expect(fields('JsonSchemaProps')).toMatchObject({
      $ref: { property: 'ref' }, properties: { how: 'typed-map', type: 'JsonSchemaProps' }, 'x-kubernetes-preserve-unknown-fields': { property: 'xKubernetesPreserveUnknownFields' },
    });
    expect(fields('SubjectAccessReviewSpec')).toMatchObject({ extra: { property: 'extra', how: 'list-map' } });
    // Every kind of line occurs.
    expect(new Set(TYPES.flatMap(type => tableOf(type)!.map(field => field.how))).size).toBe(10);
  });

  test.each(TYPES)('converts %s exactly as its generated function, keys in the same order', type => {
    const json = sample(type);
    const { table, generated: expected } = both(type, json);
    expect(table).toEqual(expected);
    expect(table).not.toContain('notAField');
  });

  test('unwraps IntOrString and Quantity values, and leaves a plain number where the generated function drops it', () => {
    expect(k8sConversion('NetworkPolicyPort')!({ port: { value: 443 }, protocol: 'TCP' })).toStrictEqual({ port: 443, protocol: 'TCP' });
    expect(k8sConversion('NetworkPolicyPort')!({ port: 443 })).toStrictEqual({});
    // In a map, the generated function keeps the key of a value it could not unwrap.
    expect(k8sConversion('ResourceRequirements')!({ limits: { cpu: { value: '1' }, memory: null } })).toStrictEqual({ limits: { cpu: '1', memory: undefined } });
  });

  describe('values of a shape the table does not expect: the generated function decides, with the same result or error', () => {
    test.each([
      ['a list that is a string', 'ObjectMeta', { finalizers: 'one' }],
      ['a list that is null', 'ObjectMeta', { finalizers: null }],
      ['a list with a hole', 'ObjectMeta', { finalizers: ['a', , 'b'] }],
      ['a typed field that is null', 'PodSpec', { securityContext: null }],
      ['a typed field that is a string', 'PodSpec', { securityContext: 'restricted' }],
      ['a typed item that is null', 'PodSpec', { containers: [null] }],
      ['a map that is an array', 'ObjectMeta', { labels: ['a'] }],
      ['a map with an own __proto__ key', 'ObjectMeta', { labels: JSON.parse('{"__proto__": "x", "a": "1"}') }],
      ['a map of lists with a null list', 'SubjectAccessReviewSpec', { extra: { a: null, b: ['x'] } }],
      ['a map of lists with a string', 'SubjectAccessReviewSpec', { extra: { a: 'x' } }],
      ['a map of quantities with a number', 'ResourceRequirements', { limits: { cpu: 2 } }],
      ['a date', 'ObjectMeta', { name: 'x', creationTimestamp: new Date(0) }],
      ['a date that is a string', 'ObjectMeta', { creationTimestamp: '1970-01-01' }],
      ['a whole object that is null', 'ObjectMeta', null],
      ['a whole object that is an array', 'ObjectMeta', ['a']],
      ['a whole object that is a string', 'ObjectMeta', 'meta'],
      ['nothing', 'ObjectMeta', undefined],
    ])('%s', (_, type, json) => {
      const { table, generated: expected } = both(type as string, json);
      expect(table).toEqual(expected);
    });

    test('a date comes out as the generated function writes it', () => {
      expect(k8sConversion('ObjectMeta')!({ name: 'x', creationTimestamp: new Date(0) })).toEqual({ creationTimestamp: '1970-01-01T00:00:00.000Z', name: 'x' });
    });
  });

  test('is undefined for a type cdk8s-plus-27 does not generate', () => {
    expect(k8sConversion('NoSuchTypeProps')).toBeUndefined();
  });

  describe('reads no table from a source the generator did not write so, and leaves it to the function', () => {
    const source = (lines: string) => `function toJson_Thing(obj) {
    if (obj === undefined) {
        return undefined;
    }
    const result = {
${lines}
    };
    // filter undefined values
    return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});
}`;

    test('the frame as generated', () => {
      expect(readTable('Thing', source("        'a': obj.a,\n        'b-c': obj.bC?.value,"))).toEqual([
        { key: 'a', property: 'a', how: 'as-is', type: undefined }, { key: 'b-c', property: 'bC', how: 'value', type: undefined },
      ]);
    });

    test.each([
      ['a line of another kind', "        'a': obj.a ?? 1,"],
      ['a key twice', "        'a': obj.a,\n        'a': obj.b,"],
      ['a type with no generated function', "        'a': toJson_NoSuchType(obj.a),"],
      ['a map whose expression reads another property', "        'a': ((obj.a) === undefined) ? undefined : (Object.entries(obj.b).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})),"],
    ])('%s', (_, lines) => {
      expect(readTable('Thing', source(lines))).toBeUndefined();
    });

    test('another name, or another frame', () => {
      expect(readTable('Other', source("        'a': obj.a,"))).toBeUndefined();
      expect(readTable('Thing', source("        'a': obj.a,").replace('i[1] === undefined', 'i[1] == null'))).toBeUndefined();
      expect(readTable('Thing', 'function toJson_Thing(obj) { return obj; }')).toBeUndefined();
    });
  });
});
