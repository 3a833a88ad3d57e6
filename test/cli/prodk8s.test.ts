import { execFileSync } from 'child_process';
import fs = require('fs');
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { ExitCode, run, USAGE } from '../../cli/prodk8s';
import { renderEnvironments } from '../../synth/synthesize';
import { OUTPUT_MARKER } from '../../synth/output-folder';
import { SYNTH_NODE_OPTIONS } from '../../src/node-options';
import { clusterSpec, tenantSpec } from '../fixtures/cluster-spec';
import { dump } from 'js-yaml';
import * as manifest from '../../package.json';

const root = resolve(__dirname, '../..');

/** A project folder with `files`, made the current folder for the test. */
function project(files: Record<string, string>): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-cli-')));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  process.chdir(folder);
  return folder;
}

/** A TypeScript module exporting `specs` as `environments`, as a user would write it. */
const moduleOf = (specs: unknown[]) => `const specs: unknown[] = ${JSON.stringify(specs)};\nexport const environments = specs;\n`;

describe('the prodk8s command', () => {
  let cwd: string;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  const printed = (spy: jest.SpyInstance) => spy.mock.calls.map(call => call.join(' ')).join('\n');
  beforeEach(() => {
    cwd = process.cwd();
    stdout = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.chdir(cwd);
    jest.restoreAllMocks();
  });

  describe('usage', () => {
    test('--help prints the commands, options and exit codes', async () => {
      expect(await run(['--help'])).toBe(ExitCode.ok);
      expect(printed(stdout)).toBe(USAGE);
      expect(USAGE).toContain('Exit codes: 0 done, 1 invalid model, 2 usage, 3 input or output failure');
    });

    test('--version prints the package version', async () => {
      expect(await run(['--version'])).toBe(ExitCode.ok);
      expect(printed(stdout)).toBe(manifest.version);
    });

    test.each([
      [[], 'no command given'],
      [['deploy'], 'unknown command "deploy"'],
      [['synth', 'extra'], 'unexpected argument "extra"'],
      [['synth', '--output', 'x'], "Unknown option '--output'"],
      [['validate', '--out', 'x'], 'validate writes nothing: --out is for synth'],
      [['diff'], 'diff needs --base <folder>: the output of the synth to compare with'],
      [['diff', '--base', 'x', '--format', 'html'], 'unknown --format "html": markdown or json'],
      [['diff', '--base', 'x', '--out', 'y'], 'diff writes nothing: --out is for synth'],
      [['synth', '--base', 'x'], '--base is for diff'],
      [['validate', '--exit-code'], '--exit-code is for diff'],
      [['upgrade-plan'], 'upgrade-plan needs --to <version>: the Kubernetes version to upgrade to'],
      [['synth', '--to', '1.36.4'], '--to is for upgrade-plan'],
    ])('%j is a usage error, exit 2, with the usage', async (args, message) => {
      project({});
      expect(await run(args)).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain(message);
      expect(printed(stderr)).toContain('Usage: prodk8s <command>');
    });

    test('names what is missing when there is no environments module', async () => {
      project({});
      expect(await run(['synth'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain('no environments module: give --app <module>, or "app" in prodk8s.json');
      project({ 'prodk8s.json': '{"app": "missing.ts"}' });
      expect(await run(['synth'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain('the environments module missing.ts does not exist');
    });

    test.each([
      ['{"app": ', 'prodk8s.json is not valid JSON'],
      ['["envs.ts"]', 'prodk8s.json must hold an object'],
      ['{"app": "envs.ts", "output": "x"}', 'prodk8s.json: unknown setting "output"; known: app, out'],
      ['{"app": 3}', 'prodk8s.json: app = 3: must be a path'],
    ])('refuses the config file %s', async (config, message) => {
      project({ 'prodk8s.json': config, 'envs.ts': moduleOf([clusterSpec()]) });
      expect(await run(['validate'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain(message);
    });

    test('refuses an unknown environment, writing nothing', async () => {
      const folder = project({ 'envs.ts': moduleOf([clusterSpec()]) });
      expect(await run(['synth', '--app', 'envs.ts', '--env', 'qa'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain('unknown environment qa; known: test');
      expect(readdirSync(folder)).toEqual(['envs.ts']);
    });
  });

  describe('diff', () => {
    let written: jest.SpyInstance;
    const report = () => written.mock.calls.map(call => String(call[0])).join('');
    beforeEach(() => {
      written = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    });

    test('compares the model with an earlier synth, and with --exit-code exits 4 when anything changed', async () => {
      const spec = clusterSpec({ tenants: [tenantSpec()] });
      const folder = project({ 'envs.ts': moduleOf([spec]) });
      expect(await run(['synth', '--app', 'envs.ts', '--out', 'base'])).toBe(ExitCode.ok);
      const snapshot = () => readdirSync(folder, { recursive: true }).map(String).sort()
        .map(path => `${path} ${statSync(join(folder, path)).isFile() ? readFileSync(join(folder, path), 'utf8').length : '/'}`);
      const synthesized = snapshot();
      expect(await run(['diff', '--app', 'envs.ts', '--base', 'base', '--exit-code'])).toBe(ExitCode.ok);
      expect(report()).toContain('| test | none |  |');
      written.mockClear();
      writeFileSync(join(folder, 'envs.ts'), moduleOf([clusterSpec({ tenants: [tenantSpec({ quota: { requests: { cpu: '3', memory: '4Gi' }, pods: 20 } })] })]));
      expect(await run(['diff', '--app', 'envs.ts', '--base', 'base', '--exit-code'])).toBe(ExitCode.changed);
      expect(report()).toContain('| quotas | ResourceQuota team-a/compute `requests.cpu` | `2` → `3` | 8.5% → 12.8% of 23430m');
      written.mockClear();
      expect(await run(['diff', '--app', 'envs.ts', '--base', 'base', '--format', 'json'])).toBe(ExitCode.ok);
      expect(JSON.parse(report()).environments[0]).toMatchObject({ name: 'test', status: 'changed' });
      // It writes nothing: the base folder and the project are as they were, but for the module edited above.
      expect(snapshot().filter(line => !line.startsWith('envs.ts'))).toEqual(synthesized.filter(line => !line.startsWith('envs.ts')));
    });

    test('upgrade-plan plans one environment: the checks and the runbook, exit 1 on a failed check', async () => {
      project({ 'envs.ts': moduleOf([clusterSpec({ kubernetesVersion: '1.35.8' }), clusterSpec({ name: 'other' })]) });
      expect(await run(['upgrade-plan', '--app', 'envs.ts', '--to', '1.36.4'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain('upgrade-plan plans one environment: name it with --env (test, other)');
      expect(await run(['upgrade-plan', '--app', 'envs.ts', '--env', 'test', '--to', '1.36.4'])).toBe(ExitCode.ok);
      expect(report()).toContain('## Upgrade checks: test 1.35.8 → 1.36.4');
      expect(report()).toContain('## 1. Control plane (kubeadm)');
      written.mockClear();
      expect(await run(['upgrade-plan', '--app', 'envs.ts', '--env', 'other', '--to', '1.35.0'])).toBe(ExitCode.invalidModel);
      expect(report()).toContain('- **fails**: version: 1.36.4 → 1.35.0: a downgrade');
    });

    test('a base folder that cannot be read is an input failure, exit 3', async () => {
      project({ 'envs.ts': moduleOf([clusterSpec()]) });
      expect(await run(['diff', '--app', 'envs.ts', '--base', 'missing'])).toBe(ExitCode.ioFailure);
      expect(printed(stderr)).toContain('prodk8s: diff: the base output: cannot stat missing: no such file or directory (ENOENT)');
    });
  });

  describe('loading the environments', () => {
    test('from TypeScript, JavaScript or JSON, as `environments` or a default export', async () => {
      const spec = clusterSpec();
      project({
        'a.ts': moduleOf([spec]),
        'b.js': `module.exports = { environments: ${JSON.stringify([spec])} };`,
        'c.mjs': `export default ${JSON.stringify(spec)};`,
        'd.json': JSON.stringify([spec]),
      });
      for (const app of ['a.ts', 'b.js', 'c.mjs', 'd.json']) {
        stdout.mockClear();
        expect(await run(['validate', '--app', app])).toBe(ExitCode.ok);
        expect(printed(stdout)).toBe('prodk8s: test: valid');
      }
    });

    test('from YAML, and a spec of the wrong shape from any of them gets its problems, not a crash', async () => {
      const spec = clusterSpec();
      const broken = JSON.parse(JSON.stringify(spec));
      delete broken.tenants[0].quota;
      project({ 'envs.yaml': dump({ environments: [spec] }), 'broken.yaml': dump([broken]), 'bad.yaml': 'environments: [\n' });
      expect(await run(['validate', '--app', 'envs.yaml'])).toBe(ExitCode.ok);
      expect(printed(stdout)).toBe('prodk8s: test: valid');
      expect(await run(['validate', '--app', 'broken.yaml'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toContain('[test] tenants[0].quota = (missing): is required');
      expect(printed(stderr)).not.toMatch(/TypeError|    at /);
      stderr.mockClear();
      expect(await run(['validate', '--app', 'bad.yaml'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toMatch(/^prodk8s: the environments module bad.yaml failed to load: /);
    });

    test('an empty list of environments is refused: it would replace the output with nothing', async () => {
      const folder = project({ 'envs.ts': 'export const environments = [];\n' });
      expect(await run(['synth', '--app', 'envs.ts'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toBe('prodk8s: the environments module envs.ts exports an empty list of environments: there is nothing to render');
      expect(readdirSync(folder)).toEqual(['envs.ts']);
    });

    test('a module that exports no environments is a usage error', async () => {
      project({ 'envs.ts': 'export const prod = 1;\n' });
      expect(await run(['validate', '--app', 'envs.ts'])).toBe(ExitCode.usage);
      expect(printed(stderr)).toContain('the environments module envs.ts exports no environments: export `environments`, an array of ClusterSpec, or a default');
    });

    test('a module that fails to load, or exports something that is no spec, is an invalid model, without a stack trace', async () => {
      project({ 'throws.ts': 'throw new Error("no cluster today");\nexport const environments = [];\n', 'odd.ts': 'export const environments = [42];\n',
        'odder.ts': 'export const environments = 42;\n' });
      expect(await run(['validate', '--app', 'throws.ts'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toBe('prodk8s: the environments module throws.ts failed to load: no cluster today');
      stderr.mockClear();
      expect(await run(['validate', '--app', 'odd.ts'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toBe('prodk8s: the environments module odd.ts: environments[0] = 42: must be a ClusterSpec, an object with a name');
      stderr.mockClear();
      expect(await run(['validate', '--app', 'odder.ts'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toBe('prodk8s: the environments module odder.ts: environments[0] = 42: must be a ClusterSpec, an object with a name');
    });
  });

  describe('validate', () => {
    test('prints every problem and warning, exits 1, and writes nothing', async () => {
      const bad = clusterSpec({ kubeProxy: { mode: 'ipvs' }, tenants: [tenantSpec({ name: 'Bad_Name' })] });
      const folder = project({ 'envs.ts': moduleOf([bad]) });
      expect(await run(['validate', '--app', 'envs.ts'])).toBe(ExitCode.invalidModel);
      const text = printed(stderr);
      expect(text).toContain('prodk8s: warning: [test/cluster] kubeProxy.mode = "ipvs": deprecated since Kubernetes 1.35');
      expect(text).toContain('prodk8s: 1 problem in the model:\n  [test/cluster/tenants/Bad_Name] name = "Bad_Name": must be a DNS-1123 label');
      expect(readdirSync(folder)).toEqual(['envs.ts']);
    });

    test('says a valid model is valid, with its warnings', async () => {
      project({ 'envs.ts': moduleOf([clusterSpec({ kubeProxy: { mode: 'ipvs' } })]) });
      expect(await run(['validate', '--app', 'envs.ts'])).toBe(ExitCode.ok);
      expect(printed(stdout)).toBe('prodk8s: test: valid, with 1 warning');
    });
  });

  describe('synth', () => {
    test('writes what the library renders for the same spec into the configured folder', async () => {
      const spec = clusterSpec();
      const folder = project({ 'prodk8s.json': '{"app": "infra/envs.ts", "out": "rendered"}', 'infra/envs.ts': moduleOf([spec]) });
      expect(await run(['synth'])).toBe(ExitCode.ok);
      const { files } = renderEnvironments([spec]);
      for (const file of files) expect(readFileSync(join(folder, 'rendered', file.path), 'utf8')).toBe(file.content);
      expect(printed(stdout)).toBe(`prodk8s: wrote ${files.length} files for test into rendered/`);
      expect(existsSync(join(folder, 'rendered', OUTPUT_MARKER))).toBe(true);
    });

    test('--env replaces only that environment; the others stay byte for byte', async () => {
      const alpha = clusterSpec({ name: 'alpha' });
      const beta = clusterSpec({ name: 'beta' });
      const folder = project({ 'envs.ts': moduleOf([alpha, beta]) });
      expect(await run(['synth', '--app', 'envs.ts'])).toBe(ExitCode.ok);
      const betaSummary = join(folder, 'dist/beta/SUMMARY.md');
      const before = { ino: statSync(betaSummary).ino, text: readFileSync(betaSummary, 'utf8') };
      writeFileSync(join(folder, 'envs.ts'), moduleOf([{ ...alpha, tenants: [tenantSpec({ name: 'team-z' })] }, { ...beta, tenants: [] }]));
      expect(await run(['synth', '--app', 'envs.ts', '--env', 'alpha'])).toBe(ExitCode.ok);
      expect({ ino: statSync(betaSummary).ino, text: readFileSync(betaSummary, 'utf8') }).toEqual(before);
      expect(readdirSync(join(folder, 'dist/alpha/manifests'))).toContain('10-team-z.yaml');
    });

    test('a bad model: every problem, exit 1, the folder as it was', async () => {
      const folder = project({ 'envs.ts': moduleOf([clusterSpec()]) });
      expect(await run(['synth', '--app', 'envs.ts'])).toBe(ExitCode.ok);
      const summary = readFileSync(join(folder, 'dist/test/SUMMARY.md'), 'utf8');
      writeFileSync(join(folder, 'envs.ts'), moduleOf([clusterSpec({ networking: { podCidr: '10.96.0.0/16', serviceCidr: '10.96.0.0/12' } })]));
      expect(await run(['synth', '--app', 'envs.ts'])).toBe(ExitCode.invalidModel);
      expect(printed(stderr)).toContain('prodk8s: synth failed, dist was left as it was. 1 problem in the model:\n  [test/cluster] networking.serviceCidr = "10.96.0.0/12": must not overlap');
      expect(readFileSync(join(folder, 'dist/test/SUMMARY.md'), 'utf8')).toBe(summary);
    });

    test('a refused output folder: one line, exit 3, nothing touched', async () => {
      const folder = project({ 'envs.ts': moduleOf([clusterSpec()]), 'docs/guide.md': 'mine' });
      expect(await run(['synth', '--app', 'envs.ts', '--out', 'docs'])).toBe(ExitCode.ioFailure);
      expect(printed(stderr)).toBe(`prodk8s: refusing to replace ${folder}/docs: it holds files that prodk8s did not write (no ${OUTPUT_MARKER} marker); `
        + 'give --out a new or empty folder, or move those files away (if it holds an earlier prodk8s output, delete the folder); nothing was replaced');
      expect(await run(['synth', '--app', 'envs.ts', '--out', '.'])).toBe(ExitCode.ioFailure);
      expect(readdirSync(folder).sort()).toEqual(['docs', 'envs.ts']);
      expect(readFileSync(join(folder, 'docs/guide.md'), 'utf8')).toBe('mine');
    });

    describe('a file system that fails', () => {
      /** A tmpfs of `size` at a new folder, mounted with `options`; undefined where this process may not mount. */
      function tmpfs(size: string, options = ''): string | undefined {
        const mountpoint = mkdtempSync(join(tmpdir(), 'prodk8s-tmpfs-'));
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options}`, 'tmpfs', mountpoint], { stdio: 'ignore' });
          return mountpoint;
        } catch {
          return undefined;
        }
      }
      const unmount = (mountpoint: string) => execFileSync('umount', [mountpoint]);

      test('with no space left: one line naming the path and the cause, exit 3, the previous output untouched', async () => {
        const folder = project({ 'envs.ts': moduleOf([clusterSpec()]) });
        const small = tmpfs('64k');
        const out = small ?? join(folder, 'out');
        const writeFileSync = fs.writeFileSync;
        // Where the test may not mount a small tmpfs, the same failure is injected.
        const full = small === undefined ? jest.spyOn(fs, 'writeFileSync').mockImplementation((path, ...rest) => {
          if (!String(path).endsWith('.yaml')) return writeFileSync(path, ...rest);
          throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(path)}'`), { code: 'ENOSPC', syscall: 'open', path: String(path) });
        }) : undefined;
        try {
          mkdirSync(join(out, 'dist'));
          writeFileSync(join(out, 'dist', OUTPUT_MARKER), '');
          writeFileSync(join(out, 'dist', 'previous.txt'), 'previous');
          expect(await run(['synth', '--app', join(folder, 'envs.ts'), '--out', join(out, 'dist')])).toBe(ExitCode.ioFailure);
          expect(printed(stderr)).toMatch(new RegExp(`^prodk8s: cannot (open|write|mkdir) ${out}/\\.dist\\.prodk8s-staging-[0-9a-f]{8}/\\S+: `
            + 'no space left on device \\(ENOSPC\\); nothing was replaced$'));
          expect(readdirSync(out).sort()).toEqual(['dist']);
          expect(readdirSync(join(out, 'dist')).sort()).toEqual([OUTPUT_MARKER, 'previous.txt']);
        } finally {
          full?.mockRestore();
          if (small) unmount(small);
        }
      });

      test('read-only: one line naming the path and the cause, exit 3', async () => {
        const folder = project({ 'envs.ts': moduleOf([clusterSpec()]) });
        const readOnly = tmpfs('1m', ',ro');
        const mkdirSync = fs.mkdirSync;
        const denied = readOnly === undefined ? jest.spyOn(fs, 'mkdirSync').mockImplementation((path, ...rest) => {
          if (!String(path).includes('prodk8s-staging')) return mkdirSync(path, ...rest);
          throw Object.assign(new Error(`EROFS: read-only file system, mkdir '${String(path)}'`), { code: 'EROFS', syscall: 'mkdir', path: String(path) });
        }) : undefined;
        const out = readOnly ?? join(folder, 'ro');
        try {
          expect(await run(['synth', '--app', join(folder, 'envs.ts'), '--out', join(out, 'dist')])).toBe(ExitCode.ioFailure);
          expect(printed(stderr)).toMatch(new RegExp(`^prodk8s: cannot (open|mkdir) ${out}/\\.dist\\.prodk8s-(lock|staging-[0-9a-f]{8}): `
            + 'read-only file system \\(EROFS\\); nothing was replaced$'));
        } finally {
          denied?.mockRestore();
          if (readOnly) unmount(readOnly);
        }
      });

      test('permission denied: one line naming the path and the cause, exit 3', async () => {
        // Root passes every permission check, so the refusal is injected.
        const folder = project({ 'envs.ts': moduleOf([clusterSpec()]) });
        const renameSync = jest.spyOn(fs, 'renameSync').mockImplementation(path => {
          throw Object.assign(new Error(`EACCES: permission denied, rename '${String(path)}'`), { code: 'EACCES', syscall: 'rename', path: String(path) });
        });
        expect(await run(['synth', '--app', 'envs.ts'])).toBe(ExitCode.ioFailure);
        renameSync.mockRestore();
        expect(printed(stderr)).toMatch(new RegExp(`^prodk8s: cannot rename ${folder}/\\.dist\\.prodk8s-staging-[0-9a-f]{8}: permission denied \\(EACCES\\); nothing was replaced$`));
        expect(readdirSync(folder).sort()).toEqual(['envs.ts']);
      });
    });
  });

  test('the repository\'s own synth is this command over src/environments, with the synth\'s node options', () => {
    expect(JSON.parse(readFileSync(join(root, 'prodk8s.json'), 'utf8'))).toEqual({ app: 'src/environments/index.ts', out: 'dist' });
    expect(manifest.scripts.synth).toBe(`node scripts/build-if-changed.js && node ${SYNTH_NODE_OPTIONS.join(' ')} bin/prodk8s.js synth`);
    expect(manifest.bin).toEqual({ prodk8s: 'bin/prodk8s.js' });
  });

  test('`cdk8s synth` runs the same synth with the same node options', () => {
    const app = readFileSync(join(root, 'cdk8s.yaml'), 'utf8').match(/^app: (.*)$/m)?.[1];
    expect(app).toBe(`node scripts/build-if-changed.js && node ${SYNTH_NODE_OPTIONS.join(' ')} lib/src/cdk8s-app.js`);
  });

  test('the command tunes V8 for a short run before it opens the code cache, which is keyed by V8\'s flags', () => {
    const bin = readFileSync(join(root, 'bin', 'prodk8s.js'), 'utf8');
    const tuned = bin.indexOf("require('../lib/cli/short-run').tuneForShortRun();");
    expect(tuned).toBeGreaterThan(0);
    expect(tuned).toBeLessThan(bin.indexOf("require('../lib/cli/code-cache')"));
  });

  test('every synth node option is one this node accepts', () => {
    const accepted = execFileSync(process.execPath, [...SYNTH_NODE_OPTIONS, '-p', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(accepted.trim()).toBe('1');
  });
});
