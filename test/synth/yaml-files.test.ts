import { execFile, execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { dump } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { OutputError } from '../../synth/output-error';
import { useYamlWorker, WORKER_THRESHOLD, yamlDocuments, YamlFile, YamlFileWriter } from '../../synth/yaml-files';

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
    // The header is part of the first document: a comment before a `---` would be a document of its own to kubeadm.
    expect(text.startsWith('---\n# Generated for a test.\napiVersion: v1\n')).toBe(true);
    expect(text.split('\n---\n')).toHaveLength(2);
    expect(text).not.toContain('&');
    expect(text).toContain(`key: ${'x'.repeat(200)}\n`);
    const documents = parseAllDocuments(text).map(d => d.toJS());
    expect(documents.map(d => d.metadata.name)).toEqual(['a', 'b']);
    expect(documents[1].data).toEqual(shared);
  });

  test('quotes the strings YAML 1.1 readers (kubectl, Helm, Ansible) would take for booleans or numbers', () => {
    const text = yamlDocuments([{ kind: 'ConfigMap', data: { a: 'on', b: 'yes', c: 'no', d: 'off', e: '1_000', f: 'plain', g: '1:20' } }], 'h');
    expect(text).toBe('---\n# h\nkind: ConfigMap\ndata:\n  a: "on"\n  b: "yes"\n  c: "no"\n  d: "off"\n  e: "1_000"\n  f: plain\n  g: "1:20"\n');
  });

  test('every tricky string reads back as the same string in YAML 1.1 (PyYAML, yaml) and YAML 1.2', () => {
    const object = { values: TRICKY, keys: Object.fromEntries(TRICKY.map((value, i) => [value, i])) };
    const text = yamlDocuments([object, object], 'h');
    expect(readWithPyYaml(text)).toEqual([object, object]);
    for (const version of ['1.1', '1.2'] as const) {
      expect(parseAllDocuments(text, { version }).map(d => d.toJS())).toEqual([object, object]);
    }
  });

  test('is each object\'s own document, as js-yaml\'s dump writes it, behind a `---`, the header inside the first, also after text that keeps trailing newlines', () => {
    const objects = [
      { kind: 'ConfigMap', data: { script: 'echo "${A}"\n\n' } },
      { kind: 'ConfigMap', data: { rule: 'a\nb', tricky: TRICKY } },
      { kind: 'Secret', list: [[], {}, ''] },
    ];
    const text = yamlDocuments(objects, 'h');
    const dumped = objects.map(object => dump(object, { noRefs: true, lineWidth: -1, quoteStyle: 'double' }));
    expect(text).toBe(`---\n# h\n${dumped.map((document, index) => (index === 0 ? document : `---\n${document}`)).join('')}`);
    // The block keeps its trailing newlines, so the document is ended explicitly before the next one.
    expect(text).toContain('  script: |+\n    echo "${A}"\n\n...\n---\n');
    expect(readWithPyYaml(text)).toEqual(objects);
  });

  test('keeps numbers, booleans and null as such', () => {
    const object = { int: 3, negative: -7, float: 0.5, big: 1e21, yes: true, no: false, nothing: null, list: [1, 'one'] };
    expect(readWithPyYaml(yamlDocuments([object], 'h'))).toEqual([object]);
  });
});

