import { DEFAULT_SCALAR_STYLE_RULES, dump, DUMP_SCHEMA, PresenterOptions, SCALAR_STYLE, ScalarLayout } from 'js-yaml';

/**
 * Where long strings fold: a YAML block scalar (`>-`) past this column, so
 * that a reviewer reads a PromQL expression or a description without
 * scrolling, and a change to one shows as a changed line of it. Folding is
 * YAML's own: every reader gets the same string back.
 */
export const YAML_LINE_WIDTH = 100;

/**
 * How every YAML file is presented. js-yaml's dump schema quotes any string
 * that a YAML 1.1 or 1.2 reader would take for something else: kubectl and
 * Helm (go-yaml) and Ansible (PyYAML) read YAML 1.1, where a bare `on`,
 * `yes`, `no`, `1:20` or `=` is not a string. The schema is added where the
 * options are used, as a worker thread cannot be sent its functions.
 */
export const YAML_PRESENTER_OPTIONS: Omit<PresenterOptions, 'schema' | 'scalarStyleRules'> = { lineWidth: YAML_LINE_WIDTH, quoteStyle: 'double' };

/**
 * A multi-line string (a script, a configuration file) is a literal block,
 * its lines as they are: js-yaml would fold the whole text if one line were
 * long, joining lines a reader must then take apart. Only one-line strings
 * fold. Runs before js-yaml's own rules, which leave a chosen style alone.
 * (The YAML worker repeats it in its own source.)
 */
export function literalMultiline(layout: ScalarLayout): void {
  if (layout.style === SCALAR_STYLE.PLAIN && !layout.isKey && layout.node.value.includes('\n')
    && (layout.allowedStylesMask & (1 << SCALAR_STYLE.LITERAL_BLOCK)) !== 0) {
    layout.style = SCALAR_STYLE.LITERAL_BLOCK;
  }
}

/** The styling rules: `literalMultiline`, then js-yaml's. */
export const YAML_SCALAR_STYLE_RULES = [literalMultiline, ...Object.values(DEFAULT_SCALAR_STYLE_RULES)];

/**
 * One value as a YAML document, keys sorted so that the text changes only
 * where a value does, repeated objects written out (no aliases).
 */
export function sortedYaml(value: unknown): string {
  return dump(value, { ...YAML_PRESENTER_OPTIONS, scalarStyleRules: YAML_SCALAR_STYLE_RULES, schema: DUMP_SCHEMA, noRefs: true, sortKeys: true });
}
