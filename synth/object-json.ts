import { ApiObject, App, ImplicitTokenResolver, IResolver, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { k8sConversion } from './typed-conversion';

/**
 * An object's JSON: exactly what `object.toJson()` returns, in less time for
 * the objects a synth renders. cdk8s resolves every value of an
 * object through its resolvers (finding the app again for each one), then
 * copies the result once more to sort its keys and drop empty values, and the
 * typed `k8s` classes convert it a third time. Here plain values (strings,
 * numbers, booleans, plain objects and arrays, which cdk8s's own resolvers
 * leave as they are) are resolved in cdk8s's order and sorted in the same
 * walk, and only other values (`Quantity`, `IntOrString`, `Lazy`) go through
 * cdk8s's `resolve`. The typed conversion is the class's own
 * (`k8s.toJson_<Kind>Props`), done by `k8sConversion`.
 *
 * Anything else takes `toJson()` itself: an object with JSON patches or a
 * `toJson` of its own, an app with resolvers of its own, `CDK8S_DISABLE_SORT`,
 * a class other than `ApiObject` or a `k8s` one, a value cdk8s would treat
 * otherwise or refuse, an error. The value of a token whose producer gives a
 * different value each time may then differ: cdk8s expects producers to give
 * the same value whenever they are asked. Tests hold both to the same JSON
 * for every object of the reference environments.
 */
export function objectJson(object: ApiObject): unknown {
  let json: unknown;
  try {
    json = fastJson(object);
  } catch {
    // cdk8s's own message, naming the object, for whatever failed.
    json = undefined;
  }
  return json ?? object.toJson();
}

/** Returned from inside the walk when a value needs cdk8s's own `toJson()`. */
const UNUSUAL = Symbol('unusual');

/** `ApiObject.toJson` as cdk8s defines it, to tell a replaced one. */
const API_OBJECT_TO_JSON = ApiObject.prototype.toJson;

/**
 * `toJson()`'s steps for a plain `ApiObject` or a `k8s` class, or undefined
 * where only `toJson()` itself will do (exported for the tests that hold the
 * two together).
 */
export function fastJson(object: ApiObject): unknown {
  const convert = typedConversion(object);
  // The fields `ApiObject.toJson()` and `ApiObjectMetadataDefinition.toJson()` read (private in cdk8s's typings).
  const { props, patches } = object as unknown as { props?: object; patches?: unknown[] };
  const { metadata } = object;
  const fields = metadata as unknown as MetadataFields;
  if (convert === undefined || !Array.isArray(patches) || patches.length > 0 || !isPlain(props) || !isPlain(fields._additionalAttributes)
    || process.env.CDK8S_DISABLE_SORT || !hasDefaultResolvers(object)) return undefined;
  // In `toJson()`'s order: the props copied, then the metadata rendered, then the props resolved.
  const data = copied(props);
  const metadataJson = plainJson(Object.assign(copied(fields._additionalAttributes), {
    name: metadata.name, namespace: metadata.namespace, annotations: fields.annotations,
    finalizers: fields.finalizers, ownerReferences: fields.ownerReferences, labels: fields.labels,
  }), object, true);
  if (metadataJson === UNUSUAL) return undefined;
  data.metadata = metadataJson;
  const json = plainJson(data, object, false);
  if (!isPlain(json)) return undefined;
  // apiVersion, kind and metadata first, as `ApiObject.toJson()` orders them.
  const ordered: Record<string, unknown> = {};
  for (const key of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) {
    if (key in json) ordered[key] = json[key];
  }
  return convert(ordered);
}

interface MetadataFields {
  readonly _additionalAttributes?: object;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly labels?: unknown;
}

type Conversion = (json: Record<string, unknown>) => unknown;

/** A `k8s` class's generated conversion, with the `toJson` it was found with. */
const conversions = new WeakMap<Function, { toJson: Function; props: (json: unknown) => object } | null>();

/**
 * What the object's class does to the JSON of `ApiObject.toJson()`: nothing
 * for `ApiObject` itself; for a class of cdk8s-plus's `k8s` that declares
 * `toJson` directly over `ApiObject`, its GVK and its generated
 * `toJson_<Kind>Props`. Undefined where `toJson()` was replaced, on the
 * object, its class or `ApiObject`.
 */
function typedConversion(object: ApiObject): Conversion | undefined {
  if (ApiObject.prototype.toJson !== API_OBJECT_TO_JSON) return undefined;
  const type = object.constructor as Function & { GVK?: unknown };
  if (type === ApiObject) return object.toJson === API_OBJECT_TO_JSON ? json => json : undefined;
  if (!conversions.has(type)) {
    const props = k8sConversion(`${type.name}Props`);
    const known = (k8s as unknown as Record<string, unknown>)[type.name] === type && props !== undefined
      && Object.getPrototypeOf(type.prototype) === ApiObject.prototype && Object.prototype.hasOwnProperty.call(type.prototype, 'toJson');
    conversions.set(type, known ? { toJson: type.prototype.toJson, props: props as (json: unknown) => object } : null);
  }
  const conversion = conversions.get(type);
  const gvk = type.GVK;
  if (!conversion || object.toJson !== conversion.toJson || !isPlain(gvk)) return undefined;
  return json => Object.assign(copied(gvk), conversion.props(json));
}

/**
 * A plain object's own keys and values, in order: what `{ ...value }` gives,
 * without its cost. In Node 20's V8, a spread copy of an object that was
 * itself made by spreading, with keys added after, gets a hidden class of its
 * own every time, allocated where only a full collection frees it: over a
 * large estate, most of what rendering leaves in the old generation.
 */
function copied(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = value[key];
  return copy;
}

/** cdk8s's three resolvers, which leave plain values as they are. */
const DEFAULT_RESOLVERS: readonly (new () => IResolver)[] = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

/** Whether the object's app resolves with cdk8s's three resolvers alone, as they are. */
function hasDefaultResolvers(object: ApiObject): boolean {
  const resolvers: unknown = (App.of(object) as Partial<App>).resolvers;
  return Array.isArray(resolvers) && resolvers.length === DEFAULT_RESOLVERS.length && DEFAULT_RESOLVERS.every((type, i) => {
    const resolver = resolvers[i] as IResolver;
    return resolver.constructor === type && resolver.resolve === type.prototype.resolve;
  });
}

/**
 * An object that cdk8s's resolvers and `sanitizeValue` take as a plain
 * dictionary: `Object`'s own prototype and `constructor`, no `resolve`
 * function, no own `__proto__` key (copying one would set a prototype).
 */
function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
    && (value as { constructor?: unknown }).constructor === Object && typeof (value as { resolve?: unknown }).resolve !== 'function'
    && !Object.prototype.hasOwnProperty.call(value, '__proto__');
}

