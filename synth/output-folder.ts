import {
  chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmdirSync, symlinkSync,
  unlinkSync, writeFileSync,
} from 'fs';
import { homedir } from 'os';
import { basename, dirname, join, parse, relative, resolve } from 'path';
import { randomBytes } from 'crypto';
import { OutputError } from './output-error';
import { OutputLock } from './output-lock';

/** A file to write, its path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** Where files are written: a folder, and the output it is to replace, if any. */
export interface Staging {
  readonly directory: string;
  /** The folder this one will replace; a file it already holds unchanged is linked from there rather than written. */
  readonly previous?: string;
}

/**
 * The file that marks a folder as prodk8s output: synth replaces a folder
 * only when it is absent, empty, or holds this file.
 */
export const OUTPUT_MARKER = '.prodk8s-output';

const MARKER_TEXT = 'This folder is the output of `prodk8s synth`, which replaces it as a whole: files put here by hand are lost.\n';

/** What the new output keeps of the previous one, its paths relative to the folder. */
export type Carry = (previous: string) => readonly string[];

/**
 * Replaces the output folder `target` with what `fill` writes into a staging
 * folder beside it, plus the entries of the previous output that `carry`
 * names (hard-linked, so they stay byte for byte what they were):
 *
 * - `target` must be absent, empty, or marked as prodk8s output; the current
 *   folder and its ancestors, the home folder, a folder holding `.git` and
 *   anything but a folder are refused. A symbolic link is written through:
 *   its target is replaced, the link stays.
 * - One synth at a time: a lock beside the folder makes a second one fail at once.
 * - Only once `fill` has returned is the old folder swapped out, in two
 *   renames; a failure at any point leaves `target` as it was. A process
 *   killed between the two renames leaves the old output beside the folder;
 *   the next synth puts it back before anything else, and removes the
 *   leftovers of an interrupted one.
 *
 * Every failure is an `OutputError` naming the path and the cause.
 */
export function replaceOutput(target: string, fill: (staging: Staging) => void, carry: Carry = () => []): void {
  const output = openOutput(target, carry);
  try {
    OutputError.wrap(() => fill(output.staging));
  } catch (error) {
    output.abandon();
    throw error;
  }
  output.commit();
}

/** An output being replaced (`openOutput`): its staging folder, filled before `commit()` swaps it in. */
export interface OpenOutput {
  readonly staging: Staging;
  /** Swaps the staging folder in for the output, and lets the next synth go. */
  commit(): void;
  /** Removes the staging folder, the output left as it was, and lets the next synth go. */
  abandon(): void;
}

/**
 * The first half of `replaceOutput`, for a synth that fills the staging
 * folder as it renders: the target checked and locked, the interrupted
 * synths' leftovers cleaned up, a staging folder made beside it and the
 * entries `carry` names linked into it. The caller fills the staging
 * folder, then commits or abandons it, once, whatever happens.
 */
export function openOutput(target: string, carry: Carry = () => []): OpenOutput {
  const folder = OutputError.wrap(() => outputFolder(target));
  // The folders made for the output's parent, which a synth that fails leaves as they were: none.
  const made = OutputError.wrap(() => mkdirSync(dirname(folder), { recursive: true }));
  const unmake = () => {
    for (let above = dirname(folder); made !== undefined && above.startsWith(made); above = dirname(above)) {
      try {
        rmdirSync(above);
      } catch {
        // Someone else's now.
        return;
      }
    }
  };
  let lock: OutputLock;
  try {
    lock = OutputError.wrap(() => OutputLock.acquire(folder));
  } catch (error) {
    unmake();
    throw error;
  }
  let staging: string | undefined;
  try {
    crashPoint('locked');
    OutputError.wrap(() => recoverInterrupted(folder));
    const previous = OutputError.wrap(() => checkReplaceable(folder));
    staging = OutputError.wrap(() => createStaging(folder));
    const directory = staging;
    OutputError.wrap(() => {
      writeFiles({ directory, previous }, [{ path: OUTPUT_MARKER, content: MARKER_TEXT }]);
      if (previous !== undefined) for (const path of carry(previous)) linkTree(join(previous, path), join(directory, path));
    });
    const abandon = () => {
      try {
        removeTree(directory);
      } finally {
        lock.release();
        unmake();
      }
    };
    return {
      staging: { directory, previous },
      commit: () => {
        try {
          crashPoint('staged');
          OutputError.wrap(() => swap(folder, directory, previous !== undefined));
        } catch (error) {
          abandon();
          throw error;
        }
        lock.release();
      },
      abandon,
    };
  } catch (error) {
    if (staging !== undefined) removeTree(staging);
    lock.release();
    unmake();
    throw error;
  }
}

/** Names of the folders a synth of `folder` works in beside it: `.dist.prodk8s-staging-1a2b3c4d`. */
function sideName(folder: string, kind: 'staging' | 'retired'): string {
  return join(dirname(folder), `.${basename(folder)}.prodk8s-${kind}-${randomBytes(4).toString('hex')}`);
}

