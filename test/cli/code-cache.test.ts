import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { crc32 } from 'zlib';
import { codeCacheFolder } from '../../cli/code-cache';

const ROOT = join(__dirname, '..', '..');

/** What one process saw: the cache's account of the fixture's modules, and what the fixture exported. */
interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly cache?: { cached: string[]; compiled: string[] };
  readonly value?: unknown;
}

interface RunOptions {
  readonly nodeOptions?: string[];
  readonly env?: Record<string, string>;
  /** `useCodeCache`'s `write`. */
  readonly write?: boolean;
}

/**
 * Runs a fresh node process that installs the code cache in `folder`, then
 * requires `entry`, and reports which of the fixture's modules ran from the
 * cache and what `entry` exported (awaited).
 */
function runWithCache(folder: string, entry: string, { nodeOptions = [], env = {}, write = true }: RunOptions = {}): Run {
  const script = `
    const [folder, entry, fixtures, write] = process.argv.slice(1);
    const cache = require('./cli/code-cache').useCodeCache({ folder, write: write === 'true' });
    const inFixture = files => files.filter(file => file.startsWith(fixtures)).map(file => file.slice(fixtures.length + 1)).sort();
    Promise.resolve(require(entry)).then(value => {
      process.stdout.write(JSON.stringify({ cache: cache && { cached: inFixture(cache.cached), compiled: inFixture(cache.compiled) }, value }));
    });`;
  const result = spawnSync(process.execPath, [...nodeOptions, '-r', 'ts-node/register/transpile-only', '-e', script, folder, entry, fixtures, String(write)], {
    cwd: ROOT, env: { ...process.env, PRODK8S_CODE_CACHE: '', ...env }, encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, ...(result.status === 0 ? JSON.parse(result.stdout) : {}) };
}

let fixtures: string;
let folder: string;

beforeEach(() => {
  fixtures = mkdtempSync(join(tmpdir(), 'code-cache-fixture-'));
  folder = join(mkdtempSync(join(tmpdir(), 'code-cache-')), 'code');
  // Where a stack trace places line 1's `new Error`: the module's own column, not shifted by Node's wrapper.
  writeFileSync(join(fixtures, 'helper.js'), "exports.greet = name => 'hello ' + name; exports.where = () => new Error().stack.split('\\n')[1].split(':').slice(-2).join(':');\n");
  writeFileSync(join(fixtures, 'esm.mjs'), 'export const answer = 42;\n');
  writeFileSync(join(fixtures, 'main.js'), [
    "const { greet } = require('./helper');",
    'const self = this;',
    'module.exports = {',
    "  greeting: greet('cache'),",
    "  resolved: require.resolve('./helper') === __dirname + '/helper.js',",
    "  paths: Array.isArray(require.resolve.paths('x')),",
    '  cached: require.cache[__filename] === module,',
    '  main: require.main === process.mainModule,',
    '  exports: self === module.exports,',
    '  strict: (function () { return this; })() === undefined,',
    "  file: __filename.endsWith('main.js'),",
    "  where: require('./helper').where(),",
    '  version: 1,',
    '};',
    '',
  ].join('\n'));
});

/** What Node itself gives, without the cache (the first test checks). */
const EXPECTED = {
  greeting: 'hello cache', resolved: true, paths: true, cached: true, main: true, exports: true, strict: false, file: true, where: '1:64)', version: 1,
};

/** The entries written, in every folder of V8 version and flags. */
const entries = () => readdirSync(folder).flatMap(flags => readdirSync(join(folder, flags)).map(name => join(folder, flags, name)));

describe('useCodeCache', () => {
  test('compiles a module the first time, writes its cache at exit, and runs it from the cache the next time, as Node would run it', () => {
    const plain = runWithCache(folder, join(fixtures, 'main.js'), { env: { PRODK8S_CODE_CACHE: '0' } });
    expect(plain.value).toEqual(EXPECTED);
    expect(() => readdirSync(folder)).toThrow();

    const first = runWithCache(folder, join(fixtures, 'main.js'));
    expect(first.stderr).toBe('');
    expect(first.value).toEqual(EXPECTED);
    expect(first.cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    // Each entry opens with the CRC-32 of the source it was made from (as Node wraps it), then of its data.
    const written = entries().map(path => readFileSync(path));
    for (const entry of written) expect(entry.readUInt32LE(4)).toBe(crc32(entry.subarray(8)));
    const wrap = (name: string) => `(function (exports, require, module, __filename, __dirname) { ${readFileSync(join(fixtures, name), 'utf8')}\n});`;
    expect(written.map(entry => entry.readUInt32LE(0)).sort()).toEqual(['helper.js', 'main.js'].map(name => crc32(wrap(name))).sort());

    const second = runWithCache(folder, join(fixtures, 'main.js'));
    expect(second.value).toEqual(EXPECTED);
    expect(second.cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
  });

  test('never runs the cache of an earlier source, even one of the same length', () => {
    runWithCache(folder, join(fixtures, 'main.js'));
    const source = readFileSync(join(fixtures, 'main.js'), 'utf8');
    const edited = source.replace('version: 1', 'version: 2');
    expect(edited.length).toBe(source.length);
    writeFileSync(join(fixtures, 'main.js'), edited);

    const run = runWithCache(folder, join(fixtures, 'main.js'));
    expect(run.value).toEqual({ ...EXPECTED, version: 2 });
    expect(run.cache).toEqual({ cached: ['helper.js'], compiled: ['main.js'] });
    // And the entry written then is the edited source's.
    expect(runWithCache(folder, join(fixtures, 'main.js')).cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
  });

  test('a damaged entry, of the same length and source, is no cache, and is written again', () => {
    runWithCache(folder, join(fixtures, 'main.js'));
    for (const path of entries()) {
      const entry = readFileSync(path);
      // V8 does not check its data: run, bytes like these crash the process.
      for (let i = 8 + 64; i < entry.length; i += 7) entry[i] ^= 0x5a;
      writeFileSync(path, entry);
    }
    const run = runWithCache(folder, join(fixtures, 'main.js'));
    expect(run.stderr).toBe('');
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    expect(runWithCache(folder, join(fixtures, 'main.js')).cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
  });

  test('keeps a cache of its own for each set of V8 flags, which V8 requires', () => {
    runWithCache(folder, join(fixtures, 'main.js'));
    const other = runWithCache(folder, join(fixtures, 'main.js'), { nodeOptions: ['--stack-size=900'] });
    expect(other.value).toEqual(EXPECTED);
    expect(other.cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    expect(readdirSync(folder)).toHaveLength(2);
    expect(runWithCache(folder, join(fixtures, 'main.js')).cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
    // Options that are no V8 flags share one.
    expect(runWithCache(folder, join(fixtures, 'main.js'), { nodeOptions: ['--no-deprecation'] }).cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
  });

  test('a new folder removes those unused for a month, and one in use is marked used', () => {
    mkdirSync(folder, { recursive: true });
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const recent = new Date(Date.now() - 29 * 24 * 3600 * 1000);
    for (const [name, time] of [['v18-1', old], ['v19-2', recent]] as const) {
      mkdirSync(join(folder, name));
      utimesSync(join(folder, name), time, time);
    }
    runWithCache(folder, join(fixtures, 'main.js'));
    const [current] = readdirSync(folder).filter(name => name.startsWith(process.version));
    expect(readdirSync(folder).sort()).toEqual([current, 'v19-2'].sort());
    utimesSync(join(folder, current), old, old);
    runWithCache(folder, join(fixtures, 'main.js'));
    expect(Date.now() - statSync(join(folder, current)).mtimeMs).toBeLessThan(3600 * 1000);
  });

  test('without `write`, runs from the cache there is and writes none', () => {
    expect(runWithCache(folder, join(fixtures, 'main.js'), { write: false }).cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    expect(() => readdirSync(folder)).toThrow();
    runWithCache(folder, join(fixtures, 'main.js'));
    const run = runWithCache(folder, join(fixtures, 'main.js'), { write: false });
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
  });

  test('leaves a module that calls import() to Node, whose loader it needs', () => {
    writeFileSync(join(fixtures, 'dynamic.js'), "module.exports = import('./esm.mjs').then(esm => ({ answer: esm.answer, greeting: require('./helper').greet('import') }));\n");
    for (const expected of [{ cached: [], compiled: ['helper.js'] }, { cached: ['helper.js'], compiled: [] }]) {
      const run = runWithCache(folder, join(fixtures, 'dynamic.js'));
      expect(run.stderr).toBe('');
      expect(run.value).toEqual({ answer: 42, greeting: 'hello import' });
      expect(run.cache).toEqual(expected);
    }
  });

  test('leaves an ES module in a .js file to Node, which loads it', () => {
    writeFileSync(join(fixtures, 'module.js'), "import { answer } from './esm.mjs';\nexport const doubled = answer * 2;\n");
    const run = runWithCache(folder, join(fixtures, 'module.js'));
    expect(run.value).toEqual({ doubled: 84 });
    expect(run.cache).toEqual({ cached: [], compiled: [] });
  });

  test('leaves a syntax error for Node to report, as without the cache', () => {
    writeFileSync(join(fixtures, 'broken.js'), 'module.exports = {;\n');
    const run = runWithCache(folder, join(fixtures, 'broken.js'));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${join(fixtures, 'broken.js')}:1`);
    expect(run.stderr).toContain('SyntaxError: Unexpected token');
    // Node's own report shows the module's line, not the wrapper a vm script would compile.
    expect(run.stderr).not.toContain('(function (exports');
  });

  test('with source maps turned on, every module is left to Node', () => {
    const run = runWithCache(folder, join(fixtures, 'main.js'), { nodeOptions: ['--enable-source-maps'] });
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toEqual({ cached: [], compiled: [] });
  });

  test('a folder it cannot write is no cache, and no failure', () => {
    writeFileSync(join(fixtures, 'file'), '');
    const run = runWithCache(join(fixtures, 'file', 'code'), join(fixtures, 'main.js'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.value).toEqual(EXPECTED);
  });

  test('a folder that others may write is no cache: it would run as code', () => {
    runWithCache(folder, join(fixtures, 'main.js'));
    chmodSync(folder, 0o777);
    const run = runWithCache(folder, join(fixtures, 'main.js'));
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toBeUndefined();
  });

  test('PRODK8S_CODE_CACHE=0 turns it off', () => {
    const run = runWithCache(folder, join(fixtures, 'main.js'), { env: { PRODK8S_CODE_CACHE: '0' } });
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toBeUndefined();
    expect(() => readdirSync(folder)).toThrow();
  });
});

describe('codeCacheFolder', () => {
  test('is in the outermost node_modules above an installed prodk8s, or in the node_modules of its own repository', () => {
    const project = mkdtempSync(join(tmpdir(), 'code-cache-project-'));
    const installed = join(project, 'node_modules', '.pnpm', 'prodk8s@0.1.0', 'node_modules', 'prodk8s', 'lib', 'cli');
    mkdirSync(installed, { recursive: true });
    expect(codeCacheFolder(installed)).toBe(join(project, 'node_modules', '.cache', 'prodk8s', 'code'));
    expect(codeCacheFolder(join(ROOT, 'lib', 'cli'))).toBe(join(ROOT, 'node_modules', '.cache', 'prodk8s', 'code'));
    expect(codeCacheFolder(join(ROOT, 'cli'))).toBe(join(ROOT, 'node_modules', '.cache', 'prodk8s', 'code'));
    // A package without node_modules gets none: the cache makes no folder of that name.
    writeFileSync(join(project, 'package.json'), '{}');
    mkdirSync(join(project, 'lib'));
    rmSync(join(project, 'node_modules'), { recursive: true });
    expect(codeCacheFolder(join(project, 'lib'))).toBeUndefined();
  });
});
