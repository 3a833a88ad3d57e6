// `npm run bench`: synth time and memory of synthetic estates of 10 to 5,000
// tenants, each size in a fresh process from compiled JavaScript, against two
// floors measured the same way on exactly what the synth wrote: the same files
// rendered by the bare frameworks (the manifest objects as plain cdk8s
// ApiObjects, the Terraform stack through plain cdktf, the node-layer YAML with
// cdk8s's writer), and the serialization alone. The three kinds take turns, so
// that a machine slowing down for a while slows all of them; each figure is
// the best of several runs, which filters out the noise of a shared machine.
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SYNTH_NODE_OPTIONS } from '../../src/node-options';

const SIZES = (process.env.BENCH_SIZES ?? '10,100,500,1000,5000').split(',').map(Number);
const KINDS = ['prodk8s', 'cdk8s', 'yaml'] as const;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * Runs per size: estates up to 100 tenants take a fraction of a second, where
 * a shared machine's noise is largest against the work, so they get three
 * times as many; five runs of 10 tenants gave ratios from 1.2× to 1.5×.
 */
const runsFor = (tenants: number) => (tenants <= 100 ? RUNS * 3 : RUNS);

interface Run { kind: string; tenants: number; objects: number; ms: number; wallMs: number; peakMiB: number }

/** One run in a fresh node process, with the options `npm run synth` uses. */
function once(kind: string, tenants: number, folder: string): Run {
  return JSON.parse(execFileSync(process.execPath, [...SYNTH_NODE_OPTIONS, join(__dirname, 'run.js'), kind, String(tenants), folder], { encoding: 'utf8' }));
}

/** Each kind's best of `runsFor(tenants)` runs, the kinds taking turns; prodk8s first, as it writes the objects the floors render. */
function measure(tenants: number, folder: string): Record<string, Run> {
  const best: Record<string, Run> = {};
  for (let run = 0; run < runsFor(tenants); run++) {
    for (const kind of KINDS) {
      const result = once(kind, tenants, folder);
      if (!best[kind] || result.ms < best[kind].ms) best[kind] = result;
    }
  }
  return best;
}

const rows = new Map<number, Record<string, Run>>();
for (const tenants of SIZES) {
  const folder = mkdtempSync(join(tmpdir(), 'prodk8s-bench-'));
  try {
    rows.set(tenants, measure(tenants, folder));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  process.stderr.write(`measured ${tenants} tenants\n`);
}

const f = (n: number, digits = 0) => n.toFixed(digits);
console.log(`Best of ${runsFor(10)} runs up to 100 tenants, of ${runsFor(1000)} above; node ${process.version} ${SYNTH_NODE_OPTIONS.join(' ')}\n`);
console.log('| tenants | objects | prodk8s ms | process wall ms | peak MiB | ms/object | plain cdk8s+cdktf ms | yaml ms | prodk8s/plain | prodk8s/yaml |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [tenants, { prodk8s, cdk8s, yaml }] of rows) {
  console.log(`| ${[
    tenants, prodk8s.objects, f(prodk8s.ms), f(prodk8s.wallMs), f(prodk8s.peakMiB), f(prodk8s.ms / prodk8s.objects, 3),
    f(cdk8s.ms), f(yaml.ms), f(prodk8s.ms / cdk8s.ms, 2), f(prodk8s.ms / yaml.ms, 2),
  ].join(' | ')} |`);
}
const perObject = (tenants: number) => rows.get(tenants)!.prodk8s.ms / rows.get(tenants)!.prodk8s.objects;
const time = (tenants: number) => rows.get(tenants)!.prodk8s.ms;
if ([100, 500, 5000].every(tenants => rows.has(tenants))) {
  console.log(`\ngrowth: ms/object at 5000 / at 100 = ${f(perObject(5000) / perObject(100), 2)} (target ≤ 1.2); `
    + `time(5000) / time(500) = ${f(time(5000) / time(500), 2)} (linear: 10)`);
}
