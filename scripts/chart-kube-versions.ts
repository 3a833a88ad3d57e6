/**
 * Writes `constructs/addons/chart-kube-versions.json`: the `kubeVersion`
 * constraint of every pinned chart (`Versions.charts`), read from its
 * Chart.yaml in the chart cache (`../shared/charts`, or `PRODK8S_CHARTS`).
 * An empty constraint is recorded as `""` (the chart admits every version); a
 * chart the cache does not hold is left out. Prints the JSON on stdout.
 *
 *   npx ts-node scripts/chart-kube-versions.ts > constructs/addons/chart-kube-versions.json
 */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { Versions } from '../constructs/versions';

/** The constraints by `<chart>-<version>`, of the charts the cache holds. */
export function chartKubeVersions(cache: string): Record<string, string> {
  const constraints: Record<string, string> = {};
  for (const chart of Object.values(Versions.charts)) {
    const file = join(cache, `${chart.name}-${chart.version}.tgz`);
    if (!existsSync(file)) continue;
    // The chart's own Chart.yaml, not its subcharts'.
    const manifest = execFileSync('tar', ['-xzOf', file, `${chart.name}/Chart.yaml`], { encoding: 'utf8' });
    constraints[`${chart.name}-${chart.version}`] = String(parse(manifest)?.kubeVersion ?? '');
  }
  return Object.fromEntries(Object.entries(constraints).sort(([a], [b]) => (a < b ? -1 : 1)));
}

if (require.main === module) {
  const cache = process.env.PRODK8S_CHARTS ?? join(__dirname, '../../shared/charts');
  process.stdout.write(`${JSON.stringify({
    about: 'The kubeVersion constraint of each pinned chart, from its Chart.yaml; "" admits every version. '
      + 'Refresh with `npx ts-node scripts/chart-kube-versions.ts > constructs/addons/chart-kube-versions.json`.',
    charts: chartKubeVersions(cache),
  }, null, 2)}\n`);
}
