/**
 * The value keys a chart accepts, derived from its upstream `values.yaml` at
 * the pinned version (see `chart-values/README.md`): an object lists the
 * allowed child keys, `true` is any value (a scalar or a list), `'*'` an open
 * map whose keys are free. A `'*'` member of an object allows keys beyond
 * those listed (the values of a sub-chart, which that sub-chart checks).
 */
export type ValueKeys = { readonly [key: string]: ValueKeys | true | '*' };

/** The key tree of one chart version, as `chart-values/<chart>.keys.json` stores it. */
export interface ChartValueKeys {
  readonly chart: string;
  readonly version: string;
  readonly source: string;
  readonly keys: ValueKeys;
}

/** Chart values: what `values.yaml` holds. */
export type ChartValues = { readonly [key: string]: unknown };

/** Every key in `values` that the chart does not know, by dotted path (sorted), with its value. */
export function unknownValueKeys(values: ChartValues, keys: ValueKeys): { path: string; value: unknown }[] {
  const unknown: { path: string; value: unknown }[] = [];
  const walk = (node: unknown, tree: ValueKeys, path: string): void => {
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      // Own keys only: `constructor` or `toString` must not pass as known keys.
      const allowed = Object.hasOwn(tree, key) ? tree[key] : Object.hasOwn(tree, '*') ? tree['*'] : undefined;
      if (allowed === undefined) unknown.push({ path: at, value });
      else if (typeof allowed === 'object') walk(value, allowed, at);
    }
  };
  walk(values, keys, '');
  return unknown.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
