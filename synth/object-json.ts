import { ApiObject, App, ImplicitTokenResolver, IResolver, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

/**
 * An object's JSON: exactly what `object.toJson()` returns, in a fraction of
 * its time for the objects a synth renders. cdk8s resolves every value of an
 * object through its resolvers (finding the app again for each one), then
 * copies the result once more to sort its keys and drop empty values, and the
 * typed `k8s` classes convert it a third time. Here plain values (strings,
 * numbers, booleans, plain objects and arrays, which cdk8s's own resolvers
 * leave as they are) are sorted and copied once, and only other values
 * (`Quantity`, `IntOrString`, `Lazy`) go through cdk8s's `resolve`. The typed
 * conversion is the class's own (`k8s.toJson_<Kind>Props`).
 *
 * Anything else takes `toJson()` itself: an object with JSON patches, an app
 * with resolvers of its own, `CDK8S_DISABLE_SORT`, a class other than
 * `ApiObject` or a `k8s` one, a value cdk8s would refuse. Tests hold both to
 * the same JSON for every object of the reference environments.
 */
export function objectJson(object: ApiObject): unknown {
  return fastJson(object) ?? object.toJson();
}

/** Returned from inside the walk when a value needs cdk8s's own `toJson()`. */
const UNUSUAL = Symbol('unusual');

/** `toJson()`'s steps for a plain `ApiObject` or a `k8s` class, or undefined where only `toJson()` itself will do. */
function fastJson(object: ApiObject): unknown {
  const convert = typedConversion(object);
  const { metadata } = object;
  // The fields `ApiObject.toJson()` and `ApiObjectMetadataDefinition.toJson()` read (private in cdk8s's typings).
  const { props, patches } = object as unknown as { props?: object; patches?: unknown[] };
  const fields = metadata as unknown as MetadataFields;
  if (convert === undefined || !Array.isArray(patches) || patches.length > 0 || !isPlain(props) || !isPlain(fields._additionalAttributes)
    || process.env.CDK8S_DISABLE_SORT || !hasDefaultResolvers(object)) return undefined;
  const metadataJson = plainJson({
    ...fields._additionalAttributes, name: metadata.name, namespace: metadata.namespace, annotations: fields.annotations,
    finalizers: fields.finalizers, ownerReferences: fields.ownerReferences, labels: fields.labels,
  }, object, true);
  if (metadataJson === UNUSUAL) return undefined;
  const json = plainJson({ ...props, metadata: metadataJson }, object, false);
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

const conversions = new WeakMap<Function, Conversion | undefined>();

/**
 * What the object's class does to the JSON of `ApiObject.toJson()`: nothing
 * for `ApiObject` itself; for a class of cdk8s-plus's `k8s` that declares
 * `toJson` directly over `ApiObject`, its generated `toJson_<Kind>Props`.
 */
function typedConversion(object: ApiObject): Conversion | undefined {
  const type = object.constructor;
  if (type === ApiObject) return json => json;
  if (conversions.has(type)) return conversions.get(type);
  const library = k8s as unknown as Record<string, unknown>;
  const props = library[`toJson_${type.name}Props`];
  const gvk = (type as { GVK?: object }).GVK;
  const conversion = library[type.name] === type && typeof props === 'function' && isPlain(gvk)
    && Object.getPrototypeOf(type.prototype) === ApiObject.prototype && Object.prototype.hasOwnProperty.call(type.prototype, 'toJson')
    ? (json: Record<string, unknown>) => ({ ...gvk, ...props(json) })
    : undefined;
  conversions.set(type, conversion);
  return conversion;
}

const defaultResolvers = new WeakMap<App, boolean>();

/** Whether the object's app resolves with cdk8s's three resolvers alone, which leave plain values as they are. */
function hasDefaultResolvers(object: ApiObject): boolean {
  const app = App.of(object) as App;
  let known = defaultResolvers.get(app);
  if (known === undefined) {
    const expected = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];
    known = app.resolvers.length === expected.length && app.resolvers.every((resolver: IResolver, i) => resolver.constructor === expected[i]);
    defaultResolvers.set(app, known);
  }
  return known;
}

/** An object of `Object`'s own prototype that cdk8s's `ImplicitTokenResolver` would not call. */
function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
    && typeof (value as { resolve?: unknown }).resolve !== 'function';
}

/**
 * cdk8s's `resolve` then `sanitizeValue` in one walk: nullish values dropped
 * from objects (and, with `dropEmpty`, empty objects and arrays, as for
 * metadata), keys sorted, non-plain values resolved by cdk8s. `UNUSUAL` for a
 * value that only cdk8s's own steps should handle.
 */
function plainJson(value: unknown, object: ApiObject, dropEmpty: boolean, resolved = false): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': return value;
    case 'object': break;
    default: return UNUSUAL;
  }
  if (Array.isArray(value)) {
    if (dropEmpty && value.length === 0) return undefined;
    const items = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
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
  const result: Record<string, unknown> = {};
  let empty = true;
  for (const key of Object.keys(value).sort()) {
    const item = plainJson(value[key], object, dropEmpty, resolved);
    if (item === UNUSUAL) return UNUSUAL;
    if (item !== undefined) {
      result[key] = item;
      empty = false;
    }
  }
  return dropEmpty && empty ? undefined : result;
}
