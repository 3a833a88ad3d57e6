import Ajv, { ValidateFunction } from 'ajv';

/**
 * Validators of custom resources from the CustomResourceDefinitions the
 * charts themselves install (`helm template --include-crds`): each served
 * version's OpenAPI v3 schema, as the API server would check an object of
 * it. Formats are not checked (the API server checks few), nor CEL rules.
 */
export class CrdSchemas {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, code: { regExp: goRegExp } });

  /** Adds the schemas of every CRD among `objects`. */
  public add(objects: readonly Record<string, any>[]): void {
    for (const crd of objects.filter(o => o.kind === 'CustomResourceDefinition')) {
      for (const version of crd.spec.versions ?? []) {
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        const schema = version.schema?.openAPIV3Schema;
        if (schema && !this.validators.has(key)) this.validators.set(key, this.ajv.compile(stripped(schema) as object));
      }
    }
  }

  public has(apiVersion: string, kind: string): boolean {
    return this.validators.has(`${apiVersion}/${kind}`);
  }

  /** The first failures of an object against its CRD's schema, or undefined when it is valid. */
  public error(object: Record<string, any>): string | undefined {
    const validate = this.validators.get(`${object.apiVersion}/${object.kind}`);
    if (!validate) return `no CustomResourceDefinition for ${object.apiVersion} ${object.kind}`;
    if (validate(object)) return undefined;
    return (validate.errors ?? []).slice(0, 3).map(e => `${e.instancePath || '/'} ${e.message}`).join('; ');
  }
}

/**
 * CRD patterns are Go (RE2) expressions: a leading `(?i)` becomes the `i`
 * flag; one JavaScript cannot compile is not checked.
 */
const goRegExp = Object.assign((pattern: string, flags: string) => {
  const caseless = pattern.startsWith('(?i)');
  try {
    return new RegExp(caseless ? pattern.slice(4) : pattern, caseless ? `${flags}i` : flags);
  } catch {
    return { test: () => true };
  }
}, { code: 'goRegExp' });

/** The schema without the Kubernetes extensions ajv does not know, which carry no constraint it could check, in JSON Schema's terms. */
function stripped(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripped);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  const node = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    // OpenAPI's `nullable` is JSON Schema's null type.
    if (key === 'nullable') continue;
    if (key === 'type' && node.nullable === true && typeof value === 'string') {
      out.type = [value, 'null'];
      continue;
    }
    // Under `properties` every key is a field name, not a keyword.
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, stripped(v)])) : stripped(value);
  }
  return out;
}
