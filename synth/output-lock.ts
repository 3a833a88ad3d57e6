import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { hostname } from 'os';
import { basename, dirname, join } from 'path';
import { OutputError } from './output-error';

/**
 * One synth at a time per output folder: a lock file beside the folder,
 * created exclusively and holding `pid@host` of its owner. A second synth
 * fails at once. A lock whose owner died on this host (a killed synth) is
 * taken over; one from another host is reported, for a person to judge.
 */
export class OutputLock {
  /** Takes the lock of `folder`, or throws an `OutputError` naming who holds it. */
  public static acquire(folder: string): OutputLock {
    const path = join(dirname(folder), `.${basename(folder)}.prodk8s-lock`);
    const owner = `${process.pid}@${hostname()}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, `${owner}\n`, { flag: 'wx' });
        return new OutputLock(path, owner);
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        if (failure.code !== 'EEXIST') {
          // Created but not written (no space left, say): an empty lock must not keep every later synth out.
          if (failure.syscall === 'write') rmSync(path, { force: true });
          throw Object.assign(failure, { path: failure.path ?? path });
        }
      }
      const holder = readHolder(path);
      if (holder !== undefined && !ownerDied(holder, path)) {
        throw new OutputError(`${folder} is being written by another prodk8s synth (process ${holder || 'unknown'}): `
          + `wait for it to finish, or delete ${path} if that process no longer runs`);
      }
      breakStale(path, holder);
    }
    throw new OutputError(`cannot take the lock ${path}: other synths keep taking it`);
  }

  private constructor(private readonly path: string, private readonly owner: string) {}

  /** Releases the lock, if it is still this process's. */
  public release(): void {
    if (readHolder(this.path) === this.owner) rmSync(this.path, { force: true });
  }
}

/** How long a lock may stay empty while its owner writes it. */
const EMPTY_LOCK_GRACE_MS = 5000;

function readHolder(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that wrote `holder` (`pid@host`) is known to have died:
 * only on this host can it be told. An empty lock older than a few seconds is
 * one whose owner died between creating and writing it.
 */
function ownerDied(holder: string, path: string): boolean {
  if (holder === '') {
    try {
      return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS;
    } catch {
      return true;
    }
  }
  const [pid, host] = holder.split('@');
  if (host !== hostname() || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a dead owner's lock. It is first renamed to a name of this
 * process's own, so that of two synths breaking it at once, only one removes
 * it; if what was renamed is not the dead owner's lock any more, it is put back.
 */
function breakStale(path: string, holder: string | undefined): void {
  const taken = `${path}.${process.pid}`;
  try {
    renameSync(path, taken);
  } catch {
    return;
  }
  if (readHolder(taken) === holder) {
    rmSync(taken, { force: true });
  } else {
    renameSync(taken, path);
  }
}