/** Leftovers of earlier synths of `folder`, by kind. */
function leftovers(folder: string, kind: 'staging' | 'retired'): string[] {
  const prefix = `.${basename(folder)}.prodk8s-${kind}-`;
  return readdirSync(dirname(folder)).filter(name => name.startsWith(prefix)).map(name => join(dirname(folder), name));
}

/**
 * Swaps `staging` in for `folder`: two renames, the old output kept beside
 * until the new one is in place.
 */
function swap(folder: string, staging: string, hadPrevious: boolean): void {
  if (!hadPrevious) {
    renameSync(staging, folder);
    return;
  }
  const retired = sideName(folder, 'retired');
  renameSync(folder, retired);
  crashPoint('retired');
  try {
    renameSync(staging, folder);
  } catch (error) {
    renameSync(retired, folder);
    throw error;
  }
  crashPoint('swapped');
  // The new output is in place: what is left of the old one, the next synth removes.
  try {
    removeTree(retired);
  } catch {
    // Left for recoverInterrupted.
  }
}

/**
 * Removes what prodk8s wrote at `path`, a folder and everything in it,
 * without following links (a link is removed, never what it points to).
 * Faster than Node 20's `rmSync`, which looks up every entry before removing
 * it, first tries to remove every folder as if it were empty, and allocates
 * a buffer for every path: a fleet's previous output (some 10,000 files in
 * 1,600 folders) took 165 ms rather than 210 when removed alone. A folder
 * that refuses (a read-only folder carried from `.terraform/`, copied with
 * its mode) is given its owner's permissions and tried once more: its copy
 * in the new output is a folder of its own, and keeps its mode.
 */
export function removeTree(path: string): void {
  if (lstatSync(path).isDirectory()) removeFolder(path);
  else unlinkSync(path);
}

function removeFolder(folder: string): void {
  const entries = withOwnerAccess(folder, () => readdirSync(folder, { withFileTypes: true }));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    withOwnerAccess(folder, () => (entry.isDirectory() ? removeFolder(path) : unlinkSync(path)));
  }
  rmdirSync(folder);
}

/** `work`, and once more after giving `folder` its owner's read, write and search permissions if it was refused. */
function withOwnerAccess<T>(folder: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    chmodSync(folder, (lstatSync(folder).mode & 0o7777) | 0o700);
    return work();
  }
}

/**
 * Cleans up after a synth of `folder` that was killed: when the folder is
 * missing but its old output was retired beside it, the old output is put
 * back; staging folders left behind are removed, and retired ones once the
 * folder holds a marked output again (never while it is empty or foreign, so
 * that no output is lost to a folder someone made meanwhile). Runs under the
 * lock, so no other synth is using them.
 */
function recoverInterrupted(folder: string): void {
  const retired = leftovers(folder, 'retired');
  if (!existsSync(folder) && retired.length > 0) renameSync(retired.pop()!, folder);
  const replaced = existsSync(join(folder, OUTPUT_MARKER));
  for (const leftover of [...(replaced ? retired : []), ...leftovers(folder, 'staging')]) removeTree(leftover);
}

/** A new, empty staging folder beside `folder`, with the permissions the umask gives (not mkdtemp's 0700). */
function createStaging(folder: string): string {
  const staging = sideName(folder, 'staging');
  mkdirSync(staging);
  return staging;
}

/**
 * The real folder that output to `target` replaces, after refusing any target
 * a synth must never replace. A symbolic link is followed to its target.
 */
export function outputFolder(target: string): string {
  const absolute = resolve(target);
  const link = lstatSync(absolute, { throwIfNoEntry: false });
  let folder = absolute;
  if (link?.isSymbolicLink()) {
    // Written through: a link to a folder that is missing (a synth killed between its two renames, say) gets it back.
    const pointed = resolve(dirname(absolute), readlinkSync(absolute));
    folder = existsSync(pointed) ? realpathSync(pointed) : pointed;
    if (!existsSync(dirname(folder))) {
      throw new OutputError(`${target} is a symbolic link to ${folder}, whose folder ${dirname(folder)} does not exist: `
        + 'create it, or give --out a folder of its own');
    }
    folder = join(realpathSync(dirname(folder)), basename(folder));
  } else if (existsSync(dirname(absolute))) {
    folder = join(realpathSync(dirname(absolute)), basename(absolute));
  }
  const refuse = (why: string) => new OutputError(`refusing to write into ${target}: ${why}. Give --out a folder of its own, such as dist`);
  const here = realpathSync(process.cwd());
  if (folder === parse(folder).root) throw refuse('it is the root of the file system');
  const down = relative(folder, here);
  if (down !== '..' && !down.startsWith('../')) {
    throw refuse(folder === here ? 'it is the current folder' : `it holds the current folder ${here}`);
  }
  if (existsSync(homedir()) && folder === realpathSync(homedir())) throw refuse('it is the home folder');
  for (let above = dirname(folder); above !== dirname(above); above = dirname(above)) {
    // The enclosing output's next synth would delete this one.
    if (existsSync(join(above, OUTPUT_MARKER))) throw refuse(`it is inside ${above}, the output of another synth (to render some environments only, use --env)`);
  }
  return folder;
}

