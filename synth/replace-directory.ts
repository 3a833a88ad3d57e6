import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

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
 * Replaces the folder `target` with what `fill` writes into a staging folder
 * beside it. Only once `fill` has returned is the old folder swapped out, so
 * a failure at any point leaves `target` as it was, and no staging behind.
 * A file the old folder holds byte for byte is hard-linked into the staging
 * folder instead of written again (`writeFiles`), so synthesizing again
 * creates only the files that changed.
 */
export function replaceDirectory(target: string, fill: (staging: Staging) => void): void {
  const absolute = resolve(target);
  mkdirSync(dirname(absolute), { recursive: true });
  const staging = mkdtempSync(join(dirname(absolute), `.${basename(absolute)}-staging-`));
  const retired = `${staging}-retired`;
  const previous = existsSync(absolute) ? absolute : undefined;
  try {
    fill({ directory: staging, previous });
    if (previous !== undefined) renameSync(previous, retired);
    renameSync(staging, absolute);
  } catch (error) {
    if (!existsSync(absolute) && existsSync(retired)) renameSync(retired, absolute);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(retired, { recursive: true, force: true });
}

/**
 * Writes `files` below `staging.directory`, creating their folders. A file
 * that `staging.previous` holds with the same bytes is hard-linked from there
 * instead: it keeps its inode and modification time, so git, make and file
 * watchers see only what changed, and no file is created for it (creating and
 * deleting files is most of the cost of a small synth on some disks).
 */
export function writeFiles(staging: Staging, files: readonly OutputFile[]): void {
  for (const file of files) {
    const path = join(staging.directory, file.path);
    mkdirSync(dirname(path), { recursive: true });
    if (staging.previous === undefined || !linkUnchanged(join(staging.previous, file.path), file.content, path)) {
      writeFileSync(path, file.content);
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
