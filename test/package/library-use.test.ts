import { execFileSync } from 'child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import * as manifest from '../../package.json';

// Installs the packed package into a scratch project, as another repository would.
// Slow by nature (npm pack and npm install), hence the generous timeout.
jest.setTimeout(300_000);

const root = resolve(__dirname, '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('prodk8s as a library', () => {
  let scratch: string;
  let tarball: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'prodk8s-consumer-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], root));
    tarball = join(scratch, packed[0].filename);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: false, types: [] },
    }));
    copyFileSync(join(root, 'test/fixtures/library-use/main.ts'), join(scratch, 'main.ts'));
    const dev = manifest.devDependencies;
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball,
      `cdk8s@${dev.cdk8s}`, `cdk8s-plus-27@${dev['cdk8s-plus-27']}`, `constructs@${dev.constructs}`, `typescript@${dev.typescript}`], scratch);
  });

  test('is the example the README shows', () => {
    const example = readFileSync(join(root, 'test/fixtures/library-use/main.ts'), 'utf8').split('\n').filter(l => !l.startsWith('//')).join('\n');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(example.trim());
  });

  test('ships only the compiled library', () => {
    const files: string[] = JSON.parse(npm(['pack', '--dry-run', '--json'], root))[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('lib/constructs/index.js');
    expect(files).toContain('lib/constructs/index.d.ts');
    expect(files.filter(f => !f.startsWith('lib/constructs/') && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
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
});
