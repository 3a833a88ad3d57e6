// V8's code cache for the CommonJS modules a prodk8s command loads, kept
// between runs. A fifth of a small synth's time is V8 compiling functions as
// they first run (js-yaml's writer, cdk8s, cdktf): a module's cache, taken as
// the process exits, holds the bytecode of every function that ran, and the
// next run starts from it (the reference environments: 0.48 s to 0.42 s).
// Node 20 has no such cache of its own, and the libraries that add one
// (`v8-compile-cache`) take it as each module is compiled, before any of its
// functions ran: that saves some start-up, and none of the synth's time.
//
// A module runs from a cache of its own exact source only: V8 checks a cache
// against the source's length alone, so each entry starts with the CRC-32 of
// the source it was made from, as Node's own compile cache does. V8 takes a
// cache only in a process of the same V8 flags, so each set of node options
// has a folder of its own. Anything else (an ES module, a syntax error, a
// module that calls `import()`, source maps turned on, a Node without
// `zlib.crc32`) is compiled by Node as always, and a cache that cannot be
// read or written is no cache.
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import Module from 'module';
import { dirname, join, sep } from 'path';
import { Script } from 'vm';
import * as zlib from 'zlib';

/** What the cache did in this process. */
export interface CodeCache {
  /** Modules run from their cache. */
  readonly cached: string[];
  /** Modules compiled without one, whose cache is written as the process exits. */
  readonly compiled: string[];
}

/**
 * `import()`, which a script compiled here could run only with an experimental
 * loader of vm's: a module that may call it (or mentions it) is left to Node.
 */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

interface ModuleInternals {
  _compile(content: string, filename: string, format?: string): unknown;
  require(id: string): unknown;
  exports: unknown;
}

/**
 * Installs the cache in this process, in `folder` (`codeCacheFolder()`),
 * unless `PRODK8S_CODE_CACHE=0`: every module required after this is run
 * from its cache, or compiled and its cache written as the process exits.
 * Returns what it does, or undefined where it does nothing.
 */
export function useCodeCache(folder = codeCacheFolder()): CodeCache | undefined {
  const crc32 = (zlib as { crc32?: (data: string) => number }).crc32;
  if (folder === undefined || crc32 === undefined || process.env.PRODK8S_CODE_CACHE === '0' || process.sourceMapsEnabled) return undefined;
  const entries = join(folder, flagsKey());
  const made: { filename: string; checksum: number; script: Script }[] = [];
  const status: CodeCache = { cached: [], compiled: [] };
  const prototype = Module.prototype as unknown as ModuleInternals;
  const compile = prototype._compile;
  prototype._compile = function (this: ModuleInternals, content, filename, format) {
    if (format === 'module' || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, format);
    const checksum = crc32(content);
    const cachedData = readEntry(entryPath(entries, filename), checksum);
    let script: Script;
    try {
      script = new Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // An ES module in a .js file, or a syntax error: Node loads the one and reports the other its own way.
      return compile.call(this, content, filename, format);
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      made.push({ filename, checksum, script });
      status.compiled.push(filename);
    } else {
      status.cached.push(filename);
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as Function;
    return wrapper.call(this.exports, this.exports, requireFunction(this), this, filename, dirname(filename));
  };
  // Taken at exit, when the cache holds every function the command ran.
  process.once('exit', () => {
    try {
      if (made.length > 0) mkdirSync(entries, { recursive: true });
      for (const { filename, checksum, script } of made) writeEntry(entryPath(entries, filename), checksum, script.createCachedData());
    } catch {
      // A read-only install: no cache.
    }
  });
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

/** The cache of the node options of this process: V8 refuses a cache made under other flags. */
function flagsKey(): string {
  return digest([process.versions.v8, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0')).slice(0, 16);
}

function entryPath(entries: string, filename: string): string {
  return join(entries, digest(filename));
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The V8 cache stored for a source of this checksum, or undefined. */
function readEntry(path: string, checksum: number): Buffer | undefined {
  let entry: Buffer;
  try {
    entry = readFileSync(path);
  } catch {
    return undefined;
  }
  return entry.length > 4 && entry.readUInt32LE(0) === checksum ? entry.subarray(4) : undefined;
}

/** Written beside, then renamed: a process that reads it meanwhile, or dies writing it, never sees half an entry. */
function writeEntry(path: string, checksum: number, data: Buffer): void {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(checksum, 0);
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, Buffer.concat([header, data]));
  renameSync(partial, path);
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