/**
 * Refuses `folder` unless it is absent, empty, or marked as prodk8s output;
 * returns it when it holds a previous output to replace.
 */
function checkReplaceable(folder: string): string | undefined {
  const stats = lstatSync(folder, { throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  const refuse = (why: string, next: string) => new OutputError(`refusing to replace ${folder}: ${why}; ${next}`);
  if (!stats.isDirectory()) throw refuse('it is not a folder', 'remove it, or give --out a folder');
  const entries = readdirSync(folder);
  if (entries.includes('.git')) throw refuse('it holds .git, a repository', 'give --out a folder of its own inside the repository, such as dist');
  if (entries.length === 0) return undefined;
  if (!entries.includes(OUTPUT_MARKER) && !isEarlierOutput(folder, entries)) {
    throw refuse(`it holds files that prodk8s did not write (no ${OUTPUT_MARKER} marker)`,
      'give --out a new or empty folder, or move those files away (if it holds an earlier prodk8s output, delete the folder)');
  }
  return folder;
}

/**
 * Whether `folder` is the output of a prodk8s from before the marker: only
 * environment folders, each with the SUMMARY.md that prodk8s generated. It is
 * replaced as a marked output is, so that its Terraform files are carried over.
 */
function isEarlierOutput(folder: string, entries: readonly string[]): boolean {
  return entries.every(entry => {
    try {
      return lstatSync(join(folder, entry)).isDirectory()
        && readFileSync(join(folder, entry, 'SUMMARY.md'), 'utf8').startsWith(`<!-- Generated by prodk8s for the "${entry}" environment.`);
    } catch {
      return false;
    }
  });
}

/**
 * Recreates `from` at `to`: folders created, files hard-linked (copied where
 * the file system has no hard links), symbolic links recreated as they are.
 */
function linkTree(from: string, to: string): void {
  const stats = lstatSync(from, { throwIfNoEntry: false });
  if (stats === undefined) return;
  mkdirSync(dirname(to), { recursive: true });
  if (stats.isDirectory()) {
    // Writable while it is filled, its own mode after (a read-only folder in .terraform/, say).
    mkdirSync(to, { mode: 0o700 });
    for (const entry of readdirSync(from)) linkTree(join(from, entry), join(to, entry));
    chmodSync(to, stats.mode & 0o7777);
  } else if (stats.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to);
  } else {
    try {
      linkSync(from, to);
    } catch {
      writeFileSync(to, readFileSync(from), { mode: stats.mode & 0o7777 });
    }
  }
}

/**
 * A test seam: `PRODK8S_TEST_CRASH_AT=<step>` kills the process at that step
 * of the swap (`locked`, `staged`, `retired`, `swapped`), as `kill -9` would,
 * so that tests can prove the next synth recovers. (Nothing is fsynced: after
 * a power cut, the file system's own journal decides what survives.)
 */
function crashPoint(step: string): void {
  if (process.env.PRODK8S_TEST_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Writes `files` below `staging.directory`, creating their folders. A file
 * that `staging.previous` holds with the same bytes is hard-linked from there
 * instead: it keeps its inode and modification time, so git, make and file
 * watchers see only what changed, and no file is created for it (creating and
 * deleting files is most of the cost of a small synth on some disks).
 */
export function writeFiles(staging: Staging, files: readonly OutputFile[]): void {
  // Each folder is made once, however many files go into it: a fleet writes some forty into each environment's sixteen.
  const made = new Set<string>();
  for (const file of files) {
    const path = join(staging.directory, file.path);
    const folder = dirname(path);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      // Its parents exist now too.
      for (let parent = folder; parent.startsWith(staging.directory) && !made.has(parent); parent = dirname(parent)) made.add(parent);
    }
    if (staging.previous === undefined || !linkUnchanged(join(staging.previous, file.path), file.content, path)) {
      try {
        writeFileSync(path, file.content);
      } catch (error) {
        // A failed write(2) (no space left) names no path: name the file.
        throw Object.assign(error as Error, { path: (error as NodeJS.ErrnoException).path ?? path });
      }
    }
  }
}

/** Links `previous` to `path` if it is a regular file holding exactly `content`; false where it is not, or cannot be linked. */
function linkUnchanged(previous: string, content: string, path: string): boolean {
  try {
    const stats = lstatSync(previous, { throwIfNoEntry: false });
    if (!stats?.isFile() || stats.size !== Buffer.byteLength(content) || readFileSync(previous, 'utf8') !== content) return false;
    linkSync(previous, path);
    return true;
  } catch {
    // Unreadable, or on a file system without hard links: the file is written instead.
    return false;
  }
}
