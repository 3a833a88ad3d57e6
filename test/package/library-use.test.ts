import { execFileSync, spawnSync } from 'child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import * as manifest from '../../package.json';
import { renderEnvironments } from '../../synth/synthesize';
import { OUTPUT_MARKER } from '../../synth/output-folder';
import { environments } from '../fixtures/consumer/environments';

// Installs the packed package into a scratch project, as another repository would.
// Slow by nature (npm pack and npm install), hence the generous timeout.
jest.setTimeout(300_000);

const root = resolve(__dirname, '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The consumer tsconfig the README shows. */
const CONSUMER_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: false, types: [] },
};

/** Every file below `folder`, relative to it, sorted. */
function filesBelow(folder: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      else found.push(relative(folder, join(path, entry.name)));
    }
  };
  walk(folder);
  return found.sort();
}

describe('prodk8s in another repository', () => {
  let scratch: string;
  const prodk8s = (args: string[]) => spawnSync(join(scratch, 'node_modules/.bin/prodk8s'), args, { cwd: scratch, encoding: 'utf8' });

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'prodk8s-consumer-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], root));
    const tarball = join(scratch, packed[0].filename);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    writeFileSync(join(scratch, 'prodk8s.json'), JSON.stringify({ app: 'environments.ts' }));
    copyFileSync(join(root, 'test/fixtures/library-use/main.ts'), join(scratch, 'main.ts'));
    copyFileSync(join(root, 'test/fixtures/consumer/environments.ts'), join(scratch, 'environments.ts'));
    const dev = manifest.devDependencies;
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball,
      `cdk8s@${dev.cdk8s}`, `cdk8s-plus-27@${dev['cdk8s-plus-27']}`, `constructs@${dev.constructs}`, `typescript@${dev.typescript}`,
      `cdktf@${dev.cdktf}`, `@cdktf/provider-helm@${dev['@cdktf/provider-helm']}`], scratch);
  });

  test('the README shows the library example and the consumer tsconfig', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = readFileSync(join(root, 'test/fixtures/library-use/main.ts'), 'utf8').split('\n').filter(l => !l.startsWith('//')).join('\n');
    expect(readme).toContain(example.trim());
    expect(readme).toContain(JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    const environmentsExample = readFileSync(join(root, 'test/fixtures/consumer/environments.ts'), 'utf8').split('\n').filter(l => !l.startsWith('//')).join('\n');
    expect(readme).toContain(environmentsExample.trim());
  });

  test('ships the command and the compiled library, not the reference environments, scripts or tests', () => {
    const files: string[] = JSON.parse(npm(['pack', '--dry-run', '--json'], root))[0].files.map((f: { path: string }) => f.path);
    for (const file of ['bin/prodk8s.js', 'lib/index.js', 'lib/index.d.ts', 'lib/terraform.js', 'lib/cli/prodk8s.js', 'lib/synth/synthesize.js', 'lib/stacks/node-files.js', 'lib/review/output-diff.js']) {
      expect(files).toContain(file);
    }
    const outside = files.filter(f => !/^lib\/(index|terraform)\.(js|d\.ts)$/.test(f) && !/^lib\/(constructs|stacks|synth|review|cli)\//.test(f));
    expect(outside.sort()).toEqual(['README.md', 'bin/prodk8s.js', 'package.json']);
    expect(statSync(join(root, 'bin/prodk8s.js')).mode & 0o111).toBeTruthy();
  });

  test('`npx prodk8s synth` writes every file this repository renders for the same spec, and nothing else', () => {
    const result = prodk8s(['synth']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { files } = renderEnvironments(environments);
    expect(result.stdout).toBe(`prodk8s: wrote ${files.length} files for edge into dist/\n`);
    expect(filesBelow(join(scratch, 'dist'))).toEqual([OUTPUT_MARKER, ...files.map(f => f.path)].sort());
    for (const file of files) expect(readFileSync(join(scratch, 'dist', file.path), 'utf8')).toBe(file.content);
    expect(JSON.parse(readFileSync(join(scratch, 'dist/edge/terraform/cdk.tf.json'), 'utf8')).terraform.backend)
      .toEqual({ s3: { bucket: 'edge-state', region: 'eu-central-1', key: 'prodk8s/edge/terraform.tfstate', encrypt: true, use_lockfile: true } });
  });

  test('the command keeps its code cache in the project\'s node_modules, and runs from it the next time', () => {
    const cache = join(scratch, 'node_modules/.cache/prodk8s/code');
    const entries = () => filesBelow(cache);
    const before = entries();
    // The synth above filled it: its modules, prodk8s's own among them.
    expect(before.length).toBeGreaterThan(100);
    const again = prodk8s(['synth']);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(entries()).toEqual(before);
  });

  test('`npx prodk8s diff` compares the model with that synth from the installed package, and reports a change', () => {
    const same = prodk8s(['diff', '--base', 'dist', '--exit-code']);
    expect(same.stderr).toBe('');
    expect(same).toMatchObject({ status: 0, stdout: expect.stringContaining('| edge | none |') });
    writeFileSync(join(scratch, 'bigger.ts'), readFileSync(join(scratch, 'environments.ts'), 'utf8').replace("memory: '8Gi'", "memory: '9Gi'"));
    const changed = prodk8s(['diff', '--app', 'bigger.ts', '--base', 'dist', '--exit-code']);
    expect(changed.status).toBe(4);
    expect(changed.stdout).toContain('`requests.memory` | `8Gi` → `9Gi`');
  });

  test('`npx prodk8s validate` on a bad spec exits 1 with every problem, writing nothing', () => {
    writeFileSync(join(scratch, 'bad.ts'), readFileSync(join(scratch, 'environments.ts'), 'utf8')
      .replace("memory: '8Gi'", "memory: '8GB'").replace("podCidr: '10.32.0.0/16'", "podCidr: '10.112.0.0/16'"));
    const before = filesBelow(scratch);
    const result = prodk8s(['validate', '--app', 'bad.ts']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('prodk8s: 2 problems in the model:');
    expect(result.stderr).toContain('[edge/cluster] networking.serviceCidr = "10.112.0.0/12": must not overlap networking.podCidr (10.112.0.0/16)');
    expect(result.stderr).toContain('[edge/cluster/tenants/sensors] quota.requests.memory = "8GB": must be a Kubernetes quantity');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(filesBelow(scratch)).toEqual(before);
  });

  test('`npx prodk8s validate` reads a CommonJS module\'s `module.exports`', () => {
    writeFileSync(join(scratch, 'envs.js'), `module.exports = { environments: ${JSON.stringify(environments)} };\n`);
    expect(prodk8s(['validate', '--app', 'envs.js'])).toMatchObject({ status: 0, stdout: 'prodk8s: edge: valid\n' });
  });

  test('`npx prodk8s --help` and a usage error answer at once, exit 0 and 2', () => {
    expect(prodk8s(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: prodk8s <command>') });
    expect(prodk8s(['synt'])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command "synt"') });
  });

  test('compiles against its types and synthesizes a Tenant in another cdk8s app', () => {
    execFileSync(join(scratch, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: scratch });
    execFileSync('node', ['main.js'], { cwd: scratch });
    expect(readdirSync(join(scratch, 'out'))).toEqual(['platform.k8s.yaml']);
    const objects = parseAllDocuments(readFileSync(join(scratch, 'out/platform.k8s.yaml'), 'utf8')).map(d => d.toJS());
    const namespace = objects.find(o => o.kind === 'Namespace');
    expect(namespace.metadata.name).toBe('payments');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(objects.filter(o => o.kind === 'NetworkPolicy').map(o => o.metadata.name).sort())
      .toEqual(['allow-dns', 'allow-from-nginx-entry', 'allow-same-namespace', 'default-deny']);
    expect(objects.find(o => o.kind === 'ClusterRole').metadata.name).toBe('namespace-admin');
  });

  test('runs the prodk8s validations in the other app\'s synth', () => {
    const broken = readFileSync(join(scratch, 'main.ts'), 'utf8').replace("memory: '8Gi'", "memory: '8GB'");
    writeFileSync(join(scratch, 'broken.ts'), broken.replace("outdir: 'out'", "outdir: 'broken-out'"));
    execFileSync(join(scratch, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: scratch });
    expect(() => execFileSync('node', ['broken.js'], { cwd: scratch, stdio: 'pipe' }))
      .toThrow('[platform/payments] quota.requests.memory = "8GB": must be a Kubernetes quantity');
  });

  test('shows the warnings of its constructs in the other app\'s synth, as process warnings', () => {
    writeFileSync(join(scratch, 'warned.ts'), [
      "import { App, Chart } from 'cdk8s';",
      "import { ProductionCluster } from 'prodk8s';",
      "import { environments } from './environments';",
      "const app = new App({ outdir: 'warned-out' });",
      "new ProductionCluster(new Chart(app, 'platform'), 'cluster', { ...environments[0], kubeProxy: { mode: 'ipvs' } });",
      'app.synth();',
      '',
    ].join('\n'));
    execFileSync(join(scratch, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: scratch });
    const result = spawnSync('node', ['warned.js'], { cwd: scratch, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr.match(/ProdK8sWarning/g)).toHaveLength(1);
    expect(result.stderr).toContain('ProdK8sWarning: [platform/cluster] kubeProxy.mode = "ipvs": deprecated since Kubernetes 1.35');
  });

  test('builds the add-ons\' Terraform stack in the other repository\'s own cdktf app', () => {
    writeFileSync(join(scratch, 'stack.ts'), [
      "import { App as Cdk8sApp, Chart } from 'cdk8s';",
      "import { App } from 'cdktf';",
      "import { ProductionCluster } from 'prodk8s';",
      "import { AddonReleasesStack } from 'prodk8s/terraform';",
      "import { environments } from './environments';",
      "const cluster = new ProductionCluster(new Chart(new Cdk8sApp(), 'edge'), 'cluster', environments[0]);",
      "const app = new App({ outdir: 'cdktf.out' });",
      'new AddonReleasesStack(app, cluster);',
      'app.synth();',
      '',
    ].join('\n'));
    execFileSync(join(scratch, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: scratch });
    execFileSync('node', ['stack.js'], { cwd: scratch, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect(readFileSync(join(scratch, 'cdktf.out/stacks/edge/cdk.tf.json'), 'utf8'))
      .toBe(readFileSync(join(scratch, 'dist/edge/terraform/cdk.tf.json'), 'utf8'));
  });
});
