import { k8s } from 'cdk8s-plus-27';

/**
 * cdk8s-plus-27's generated conversions (`k8s.toJson_<Type>`), which turn an
 * object's resolved props into its JSON, done by one walk over a table of
 * each type's fields read from the generated function's own source.
 *
 * The generated functions build each object once per field (a spread per key
 * to drop the undefined ones): a third of rendering a large estate, and at
 * ten tenants some forty functions each run for the first time. The table
 * gives the same result, key for key and in the same order: a field is
 * copied as it is, converted by its type, a list of either, a map of either,
 * unwrapped (`IntOrString`, `Quantity`) or written as a date, as the line
 * that generated it says.
 *
 * A type whose source reads otherwise than the generator writes, and any
 * value of a shape its table does not expect (a list that is not an array,
 * say), is left to the generated function itself: so is the result where the
 * two could ever differ. Tests hold the two together for every type.
 */
export function k8sConversion(type: string): ((json: unknown) => unknown) | undefined {
  const generated = GENERATED[`toJson_${type}`];
  if (typeof generated !== 'function') return undefined;
  const table = tableOf(type);
  if (table === undefined) return generated;
  return json => {
    const converted = convert(table, json);
    return converted === UNUSUAL ? generated(json) : converted;
  };
}

type Conversion = (json: unknown) => unknown;

const GENERATED = k8s as unknown as Record<string, Conversion | undefined>;

/** How a field's value becomes JSON: one for each kind of line the generator writes. */
export type How =
  /** `obj.p`: as it is. */
  | 'as-is'
  /** `obj.p?.value`: an `IntOrString` or `Quantity` unwrapped. */
  | 'value'
  /** `obj.p?.toISOString()`: a date. */
  | 'date'
  /** `toJson_T(obj.p)`: by its type. */
  | 'typed'
  /** `obj.p?.map(y => y)`: a list, copied. */
  | 'list'
  /** `obj.p?.map(y => toJson_T(y))`: a list, each item by its type. */
  | 'typed-list'
  /** A map, its undefined values dropped, the others as they are, unwrapped, by their type, or (a map of lists) copied. */
  | 'map' | 'value-map' | 'typed-map' | 'list-map';

/** A field: its JSON key, its property, how it converts, and for the typed kinds the type's name (its table read when first needed: types nest). */
export interface Field {
  readonly key: string;
  readonly property: string;
  readonly how: How;
  readonly type?: string;
}

/** Each line the generator writes for a field, as a pattern over its value expression that captures the property, and the type where there is one. */
const LINES: readonly (readonly [How, RegExp])[] = [
  ['as-is', /^obj\.(\w+)$/],
  ['value', /^obj\.(\w+)\?\.value$/],
  ['date', /^obj\.(\w+)\?\.toISOString\(\)$/],
  ['typed', /^toJson_(\w+)\(obj\.(\w+)\)$/],
  ['list', /^obj\.(\w+)\?\.map\(y => y\)$/],
  ['typed-list', /^obj\.(\w+)\?\.map\(y => toJson_(\w+)\(y\)\)$/],
  ...([['map', 'i\\[1\\]'], ['value-map', 'i\\[1\\]\\?\\.value'], ['typed-map', 'toJson_(\\w+)\\(i\\[1\\]\\)'], ['list-map', 'i\\[1\\]\\?\\.map\\(y => y\\)']] as const)
    .map(([how, item]): [How, RegExp] => [how, new RegExp(String.raw`^\(\(obj\.(\w+)\) === undefined\) \? undefined : \(Object\.entries\(obj\.\1\)`
      + String.raw`\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: ${item} \}\), \{\}\)\)$`)]),
];

/** The generated function's frame around its fields, which the table must find exactly. */
const HEAD = /^function toJson_(\w+)\(obj\) \{\s+if \(obj === undefined\) \{\s+return undefined;\s+\}\s+const result = \{\n/;
const TAIL = /\n\s+\};\s+\/\/ filter undefined values\s+return Object\.entries\(result\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\);\s+\}$/;

