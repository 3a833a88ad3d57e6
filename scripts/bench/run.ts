// One measurement in a fresh process: `node run.js <kind> <tenants> <folder>`.
// Prints one JSON line: objects, milliseconds of the work, milliseconds since
// the process started (start-up, module loading and the work), peak RSS in MiB.
//   prodk8s  the whole synth of a synthetic estate into <folder>/dist; also
//            saves its manifest objects to <folder>/objects.json for the others
//   cdk8s    the same objects as plain cdk8s ApiObjects, synthesized to YAML files
//   yaml     the same objects serialized alone, as prodk8s writes them (js-yaml)
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { synthesize } from '../../synth/synthesize';
import { yamlDocuments } from '../../synth/yaml-files';
import { syntheticEstate } from './synthetic-estate';

const [kind, size, folder] = process.argv.slice(2);
const tenants = Number(size);
let objects = 0;
let ms = 0;
let wallMs = 0;

if (kind === 'prodk8s') {
  const spec = syntheticEstate(tenants);
  const start = performance.now();
  const { files } = synthesize([spec], join(folder, 'dist'));
  ms = performance.now() - start;
  wallMs = performance.now();
  const manifests = files.filter(f => f.path.includes('/manifests/'));
  const documents = manifests.flatMap(f => f.content.split('\n---\n').slice(1));
  objects = documents.length;
  // The reference runs render exactly these objects.
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  writeFileSync(join(folder, 'objects.json'), JSON.stringify(manifests.flatMap(f => parseAllDocuments(f.content).map(d => d.toJS()))));
} else {
  const plain: any[] = JSON.parse(readFileSync(join(folder, 'objects.json'), 'utf8'));
  objects = plain.length;
  const start = performance.now();
  if (kind === 'cdk8s') {
    const app = new App({ outdir: join(folder, 'cdk8s') });
    const chart = new Chart(app, 'objects', { disableResourceNameHashes: true });
    plain.forEach((object, i) => new ApiObject(chart, String(i), object));
    app.synth();
  } else {
    writeFileSync(join(folder, 'objects.yaml'), yamlDocuments(plain, 'objects'));
  }
  ms = performance.now() - start;
  wallMs = performance.now();
}
process.stdout.write(`${JSON.stringify({ kind, tenants, objects, ms, wallMs, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
