// V8's code cache for the CommonJS modules a prodk8s command loads, kept
// between runs. A fifth of a small synth's time is V8 compiling functions as
// they first run (js-yaml's writer, cdk8s, cdktf): a module's cache, taken as
// the process exits, holds the bytecode of every function that ran, and the
// next run starts from it (the reference environments: 0.50 s to 0.45 s).
// Node 20 has no such cache of its own, and the libraries that add one
// (`v8-compile-cache`) take it as each module is compiled, before any of its
// functions ran: that saves some start-up, and none of the synth's time.
//
// V8 checks a cache against its source's length alone, and does not check
// the cache's own bytes (a damaged one can crash the process): each entry
// starts with the CRC-32 of the source it was made from and of its data, as
// Node's own compile cache does, and anything else is no cache. V8 takes a
// cache only from the same V8 version and flags (`cachedDataVersionTag`),
// so each has a folder of its own. A module that Node must compile itself
// (an ES module, a syntax error, a call of `import()`, source maps or a
// policy turned on, the main module) is left to Node, and a cache that
// cannot be read or written is no cache.
import { createHash, randomBytes } from 'crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import Module from 'module';
import { dirname, join, sep } from 'path';
import { cachedDataVersionTag } from 'v8';
import { Script } from 'vm';
import * as zlib from 'zlib';

/** What the cache did in this process. */
export interface CodeCache {
  /** Modules run from their cache. */
  readonly cached: string[];
  /** Modules compiled without one, whose cache is written as the process exits (with `write`). */
  readonly compiled: string[];
}

export interface CodeCacheOptions {
  /** @default codeCacheFolder() */
  readonly folder?: string;
  /**
   * Whether this process writes the cache of the modules it compiled. Only a
   * command that runs the whole synth should: an entry is never written
   * again while its source is unchanged, and one taken by `--help` would
   * lack every function the synth runs.
   * @default true
   */
  readonly write?: boolean;
}

/**
 * `import()`, which a script compiled here could run only with an experimental
 * loader of vm's: a module that may call it (or mentions it) is left to Node.
 */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** Node's policy options: a policy checks each module's source as Node compiles it. */
const POLICY = /--(experimental-policy|policy-integrity)\b/;

/** A folder of a V8 version and flags not used for this long is removed when another is made. */
const UNUSED_FOLDER_MS = 30 * 24 * 3600 * 1000;

interface ModuleInternals {
  _compile(content: string, filename: string, format?: string): unknown;
  require(id: string): unknown;
  exports: unknown;
  id: string;
}

/**
 * Installs the cache in this process, unless `PRODK8S_CODE_CACHE=0`: every
 * module required after this runs from its cache, or is compiled, and its
 * cache written as the process exits. Returns what it does, or undefined
 * where it does nothing.
 */
