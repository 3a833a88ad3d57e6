import recorded from './chart-index.json';
import type { HelmChart } from './helm-addon';

/** What one chart repository serves: chart names and their versions, newest first, and where that was read. */
export interface ServedCharts {
  readonly source: string;
  /** False where the repository's index could not be read and the versions are its releases. */
  readonly verified: boolean;
  readonly charts: Readonly<Record<string, readonly string[]>>;
}

/** The recorded index of every repository a pinned chart comes from (`chart-index.json`). */
export const CHART_INDEX: Readonly<Record<string, ServedCharts>> = recorded.repositories;

/** Repository URLs compare without a trailing slash. */
const key = (repository: string) => repository.replace(/\/+$/, '');
const INDEX = new Map(Object.entries(CHART_INDEX).map(([repository, served]) => [key(repository), served]));

/**
 * Why `chart` is not one its repository serves, or undefined when it is, or
 * when the repository is not in the index (a chart repository of the user's
 * own, which prodk8s cannot know).
 */
export function unservedChart(chart: HelmChart): string | undefined {
  const served = INDEX.get(key(chart.repository));
  if (served === undefined) return undefined;
  const versions = served.charts[chart.name];
  if (versions === undefined) {
    return `${chart.repository} serves no chart ${chart.name} (it serves ${Object.keys(served.charts).sort().join(', ')})`;
  }
  if (versions.includes(chart.version)) return undefined;
  return `${chart.repository} does not serve ${chart.name} ${chart.version} (recorded: ${versions.slice(0, 5).join(', ')}${versions.length > 5 ? ', …' : ''}); `
    + 'refresh constructs/addons/chart-index.json with scripts/chart-index.ts if it was published since';
}
