// The wait a person feels: whole commands as they type them, timed from
// outside, start-up and the compile check included.
import { execFileSync } from 'child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..', '..');

export interface Latency {
  readonly name: string;
  /** Median wall milliseconds of the runs. */
  readonly ms: number;
  readonly targetMs: number;
}

/** Wall milliseconds of one command run to its end; its output is discarded, a failure is not. */
function timed(command: string, args: readonly string[], expectFailure = false): number {
  const start = performance.now();
  try {
    execFileSync(command, args, { cwd: ROOT, stdio: 'ignore' });
    if (expectFailure) throw new Error(`${command} ${args.join(' ')} succeeded, but a usage error was expected`);
  } catch (error) {
    if (!expectFailure || (error as { status?: number }).status === undefined) throw error;
  }
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * `npm run synth` of the reference environments with nothing changed, and
 * after an edit of one environment file (a copy of them, each run appending a
 * line to one file, written to a scratch folder, not `dist/`); `--help` and a
 * usage error of the command. The median of `runs` runs each, after one that
 * is not counted (it builds, when the sources changed, and fills the caches).
 */
export function measureLatency(runs: number): Latency[] {
  const folder = mkdtempSync(join(tmpdir(), 'prodk8s-latency-'));
  try {
    cpSync(join(ROOT, 'src', 'environments'), join(folder, 'environments'), { recursive: true });
    const app = join(folder, 'environments', 'index.ts');
    const synth = ['run', '--silent', 'synth', '--', '--app', app, '--out', join(folder, 'dist')];
    const series = (run: () => number) => {
      run();
      return median(Array.from({ length: runs }, run));
    };
    let edits = 0;
    return [
      { name: 'npm run synth, nothing changed', ms: series(() => timed('npm', synth)), targetMs: 1000 },
      {
        name: 'npm run synth, one environment file edited',
        ms: series(() => {
          appendFileSync(join(folder, 'environments', 'dev.ts'), `// edit ${++edits}\n`);
          return timed('npm', synth);
        }),
        targetMs: 1500,
      },
      { name: 'prodk8s --help', ms: series(() => timed(process.execPath, ['bin/prodk8s.js', '--help'])), targetMs: 300 },
      { name: 'prodk8s with a usage error', ms: series(() => timed(process.execPath, ['bin/prodk8s.js', 'synt'], true)), targetMs: 300 },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
