import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { crc32 } from 'zlib';
import { codeCacheFolder } from '../../cli/code-cache';

const ROOT = join(__dirname, '..', '..');

/** What one process saw: the cache's account of the fixture's modules, and what the fixture exported. */
interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly cache?: { cached: string[]; compiled: string[] } | null;
  readonly value?: unknown;
}

/**
 * Runs a fresh node process that installs the code cache in `folder`, then
 * requires `entry`, and reports which of the modules in `modules` ran from
 * the cache and what `entry` exported (awaited).
 */
function runWithCache(folder: string, entry: string, { nodeOptions = [], env = {} }: { nodeOptions?: string[]; env?: Record<string, string> } = {}): Run {
  const script = `
    const cache = require('./cli/code-cache').useCodeCache(process.argv[1]);
    const inFixture = files => files.filter(file => file.startsWith(process.argv[3])).map(file => file.slice(process.argv[3].length + 1)).sort();
    Promise.resolve(require(process.argv[2])).then(value => {
      process.stdout.write(JSON.stringify({ cache: cache && { cached: inFixture(cache.cached), compiled: inFixture(cache.compiled) }, value }));
    });`;
  const result = spawnSync(process.execPath, [...nodeOptions, '-r', 'ts-node/register/transpile-only', '-e', script, folder, entry, fixtures], {
    cwd: ROOT, env: { ...process.env, PRODK8S_CODE_CACHE: '', ...env }, encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, ...(result.status === 0 ? JSON.parse(result.stdout) : {}) };
}

let fixtures: string;
let folder: string;

beforeEach(() => {
  fixtures = mkdtempSync(join(tmpdir(), 'code-cache-fixture-'));
  folder = join(mkdtempSync(join(tmpdir(), 'code-cache-')), 'code');
  writeFileSync(join(fixtures, 'helper.js'), "exports.greet = name => 'hello ' + name;\n");
  writeFileSync(join(fixtures, 'esm.mjs'), 'export const answer = 42;\n');
  writeFileSync(join(fixtures, 'main.js'), [
    "const { greet } = require('./helper');",
    'module.exports = (async () => ({',
    "  greeting: greet('cache'),",
    "  resolved: require.resolve('./helper') === __dirname + '/helper.js',",
    "  paths: Array.isArray(require.resolve.paths('x')),",
    '  cached: require.cache[__filename] === module,',
    "  file: __filename.endsWith('main.js'),",
    '  version: 1,',
    '}))();',
    '',
  ].join('\n'));
});

const EXPECTED = { greeting: 'hello cache', resolved: true, paths: true, cached: true, file: true, version: 1 };

/** The entries written, in every folder of node options. */
const entries = () => readdirSync(folder).flatMap(flags => readdirSync(join(folder, flags)).map(name => join(folder, flags, name)));

describe('useCodeCache', () => {
  test('compiles a module the first time, writes its cache at exit, and runs it from the cache the next time', () => {
    const first = runWithCache(folder, join(fixtures, 'main.js'));
    expect(first.stderr).toBe('');
    expect(first.value).toEqual(EXPECTED);
    expect(first.cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    // Each entry opens with the CRC-32 of the source it was made from.
    const checksums = entries().map(path => readFileSync(path).readUInt32LE(0));
    for (const name of ['helper.js', 'main.js']) expect(checksums).toContain(crc32(readFileSync(join(fixtures, name), 'utf8')));

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

  test('keeps a cache of its own for each set of node options, which V8 requires', () => {
    runWithCache(folder, join(fixtures, 'main.js'));
    const other = runWithCache(folder, join(fixtures, 'main.js'), { nodeOptions: ['--stack-size=900'] });
    expect(other.value).toEqual(EXPECTED);
    expect(other.cache).toEqual({ cached: [], compiled: ['helper.js', 'main.js'] });
    expect(readdirSync(folder)).toHaveLength(2);
    expect(runWithCache(folder, join(fixtures, 'main.js')).cache).toEqual({ cached: ['helper.js', 'main.js'], compiled: [] });
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

  test('leaves a syntax error for Node to report, as without the cache', () => {
    writeFileSync(join(fixtures, 'broken.js'), 'module.exports = {;\n');
    const run = runWithCache(folder, join(fixtures, 'broken.js'));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${join(fixtures, 'broken.js')}:1`);
    expect(run.stderr).toContain('SyntaxError: Unexpected token');
  });

  test('a folder it cannot write is no cache, and no failure', () => {
    writeFileSync(join(fixtures, 'file'), '');
    const run = runWithCache(join(fixtures, 'file', 'code'), join(fixtures, 'main.js'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.value).toEqual(EXPECTED);
  });

  test('PRODK8S_CODE_CACHE=0 turns it off', () => {
    const run = runWithCache(folder, join(fixtures, 'main.js'), { env: { PRODK8S_CODE_CACHE: '0' } });
    expect(run.value).toEqual(EXPECTED);
    expect(run.cache).toBeUndefined();
    mkdirSync(folder, { recursive: true });
    expect(entries()).toEqual([]);
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
