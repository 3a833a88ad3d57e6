/**
 * Prints the skeleton of the value keys a Helm chart accepts, in the tree
 * format of `constructs/addons/chart-values/<chart>.keys.json` (see the
 * README there). It reads local files only and downloads nothing.
 *
 *   ts-node scripts/chart-keys.ts values <values.yaml> [--templates <dir>]
 *   ts-node scripts/chart-keys.ts schema <schema.json|crd.yaml> [--at <dotted.path>]
 *
 * `values`: a non-empty map becomes an object node, an empty map `"*"` (an
 * open map), anything else `true`. With `--templates`, every `.Values.<path>`
 * the templates in that directory read but the skeleton lacks is reported on
 * stderr: these are the keys `values.yaml` only mentions in comments, or not
 * at all, to be reviewed by hand.
 *
 * `schema`: a JSON Schema (a chart's `values.schema.json`) or an OpenAPI v3
 * schema (`--at spec.versions.0.schema.openAPIV3Schema.properties.spec` in a
 * CustomResourceDefinition) becomes a tree: listed `properties` become an
 * object node, open maps (`additionalProperties`, `patternProperties`,
 * `x-kubernetes-preserve-unknown-fields`, no properties at all) `"*"` or a
 * `"*": "*"` member, lists and scalars `true`. References are resolved
 * inside the document only; any other reference is an open map.
 *
 * The output is a starting point: which maps are free-form (`"*"`) is decided
 * by what the chart does with them, and that is a review, not a rule.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

type Tree = { [key: string]: Tree | true | '*' };
type Node = Tree | true | '*';
type Json = { [key: string]: unknown };

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sorts the keys of every object node, so that the output is deterministic. */
function sorted(node: Node): Node {
  if (node === true || node === '*') return node;
  const out: Tree = {};
  for (const key of Object.keys(node).sort()) out[key] = sorted(node[key]);
  return out;
}

/** The skeleton of a values document. */
export function valuesTree(values: unknown): Node {
  if (!isMap(values)) return true;
  const keys = Object.keys(values);
  if (keys.length === 0) return '*';
  const tree: Tree = {};
  for (const key of keys) tree[key] = valuesTree(values[key]);
  return tree;
}

/** Every `.Values.<path>` the files under `dir` read, as dotted paths. */
export function templatePaths(dir: string): string[] {
  const found = new Set<string>();
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ya?ml|tpl|txt|json)$/.test(entry.name)) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
          found.add(match[1].slice(1));
        }
      }
    }
  };
  walk(dir);
  return [...found].sort();
}

/** Whether the tree accepts the dotted path. */
function accepts(tree: Node, dotted: string): boolean {
  let node: Node = tree;
  for (const key of dotted.split('.')) {
    if (node === true || node === '*') return true;
    const next: Node | undefined = node[key] ?? node['*'];
    if (next === undefined) return false;
    node = next;
  }
  return true;
}

/** The tree of a JSON Schema or OpenAPI v3 schema node; `root` resolves `#/…` references. */
export function schemaTree(schema: unknown, root: unknown, seen: ReadonlySet<string> = new Set()): Node {
  if (!isMap(schema)) return true;
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/') || seen.has(ref)) return '*';
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = isMap(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    return target === undefined ? '*' : schemaTree(target, root, new Set([...seen, ref]));
  }
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap(k => (Array.isArray(schema[k]) ? (schema[k] as unknown[]) : []));
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : schema.type === undefined ? [] : [schema.type];
  const properties = isMap(schema.properties) ? schema.properties : undefined;
  const isObject = types.includes('object') || properties !== undefined;
  let tree: Tree | undefined;
  let open = false;
  if (isObject) {
    tree = {};
    for (const [key, sub] of Object.entries(properties ?? {})) tree[key] = schemaTree(sub, root, seen);
    open = properties === undefined
      || (schema.additionalProperties !== undefined && schema.additionalProperties !== false)
      || schema.patternProperties !== undefined
      || schema['x-kubernetes-preserve-unknown-fields'] === true;
  }
  for (const branch of branches) {
    const sub = schemaTree(branch, root, seen);
    if (sub === '*') open = true;
    // Two object nodes merge into an object node.
    else if (sub !== true) tree = merge(tree ?? {}, sub) as Tree;
  }
  if (tree === undefined) return open ? '*' : true;
  if (open) {
    if (Object.keys(tree).length === 0) return '*';
    tree['*'] = '*';
  }
  return tree;
}

/** Union of two trees: an open map wins over an object, an object over a leaf. */
export function merge(a: Node, b: Node): Node {
  if (a === '*' || b === '*') return '*';
  if (a === true) return b;
  if (b === true) return a;
  const out: Tree = { ...a };
  for (const [key, sub] of Object.entries(b)) out[key] = key in out ? merge(out[key], sub) : sub;
  return out;
}

function readDocument(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text);
  return YAML.parseAllDocuments(text).map(d => d.toJS()).find(d => d !== null && d !== undefined) ?? {};
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function main(args: string[]): number {
  const [mode, file] = args;
  if ((mode !== 'values' && mode !== 'schema') || !file) {
    process.stderr.write('usage: chart-keys.ts values <values.yaml> [--templates <dir>]\n'
      + '       chart-keys.ts schema <file> [--at <dotted.path>]\n');
    return 2;
  }
  let tree: Node;
  if (mode === 'values') {
    tree = valuesTree(YAML.parse(fs.readFileSync(file, 'utf8')) ?? {});
    const templates = option(args, '--templates');
    if (templates) {
      for (const dotted of templatePaths(templates)) {
        if (!accepts(tree, dotted)) process.stderr.write(`read by templates, not in values: ${dotted}\n`);
      }
    }
  } else {
    const document = readDocument(file);
    let schema: unknown = document;
    for (const part of (option(args, '--at') ?? '').split('.').filter(p => p !== '')) {
      schema = Array.isArray(schema) ? schema[Number(part)] : isMap(schema) ? schema[part] : undefined;
    }
    tree = schemaTree(schema, document);
  }
  process.stdout.write(`${JSON.stringify(sorted(tree), null, 2)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
