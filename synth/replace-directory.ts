import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

/** A file to write, its path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Replaces the folder `target` with what `fill` writes into a staging folder
 * beside it. Only once `fill` has returned is the old folder swapped out, so
 * a failure at any point leaves `target` as it was, and no staging behind.
 */
export function replaceDirectory(target: string, fill: (staging: string) => void): void {
  const absolute = resolve(target);
  mkdirSync(dirname(absolute), { recursive: true });
  const staging = mkdtempSync(join(dirname(absolute), `.${basename(absolute)}-staging-`));
  const retired = `${staging}-retired`;
  try {
    fill(staging);
    if (existsSync(absolute)) renameSync(absolute, retired);
    renameSync(staging, absolute);
  } catch (error) {
    if (!existsSync(absolute) && existsSync(retired)) renameSync(retired, absolute);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(retired, { recursive: true, force: true });
}

/** Writes `files` below `directory`, creating their folders. */
export function writeFiles(directory: string, files: readonly OutputFile[]): void {
  for (const file of files) {
    const path = join(directory, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}
