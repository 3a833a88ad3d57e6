import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { show } from '../core/checks';
import schema from './cluster-spec.schema.json';

/**
 * The shape of a spec from anywhere (TypeScript, JavaScript, JSON, YAML),
 * checked against the JSON Schema generated from the `ClusterSpec` types
 * (`scripts/spec-schema.ts`) before any construct is built: a missing field,
 * a value of the wrong type or an unknown field (a misspelt one) becomes a
 * problem naming the environment, the field, the value and the rule, never a
 * TypeError in the middle of the model. The rules of values are the
 * constructs' checks.
 */

/** How the schema is compiled, here and by the build's standalone validator. */
export const SPEC_VALIDATOR_OPTIONS = { allErrors: true, strict: false } as const;

let validator: ValidateFunction | undefined;

/**
 * The build's precompiled validator (`scripts/spec-validator.ts`), else the
 * schema compiled now: loaded at the first spec checked, as 320 kB of
 * generated code is more than a mere import of the package should cost.
 */
export function loadSpecValidator(): ValidateFunction {
  if (validator) return validator;
  try {
    validator = require('./spec-validator.js') as ValidateFunction;
  } catch {
    validator = new Ajv(SPEC_VALIDATOR_OPTIONS).compile(schema);
  }
  return validator;
}

/** Every problem of a spec's shape; `index` names an environment that has no name. */
export function specShapeProblems(spec: unknown, index: number): string[] {
  const validate = loadSpecValidator();
  if (validate(spec)) return [];
  const name = typeof (spec as { name?: unknown })?.name === 'string' ? (spec as { name: string }).name : `environments[${index}]`;
  return [...new Set(relevantErrors(validate.errors ?? [], spec).map(error => `[${name}] ${problemOf(error, spec)}`))];
}

/**
 * The errors worth reading: of a union (`anyOf`), those of the form whose `type` field the value has, or
 * else the union's own summary, rather than the failures of every form. Ajv reports a form's errors
 * before the union's, each at the schema path of the form's definition.
 */
function relevantErrors(errors: readonly ErrorObject[], spec: unknown): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  errors.forEach((union, index) => {
    if (union.keyword !== 'anyOf') return;
    const within = (e: ErrorObject) => e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`);
    const forms = errors.slice(0, index).filter(e => within(e) && !dropped.has(e));
    const formOf = (e: ErrorObject) => /#\/definitions\/([^/]+)\//.exec(e.schemaPath)?.[1] ?? '';
    const value = valueAt(spec, union.instancePath) as { type?: unknown } | undefined;
    const wrongType = new Set(forms.filter(e => e.instancePath === `${union.instancePath}/type`).map(formOf));
    const chosen = typeof value === 'object' && value !== null && value.type !== undefined
      ? [...new Set(forms.map(formOf))].find(form => !wrongType.has(form)) : undefined;
    for (const error of forms) if (chosen === undefined || formOf(error) !== chosen) dropped.add(error);
    if (chosen !== undefined) dropped.add(union);
  });
  return errors.filter(error => !dropped.has(error));
}

function valueAt(spec: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
}

/** `tenants[0].quota.pods` from `/tenants/0/quota/pods`. */
function fieldOf(pointer: string, extra?: string): string {
  const keys = [...pointer.split('/').slice(1).map(key => key.replace(/~1/g, '/').replace(/~0/g, '~')), ...extra === undefined ? [] : [extra]];
  return keys.reduce((path, key) => (/^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key), '') || 'spec';
}

/** As the constructs' problems show values, a long one cut short (a misplaced list can be most of a spec). */
function shown(value: unknown): string {
  const text = show(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The error as `field = value: rule`. */
function problemOf(error: ErrorObject, spec: unknown): string {
  const value = valueAt(spec, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${fieldOf(error.instancePath, String(params.missingProperty))} = (missing): is required`;
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const type = /#\/definitions\/([^/]+)\//.exec(error.schemaPath)?.[1] ?? (error.instancePath === '' ? 'ClusterSpec' : 'its parent');
      return `${fieldOf(error.instancePath, field)} = ${shown((value as Record<string, unknown>)[field])}: is not a field of ${type}`;
    }
    case 'type':
      return `${fieldOf(error.instancePath)} = ${shown(value)}: must be ${article(String(params.type))}`;
    case 'enum':
      return `${fieldOf(error.instancePath)} = ${shown(value)}: must be one of ${(params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${fieldOf(error.instancePath)} = ${shown(value)}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'anyOf':
      return `${fieldOf(error.instancePath)} = ${shown(value)}: matches none of the forms it may take`;
    default:
      return `${fieldOf(error.instancePath)} = ${shown(value)}: ${error.message ?? 'is not valid'}`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', null: 'null' };
  return type.split(',').map(t => names[t] ?? t).join(' or ');
}
