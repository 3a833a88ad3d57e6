// One measurement in a fresh process: `node run.js <kind> <tenants> <folder>`.
// Prints one JSON line: objects, milliseconds of the work, CPU milliseconds of
// the work (every thread of the process: the main thread, the YAML worker,
// libuv's file system threads), milliseconds since the process started
// (start-up, module loading and the work), peak RSS in MiB.
//   prodk8s  the whole synth of a synthetic estate into <folder>/dist; also
//            saves what it wrote, as plain data, to <folder>/output.json
//   fleet    the whole synth of <tenants> environments of 50 tenants each, in one synth
//   cdk8s    the same files by the bare frameworks (`renderWithFrameworks`)
//   yaml     the serialization alone (`serializeAlone`)
import './start-as-command';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { loadSpecValidator } from '../../constructs/cluster/spec-schema';
import { synthesize } from '../../synth/synthesize';
import { loadTerraformRenderer } from '../../synth/terraform-renderer';
import { manifestObjects, renderWithFrameworks, serializeAlone, SynthOutput, synthOutput } from './floors';
import { FLEET_TENANTS, syntheticEstate, syntheticFleet } from './synthetic-estate';

const [kind, size, folder] = process.argv.slice(2);
const tenants = Number(size);
let objects = 0;
let ms = 0;
let cpuMs = 0;
let wallMs = 0;
/** Peak memory of the work: for a synth, read as it ends, before this script reads back what it wrote. */
let peakMiB = 0;

/** Runs the work, recording its time, CPU time, the process's time so far and its peak memory. */
function measured<T>(work: () => T): T {
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const start = performance.now();
  const startCpu = cpu();
  const result = work();
  ms = performance.now() - start;
  cpuMs = cpu() - startCpu;
  wallMs = performance.now();
  peakMiB = process.resourceUsage().maxRSS / 1024;
  return result;
}

/**
 * Module loading is start-up, outside the work as for the floors, which
 * import cdk8s and cdktf at the top: the synth loads the spec validator at
 * the first spec it checks, and cdktf with the Helm provider when it renders
 * the first Terraform stack. (The latency targets time the whole process.)
 */
function loadModules(): void {
  loadSpecValidator();
  loadTerraformRenderer();
}

if (kind === 'fleet') {
  const specs = syntheticFleet(tenants, FLEET_TENANTS);
  loadModules();
  const { files } = measured(() => synthesize(specs, join(folder, 'dist')));
  objects = manifestObjects(synthOutput(files)).length;
} else if (kind === 'prodk8s') {
  const spec = syntheticEstate(tenants);
  loadModules();
  const { files } = measured(() => synthesize([spec], join(folder, 'dist')));
  const output = synthOutput(files);
  objects = manifestObjects(output).length;
  writeFileSync(join(folder, 'output.json'), JSON.stringify(output));
} else {
  const output: SynthOutput = JSON.parse(readFileSync(join(folder, 'output.json'), 'utf8'));
  objects = manifestObjects(output).length;
  measured(() => (kind === 'cdk8s' ? renderWithFrameworks(output, folder) : serializeAlone(output, folder)));
}
process.stdout.write(`${JSON.stringify({ kind, tenants, objects, ms, cpuMs, wallMs, peakMiB })}\n`);
