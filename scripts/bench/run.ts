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
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
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
const peak = () => process.resourceUsage().maxRSS / 1024;
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

if (kind === 'fleet') {
  const specs = syntheticFleet(tenants, FLEET_TENANTS);
  loadTerraformRenderer();
  const start = performance.now();
  const startCpu = cpu();
  const { files } = synthesize(specs, join(folder, 'dist'));
  ms = performance.now() - start;
  cpuMs = cpu() - startCpu;
  wallMs = performance.now();
  peakMiB = peak();
  objects = manifestObjects(synthOutput(files)).length;
} else if (kind === 'prodk8s') {
  const spec = syntheticEstate(tenants);
  // Module loading is start-up, outside the work as for the floors, which import cdktf at the top:
  // the synth loads cdktf and the Helm provider only when it renders the Terraform stack.
  loadTerraformRenderer();
  const start = performance.now();
  const startCpu = cpu();
  const { files } = synthesize([spec], join(folder, 'dist'));
  ms = performance.now() - start;
  cpuMs = cpu() - startCpu;
  wallMs = performance.now();
  peakMiB = peak();
  const output = synthOutput(files);
  objects = manifestObjects(output).length;
  writeFileSync(join(folder, 'output.json'), JSON.stringify(output));
} else {
  const output: SynthOutput = JSON.parse(readFileSync(join(folder, 'output.json'), 'utf8'));
  objects = manifestObjects(output).length;
  const start = performance.now();
  const startCpu = cpu();
  if (kind === 'cdk8s') renderWithFrameworks(output, folder);
  else serializeAlone(output, folder);
  ms = performance.now() - start;
  cpuMs = cpu() - startCpu;
  wallMs = performance.now();
  peakMiB = peak();
}
process.stdout.write(`${JSON.stringify({ kind, tenants, objects, ms, cpuMs, wallMs, peakMiB })}\n`);