const tables = new Map<string, readonly Field[] | undefined>();

/** A type's fields, read from its generated function; undefined where its source reads otherwise. */
export function tableOf(type: string): readonly Field[] | undefined {
  if (!tables.has(type)) tables.set(type, readTable(type, String(GENERATED[`toJson_${type}`])));
  return tables.get(type);
}

/** The fields of the generated function `source` of `type`, exactly as it writes them; undefined where it reads otherwise. */
export function readTable(type: string, source: string): readonly Field[] | undefined {
  const head = HEAD.exec(source);
  const tail = TAIL.exec(source);
  if (head === null || head[1] !== type || tail === null) return undefined;
  const fields: Field[] = [];
  for (const line of source.slice(head[0].length, tail.index).split('\n')) {
    const field = readField(line.trim());
    // A line it does not know, a key twice, or a type with no generated function.
    if (field === undefined || fields.some(f => f.key === field.key)
      || (field.type !== undefined && typeof GENERATED[`toJson_${field.type}`] !== 'function')) return undefined;
    fields.push(field);
  }
  return fields;
}

/** One `'key': expression,` line of the generated object. */
function readField(line: string): Field | undefined {
  const parts = /^'([^'\\]+)': (.+),$/.exec(line);
  if (parts === null) return undefined;
  const [, key, expression] = parts;
  for (const [how, pattern] of LINES) {
    const match = pattern.exec(expression);
    if (match === null) continue;
    // The typed line names its type first, the others their property.
    const [property, type] = how === 'typed' ? [match[2], match[1]] : [match[1], match[2]];
    return { key, property, how, type };
  }
  return undefined;
}

/** Returned where a value is not of the shape the table expects: the generated function converts it. */
const UNUSUAL = Symbol('unusual');

/** `toJson_<Type>(json)` by the type's table, or `UNUSUAL`. */
function convert(table: readonly Field[], json: unknown): unknown {
  if (json === undefined) return undefined;
  if (!isObject(json)) return UNUSUAL;
  const result: Record<string, unknown> = {};
  for (const { key, property, how, type } of table) {
    const value = json[property];
    if (value === undefined) continue;
    const converted = how === 'as-is' ? value : convertValue(how, type, value);
    if (converted === UNUSUAL) return UNUSUAL;
    if (converted !== undefined) result[key] = converted;
  }
  return result;
}

function convertValue(how: How, type: string | undefined, value: unknown): unknown {
  switch (how) {
    // As `?.value` reads it: of a string or a number, undefined.
    case 'value': return (value as { value?: unknown } | null)?.value;
    case 'typed': return typed(type!, value);
    case 'list': case 'typed-list': {
      if (!Array.isArray(value)) return UNUSUAL;
      const items = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return UNUSUAL;
        const item = how === 'list' ? value[i] : typed(type!, value[i]);
        if (item === UNUSUAL) return UNUSUAL;
        items[i] = item;
      }
      return items;
    }
    case 'map': case 'value-map': case 'typed-map': case 'list-map': {
      if (!isObject(value)) return UNUSUAL;
      const map: Record<string, unknown> = {};
      for (const name of Object.keys(value)) {
        const item = value[name];
        if (item === undefined) continue;
        const converted = how === 'map' ? item : how === 'value-map' ? convertValue('value', undefined, item)
          : how === 'typed-map' ? typed(type!, item) : convertValue('list', undefined, item);
        if (converted === UNUSUAL) return UNUSUAL;
        map[name] = converted;
      }
      return map;
    }
    // A date, or whatever else only the generated function can say.
    default: return UNUSUAL;
  }
}

/** A value by its type's table, or by the generated function where that has none. */
function typed(type: string, value: unknown): unknown {
  const table = tableOf(type);
  return table === undefined ? GENERATED[`toJson_${type}`]!(value) : convert(table, value);
}

/** An object whose properties the walk reads: not null, a primitive or an array, and without a `__proto__` key of its own (copying one would set a prototype). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.prototype.hasOwnProperty.call(value, '__proto__');
}
