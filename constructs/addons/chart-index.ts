import * as semver from 'semver';
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
 * when the index cannot tell: a repository or chart it does not record (one
 * of the user's own, or another chart of a shared repository), or a version
 * older than the oldest recorded.
 */
export function unservedChart(chart: HelmChart): string | undefined {
  const versions = INDEX.get(key(chart.repository))?.charts[chart.name];
  if (versions === undefined || versions.includes(chart.version)) return undefined;
  const oldest = versions[versions.length - 1];
  if (semver.valid(chart.version, { loose: true }) && semver.valid(oldest, { loose: true }) && semver.lt(chart.version, oldest, { loose: true })) return undefined;
  return `${chart.repository} does not serve ${chart.name} ${chart.version} (recorded: ${versions.slice(0, 5).join(', ')}${versions.length > 5 ? ', …' : ''}); `
    + 'refresh constructs/addons/chart-index.json with scripts/chart-index.ts if it was published since';
}
