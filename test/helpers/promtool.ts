import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';

/**
 * Runs Debian's promtool on YAML documents written to a scratch folder
 * (file name → content), from that folder; returns its output, or throws
 * with it. `.ci/run` installs the `prometheus` package that ships it.
 */
export function promtool(args: readonly string[], files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodk8s-promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), stringify(content, { lineWidth: 0 }));
    return execFileSync('promtool', [...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: the rule tests need Debian\'s prometheus package (apt-get install --no-install-recommends prometheus)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
