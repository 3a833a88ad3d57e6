import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { parse, parseAllDocuments } from 'yaml';
import { yamlDocument, yamlDocuments } from '../../synth/yaml-files';

/**
 * Strings that a YAML 1.1 reader (go-yaml v2 in kubectl and Helm, PyYAML in
 * Ansible) or a YAML 1.2 reader would take for a boolean, number, null, date,
 * merge key or value key, or that would not parse at all if written plain.
 */
const TRICKY = [
  'on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'N', 'On', 'OFF', 'true', 'False', 'TRUE', '~', 'null', 'Null', '',
  '1_000', '012', '0x1F', '0o17', '0b101', '+1', '-1', '1e3', '1.0', '.5', '.inf', '-.Inf', '.NaN',
  '1:20', '190:20:30', '1:20.5', '2001-12-14', '2001-12-14 21:59:43.10 -5', '<<', '=',
  'a: b', 'x #c', '#c', '- x', '? x', '[x]', '{x}', '&a', '*a', '!t', '%d', '@x', '`x', '|', '>', "'", '"',
  ' lead', 'trail ', 'tab\there', 'two\nlines', 'two\nlines\n', 'ünïcödé', '---', '...',
];

/** Debian's python3, the one its python3-yaml (and Ansible) uses, before any other on the PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** What PyYAML, the YAML 1.1 reader of Ansible, makes of each document. */
function readWithPyYaml(text: string): unknown[] {
  const program = 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))';
  try {
    return JSON.parse(execFileSync(PYTHON, ['-c', program], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }));
  } catch (error) {
    throw new Error(`PyYAML could not read the text (.ci/run installs python3-yaml): ${(error as { stderr?: string }).stderr ?? error}`);
  }
}

describe('yamlDocuments', () => {
  test('writes a header and one YAML document per object, without aliases or folded lines', () => {
    const shared = { key: 'x'.repeat(200) };
    const text = yamlDocuments([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: shared },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: shared },
    ], 'Generated for a test.');
    expect(text.startsWith('# Generated for a test.\n---\napiVersion: v1\n')).toBe(true);
    expect(text).not.toContain('&');
    expect(text).toContain(`key: ${'x'.repeat(200)}\n`);
    const documents = parseAllDocuments(text).map(d => d.toJS());
    expect(documents.map(d => d.metadata.name)).toEqual(['a', 'b']);
    expect(documents[1].data).toEqual(shared);
  });

  test('quotes the strings YAML 1.1 readers (kubectl, Helm, Ansible) would take for booleans or numbers', () => {
    const text = yamlDocuments([{ kind: 'ConfigMap', data: { a: 'on', b: 'yes', c: 'no', d: 'off', e: '1_000', f: 'plain', g: '1:20' } }], 'h');
    expect(text).toBe('# h\n---\nkind: ConfigMap\ndata:\n  a: "on"\n  b: "yes"\n  c: "no"\n  d: "off"\n  e: "1_000"\n  f: plain\n  g: "1:20"\n');
  });

  test('every tricky string reads back as the same string in YAML 1.1 (PyYAML, yaml) and YAML 1.2', () => {
    const object = { values: TRICKY, keys: Object.fromEntries(TRICKY.map((value, i) => [value, i])) };
    const text = yamlDocuments([object, object], 'h');
    expect(readWithPyYaml(text)).toEqual([object, object]);
    for (const version of ['1.1', '1.2'] as const) {
      expect(parseAllDocuments(text, { version }).map(d => d.toJS())).toEqual([object, object]);
    }
  });

  test('keeps numbers, booleans and null as such', () => {
    const object = { int: 3, negative: -7, float: 0.5, big: 1e21, yes: true, no: false, nothing: null, list: [1, 'one'] };
    expect(readWithPyYaml(yamlDocuments([object], 'h'))).toEqual([object]);
  });
});

describe('yamlDocument', () => {
  test('keeps the key order of the object unless asked to sort', () => {
    const value = { b: 1, a: { z: 1, B: 2, y: [{ d: 1, c: 2 }] } };
    expect(yamlDocument(value)).toBe('b: 1\na:\n  z: 1\n  B: 2\n  "y":\n    - d: 1\n      c: 2\n');
  });

  test('sorts the keys of every mapping in code-unit order, whatever the locale', () => {
    const value = { b: 1, a: { z: 1, B: 2, y: [{ d: 1, c: 2 }] } };
    const text = yamlDocument(value, { sortKeys: true });
    expect(text).toBe('a:\n  B: 2\n  "y":\n    - c: 2\n      d: 1\n  z: 1\nb: 1\n');
    expect(parse(text)).toEqual(value);
  });
});