describe('YamlFileWriter', () => {
  /** Files of every shape the manifests have: tricky strings, nesting, many objects, an empty file. */
  const files: YamlFile[] = Array.from({ length: 40 }, (_, i) => ({
    path: `env/manifests/10-team-${i}.yaml`,
    header: `Header ${i}.`,
    objects: Array.from({ length: i % 7 }, (_, j) => ({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${j}`, namespace: `team-${i}`, labels: { on: 'yes' } },
      data: { tricky: TRICKY[(i + j) % TRICKY.length], list: TRICKY.slice(j, j + 3), nested: { deep: [{ a: i }, { b: null }] } },
    })),
  }));
  const write = (worker: boolean) => {
    const writer = new YamlFileWriter({ worker });
    for (const file of files) writer.add(file);
    return writer.finish();
  };

  test('serializes on a worker thread to the same bytes, in the same order, as on the main thread', () => {
    const inline = write(false);
    expect(inline.map(f => f.path)).toEqual(files.map(f => f.path));
    expect(inline[3].content).toBe(yamlDocuments(files[3].objects, 'Header 3.'));
    expect(write(true)).toEqual(inline);
  });

  test('writes a first line before the YAML, and keeps text files in their place, on a worker as on the main thread', () => {
    const mixed = (worker: boolean) => {
      const writer = new YamlFileWriter({ worker });
      files.slice(0, 6).forEach((file, i) => {
        writer.add(i % 2 === 0 ? file : { ...file, firstLine: '#cloud-config' });
        writer.addText({ path: `env/notes-${i}.md`, content: `note ${i}` });
      });
      return writer.finish();
    };
    const inline = mixed(false);
    expect(inline.map(f => f.path)).toEqual(files.slice(0, 6).flatMap((file, i) => [file.path, `env/notes-${i}.md`]));
    expect(inline[2].content).toBe(yamlDocuments(files[1].objects, 'Header 1.').replace(/^/, '#cloud-config\n'));
    expect(inline[3]).toEqual({ path: 'env/notes-1.md', content: 'note 1' });
    expect(inline[4].content).toBe(yamlDocuments(files[2].objects, 'Header 2.'));
    expect(mixed(true)).toEqual(inline);
  });

  test('gives the same bytes when the main thread takes files from a worker that fell behind', () => {
    const big: YamlFile = { path: 'env/manifests/10-big.yaml', header: 'Big.', objects: Array.from({ length: 3000 }, (_, i) => ({ index: i, value: TRICKY[i % TRICKY.length] })) };
    const mixed = [big, ...files, big];
    const inline = new YamlFileWriter({ worker: false });
    const parallel = new YamlFileWriter({ worker: true });
    for (const file of mixed) {
      inline.add(file);
      parallel.add(file);
    }
    expect(parallel.finish()).toEqual(inline.finish());
  });

  test('gives the same bytes, in the same order, with a worker started midway', () => {
    const writer = new YamlFileWriter({ worker: false });
    files.forEach((file, index) => {
      // The synth starts one once its environments so far hold enough objects.
      if (index === 20) writer.useWorker();
      writer.add(file);
    });
    expect(writer.finish()).toEqual(write(false));
    // From then on the worker serializes: what it cannot serialize fails there, not when added.
    const late = new YamlFileWriter({ worker: false });
    late.add(files[1]);
    late.useWorker();
    late.add({ path: 'bad.yaml', header: 'h', objects: [{ value: BigInt(1) }] });
    expect(() => late.finish()).toThrow(/the YAML worker failed: .*unacceptable kind of an object to dump/);
  });

  test('reports an object the writer cannot serialize, on a worker as on the main thread', () => {
    const bad = { path: 'bad.yaml', header: 'h', objects: [{ value: BigInt(1) }] };
    expect(() => new YamlFileWriter({ worker: false }).add(bad)).toThrow('unacceptable kind of an object to dump [object BigInt]');
    const writer = new YamlFileWriter({ worker: true });
    writer.add(files[1]);
    writer.add(bad);
    expect(() => writer.finish()).toThrow(/the YAML worker failed: .*unacceptable kind of an object to dump \[object BigInt\]/);
  });

  test('has its worker write each file it serializes into a staging folder, and names a file it cannot write by its path and cause', () => {
    const directory = mkdtempSync(join(tmpdir(), 'prodk8s-yaml-'));
    const writer = new YamlFileWriter({ worker: false });
    writer.add(files[0]);
    writer.useWorker({ directory });
    files.slice(1).forEach(file => writer.add(file));
    writer.addText({ path: 'env/notes.md', content: 'note' });
    const written = writer.finish();
    // The main thread's files are its own to write.
    expect([...writer.written]).toEqual(files.slice(1).map(file => file.path));
    for (const file of written.slice(1, -1)) expect(readFileSync(join(directory, file.path), 'utf8')).toBe(file.content);
    expect(existsSync(join(directory, files[0].path))).toBe(false);
    expect(existsSync(join(directory, 'env/notes.md'))).toBe(false);
    const blocked = join(directory, 'blocked');
    writeFileSync(blocked, '');
    const failing = new YamlFileWriter({ worker: false });
    failing.useWorker({ directory: blocked });
    failing.add(files[1]);
    let error: unknown;
    try {
      failing.finish();
    } catch (e) {
      error = e;
    }
    expect((OutputError.from(error) as Error).message).toBe(`cannot mkdir ${join(blocked, 'env/manifests')}: not a directory (ENOTDIR)`);
    rmSync(directory, { recursive: true, force: true });
  });

  test('has its worker finish the file it is writing before abandon returns, and write none after', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'prodk8s-yaml-'));
    // Named pipes where the files go: writing one blocks until something reads it.
    const [first, second] = [files[1], files[2]].map(file => join(directory, file.path));
    mkdirSync(dirname(first), { recursive: true });
    execFileSync('mkfifo', [first, second]);
    /** What a reader of `pipe` gets within `seconds`, starting `after` seconds from now. */
    const read = (pipe: string, after: number, seconds: number) => new Promise<string>(resolve => {
      execFile('sh', ['-c', 'sleep "$1"; timeout "$2" cat "$0"', pipe, String(after), String(seconds)], (_, stdout) => resolve(stdout));
    });
    const writer = new YamlFileWriter({ worker: false });
    writer.useWorker({ directory });
    writer.add(files[1]);
    writer.add(files[2]);
    // Time for the worker to start and block in writing the first file, which is read only 0.3 s into the abandon.
    await new Promise(resolve => setTimeout(resolve, 500));
    const firstRead = read(first, 0.3, 5);
    const start = performance.now();
    const stopped = writer.abandon();
    // The staging folder could now be removed: nothing is being written into it, and nothing will be.
    expect(performance.now() - start).toBeGreaterThan(250);
    const secondRead = read(second, 0, 1);
    await stopped;
    expect(await firstRead).toContain('# Header 1.');
    expect(await secondRead).toBe('');
    rmSync(directory, { recursive: true, force: true });
  });

  test('stops its worker when abandoned with work in flight', async () => {
    const writer = new YamlFileWriter({ worker: true });
    writer.add(files[6]);
    await expect(writer.abandon()).resolves.toBeUndefined();
  });
});

describe('useYamlWorker', () => {
  test('uses no worker for few objects or on a single core', () => {
    expect(useYamlWorker(WORKER_THRESHOLD - 1, 2)).toBe(false);
    expect(useYamlWorker(WORKER_THRESHOLD, 2)).toBe(true);
    expect(useYamlWorker(100 * WORKER_THRESHOLD, 1)).toBe(false);
  });
});