/** An array that cdk8s's resolvers leave as it is, without holes. */
function isPlainArray(value: unknown[]): boolean {
  const { resolve: resolver, value: inner } = value as unknown as { resolve?: unknown; value?: unknown };
  return Object.getPrototypeOf(value) === Array.prototype && typeof resolver !== 'function' && typeof inner !== 'number' && typeof inner !== 'string';
}

/**
 * cdk8s's `resolve` then `sanitizeValue` in one walk: values resolved in
 * their objects' key order (a producer may count on it), nullish values
 * dropped from objects (and, with `dropEmpty`, empty objects and arrays, as
 * for metadata), keys sorted, tokens resolved by cdk8s. `UNUSUAL` for a value
 * that only cdk8s's own steps should handle.
 */
function plainJson(value: unknown, object: ApiObject, dropEmpty: boolean, resolved = false): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': return value;
    case 'object': break;
    default: return UNUSUAL;
  }
  if (Array.isArray(value)) {
    if (!isPlainArray(value)) return UNUSUAL;
    if (dropEmpty && value.length === 0) return undefined;
    const items = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return UNUSUAL;
      const item = plainJson(value[i], object, dropEmpty, resolved);
      if (item === UNUSUAL) return UNUSUAL;
      items[i] = item;
    }
    return items;
  }
  if (!isPlain(value)) {
    // A token (`Quantity`, `IntOrString`, `Lazy`): cdk8s resolves it, once; what it gives must then be plain.
    return resolved ? UNUSUAL : plainJson(resolve([], value, object), object, dropEmpty, true);
  }
  // Resolved in the order of the keys, as cdk8s resolves them, then sorted.
  const resolvedValues: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = plainJson(value[key], object, dropEmpty, resolved);
    if (item === UNUSUAL) return UNUSUAL;
    if (item !== undefined) resolvedValues[key] = item;
  }
  const keys = Object.keys(resolvedValues);
  if (dropEmpty && keys.length === 0) return undefined;
  const result: Record<string, unknown> = {};
  for (const key of keys.sort()) result[key] = resolvedValues[key];
  return result;
}