export function useCodeCache({ folder = codeCacheFolder(), write = true }: CodeCacheOptions = {}): CodeCache | undefined {
  const crc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;
  const policy = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some(option => POLICY.test(option));
  if (folder === undefined || crc32 === undefined || process.env.PRODK8S_CODE_CACHE === '0' || policy) return undefined;
  const entries = join(folder, `${process.version}-${cachedDataVersionTag()}`);
  if (!isOwnFolder(folder) || !isOwnFolder(entries)) return undefined;
  const made: { filename: string; checksum: number; script: Script }[] = [];
  const status: CodeCache = { cached: [], compiled: [] };
  const prototype = Module.prototype as unknown as ModuleInternals;
  const compile = prototype._compile;
  // What `Module.wrap` puts before a module's first line: its columns stay the module's own in stack traces.
  const prefix = Module.wrap('\0').split('\0')[0].length;
  prototype._compile = function (this: ModuleInternals, content, filename, format) {
    if (format === 'module' || this.id === '.' || process.sourceMapsEnabled || DYNAMIC_IMPORT.test(content)) {
      return compile.call(this, content, filename, format);
    }
    const source = Module.wrap(content);
    const checksum = crc32(source);
    const cachedData = readEntry(entryPath(entries, filename), checksum, crc32);
    let script: Script;
    try {
      script = new Script(source, { filename, cachedData, columnOffset: -prefix });
    } catch {
      // An ES module in a .js file, or a syntax error: Node loads the one and reports the other its own way.
      return compile.call(this, content, filename, format);
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      if (write) made.push({ filename, checksum, script });
      status.compiled.push(filename);
    } else {
      status.cached.push(filename);
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as Function;
    return wrapper.call(this.exports, this.exports, requireFunction(this), this, filename, dirname(filename));
  };
  // Taken at exit, when the cache holds every function the command ran.
  if (write) process.once('exit', () => writeEntries(entries, made, crc32));
  return status;
}

/** `require` as Node gives it to a module (`makeRequireFunction` in Node's CommonJS loader). */
function requireFunction(module: ModuleInternals): NodeJS.Require {
  const loader = Module as unknown as {
    _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
    _resolveLookupPaths(request: string, parent: unknown): string[] | null;
    _extensions: NodeJS.RequireExtensions;
    _cache: NodeJS.Dict<NodeModule>;
  };
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => loader._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = request => loader._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = loader._extensions;
  require.cache = loader._cache;
  return require;
}

/**
 * Whether `folder` is this user's alone, or not there yet: a cache runs as
 * code, so one that another user could write is no cache.
 */
function isOwnFolder(folder: string): boolean {
  try {
    const { uid, mode } = statSync(folder);
    return (process.getuid === undefined || uid === process.getuid()) && (mode & 0o022) === 0;
  } catch {
    return true;
  }
}

/**
 * Writes the cache of each module compiled, each entry on its own (one that
 * fails leaves the others be). The folder is made for this user alone; a
 * new one removes the folders of other V8 versions and flags unused for a
 * month, and one in use is marked used once a day.
 */
function writeEntries(entries: string, made: readonly { filename: string; checksum: number; script: Script }[], crc32: (data: Uint8Array) => number): void {
  try {
    if (!existsSync(entries)) {
      if (made.length === 0) return;
      mkdirSync(entries, { recursive: true, mode: 0o700 });
      removeUnusedFolders(dirname(entries));
    } else if (Date.now() - statSync(entries).mtimeMs > 24 * 3600 * 1000) {
      utimesSync(entries, new Date(), new Date());
    }
  } catch {
    // A read-only install: no cache.
    return;
  }
  for (const { filename, checksum, script } of made) {
    try {
      writeEntry(entryPath(entries, filename), checksum, script.createCachedData(), crc32);
    } catch {
      // This one is no cache; the next run compiles it again.
    }
  }
}

/** Each on its own: one that another process removes meanwhile, or that cannot be removed, stops nothing. */
function removeUnusedFolders(folder: string): void {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > UNUSED_FOLDER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Left for a later run.
    }
  }
}

function entryPath(entries: string, filename: string): string {
  return join(entries, createHash('sha1').update(filename).digest('hex'));
}

/** The V8 cache stored for a source of this checksum, if its data is whole; else undefined. */
function readEntry(path: string, checksum: number, crc32: (data: Uint8Array) => number): Buffer | undefined {
  let entry: Buffer;
  try {
    entry = readFileSync(path);
  } catch {
    return undefined;
  }
  if (entry.length <= HEADER || entry.readUInt32LE(0) !== checksum) return undefined;
  const data = entry.subarray(HEADER);
  return entry.readUInt32LE(4) === crc32(data) ? data : undefined;
}

/** An entry's header: the CRC-32 of its source, then of its data (8 bytes, which keeps the data aligned). */
const HEADER = 8;

/**
 * Written to a file of its own, then renamed: a process that reads it
 * meanwhile, or dies writing it, never sees half an entry.
 */
function writeEntry(path: string, checksum: number, data: Buffer, crc32: (data: Uint8Array) => number): void {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(checksum, 0);
  header.writeUInt32LE(crc32(data), 4);
  const partial = `${path}.${randomBytes(6).toString('hex')}`;
  const file = openSync(partial, 'wx', 0o600);
  try {
    try {
      writeFileSync(file, Buffer.concat([header, data]));
    } finally {
      closeSync(file);
    }
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * `.cache/prodk8s/code` in the outermost `node_modules` above `from` (the
 * project that installed prodk8s), or else in the `node_modules` of the
 * package `from` is in (prodk8s's own repository); undefined where there is none.
 */
export function codeCacheFolder(from = __dirname): string | undefined {
  const parts = from.split(sep);
  const at = parts.indexOf('node_modules');
  let root = from;
  while (at < 0 && !existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const modules = at >= 0 ? parts.slice(0, at + 1).join(sep) : join(root, 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'prodk8s', 'code') : undefined;
}
