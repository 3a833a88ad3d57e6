/**
 * A synth that could not write its output, in one line naming the path and
 * the cause: a refused target, a held lock, or a file system failure (no
 * space, read-only, permission denied). The previous output is untouched.
 */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }

  /** Runs `work`, turning a file system error into an `OutputError`; other errors pass. */
  public static wrap<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw OutputError.from(error);
    }
  }

  /** `error` as an `OutputError` if it is a file system error (it has an errno code), else as it was. */
  public static from(error: unknown): unknown {
    const failure = error as NodeJS.ErrnoException & { dest?: string };
    if (error instanceof OutputError || typeof failure?.code !== 'string' || !/^E[A-Z]+$/.test(failure.code)) return error;
    // Node's message reads "ENOSPC: no space left on device, open '/x/y'": keep the cause, name the path.
    const cause = failure.message.replace(/^E[A-Z]+: /, '').replace(/, \w+( '.*')?( -> '.*')?$/, '');
    const what = failure.path === undefined ? '' : ` ${failure.path}${failure.dest === undefined ? '' : ` -> ${failure.dest}`}`;
    return new OutputError(`cannot ${failure.syscall ?? 'write'}${what}: ${cause} (${failure.code})`);
  }
}
