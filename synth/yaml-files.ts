import { dump, DumpOptions, visit } from 'js-yaml';

/**
 * How every document is written. js-yaml's default dump schema quotes any
 * string that a YAML 1.1 or 1.2 reader would take for something else: kubectl
 * and Helm (go-yaml) and Ansible (PyYAML) read YAML 1.1, where a bare `on`,
 * `yes`, `no`, `1:20` or `=` is not a string. Repeated objects are written out
 * (no aliases) and long lines are never folded, so every document reads on its
 * own and diffs line by line.
 */
const DOCUMENT_OPTIONS: DumpOptions = { noRefs: true, lineWidth: -1, quoteStyle: 'double' };

/** The same, with the keys of every mapping in code-unit order. */
const SORTED_OPTIONS: DumpOptions = {
  ...DOCUMENT_OPTIONS,
  transform: documents => visit(documents, node => {
    if (node.kind === 'mapping') node.items.sort((a, b) => compareText(keyText(a.key), keyText(b.key)));
  }),
};

/** One YAML document; with `sortKeys`, mapping keys in code-unit order whatever the object's key order. */
export function yamlDocument(value: unknown, { sortKeys = false } = {}): string {
  return dump(value, sortKeys ? SORTED_OPTIONS : DOCUMENT_OPTIONS);
}

/** YAML text: a header comment, then one document per object. */
export function yamlDocuments(objects: readonly object[], header: string): string {
  return `# ${header}\n${objects.map(object => `---\n${yamlDocument(object)}`).join('')}`;
}

function keyText(key: { kind: string; value?: string }): string {
  return key.value ?? '';
}

/** Code-unit order, the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
