/**
 * Writes `constructs/addons/chart-index.json` from the live repositories of
 * every pinned chart (`Versions.charts`): the `index.yaml` of an HTTPS
 * repository, the tags of an OCI registry (the registry's token flow, anonymous).
 * Needs the network; prints the JSON on stdout.
 *
 *   npx ts-node scripts/chart-index.ts > constructs/addons/chart-index.json
 */
import * as semver from 'semver';
import { parse } from 'yaml';
import { Versions } from '../constructs/versions';

/** The versions of `chart` in a repository's index.yaml, newest first. */
export function versionsInIndex(indexYaml: string, chart: string): string[] {
  const entries = (parse(indexYaml)?.entries ?? {})[chart] as { version: string }[] | undefined;
  return newestFirst((entries ?? []).map(entry => String(entry.version)));
}

/** Versions sorted newest first; those that are not semver last, as they came. */
export function newestFirst(versions: readonly string[]): string[] {
  const valid = versions.filter(v => semver.valid(v, { loose: true }));
  const other = versions.filter(v => !semver.valid(v, { loose: true }));
  return [...new Set([...valid.sort((a, b) => semver.rcompare(a, b, { loose: true })), ...other])];
}

/** The realm, service and scope of a registry's `WWW-Authenticate: Bearer …` challenge. */
export function bearerChallenge(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of header.replace(/^Bearer\s+/i, '').matchAll(/(\w+)="([^"]*)"/g)) fields[match[1]] = match[2];
  return fields;
}

async function ociTags(repository: string, chart: string): Promise<string[]> {
  const [host, ...path] = repository.replace(/^oci:\/\//, '').split('/');
  const url = `https://${host}/v2/${[...path, chart].join('/')}/tags/list`;
  let response = await fetch(url);
  if (response.status === 401) {
    const { realm, service, scope } = bearerChallenge(response.headers.get('www-authenticate') ?? '');
    const token = await (await fetch(`${realm}?service=${encodeURIComponent(service ?? '')}&scope=${encodeURIComponent(scope ?? `repository:${[...path, chart].join('/')}:pull`)}`)).json() as { token?: string };
    response = await fetch(url, { headers: { Authorization: `Bearer ${token.token}` } });
  }
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return newestFirst(((await response.json()) as { tags?: string[] }).tags ?? []);
}

/** How many versions a chart's entry keeps: the newest, enough to check a pin against. */
const KEPT = 15;

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.text();
}

async function main(): Promise<void> {
  const repositories: Record<string, { source: string; verified: boolean; charts: Record<string, string[]> }> = {};
  const today = new Date().toISOString().slice(0, 10);
  for (const chart of Object.values(Versions.charts)) {
    const versions = chart.repository.startsWith('oci://')
      ? await ociTags(chart.repository, chart.name)
      : versionsInIndex(await text(`${chart.repository.replace(/\/+$/, '')}/index.yaml`), chart.name);
    if (versions.length === 0) throw new Error(`${chart.repository} lists no version of ${chart.name}`);
    const entry = repositories[chart.repository] ??= {
      source: chart.repository.startsWith('oci://') ? `the registry's tags, ${today}` : `${chart.repository.replace(/\/+$/, '')}/index.yaml, ${today}`,
      verified: true,
      charts: {},
    };
    entry.charts[chart.name] = versions.slice(0, KEPT);
  }
  process.stdout.write(JSON.stringify({
    about: 'The chart versions each pinned repository serves, as recorded from the evidence in `source` (newest first; for long histories the newest 15, '
      + 'so an older pin is not checked). `verified: false` marks a repository whose index could not be read, listed from its releases. Refresh from the '
      + 'live repositories with `npx ts-node scripts/chart-index.ts > constructs/addons/chart-index.json`, then review `source` and `verified`.',
    repositories: Object.fromEntries(Object.keys(repositories).sort().map(r => [r, repositories[r]])),
  }, undefined, 2) + '\n');
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`chart-index: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
