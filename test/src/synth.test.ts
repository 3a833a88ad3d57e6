import { mkdtempSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SYNTH_NODE_OPTIONS } from '../../src/node-options';
import { main } from '../../src/synth';
import { clusterSpec, tenantSpec } from '../fixtures/cluster-spec';

describe('npm run synth', () => {
  let outdir: string;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    outdir = join(mkdtempSync(join(tmpdir(), 'prodk8s-cli-')), 'out');
    stdout = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('renders the reference environments into the folder given', () => {
    expect(main(['--out', outdir])).toBe(0);
    expect(readdirSync(outdir)).toEqual(['.prodk8s-output', 'dev', 'prod', 'staging']);
    expect(stdout).toHaveBeenCalledWith(expect.stringMatching(/^prodk8s: wrote \d+ files for dev, staging, prod into /));
  });

  test('renders only the environments named', () => {
    expect(main(['--out', outdir, '--env', 'prod', '--env', 'dev'])).toBe(0);
    expect(readdirSync(outdir)).toEqual(['.prodk8s-output', 'dev', 'prod']);
  });

  test('refuses an unknown environment without writing', () => {
    expect(main(['--out', outdir, '--env', 'qa'])).toBe(2);
    expect(stderr).toHaveBeenCalledWith('unknown environment qa; known: dev, staging, prod');
    expect(() => readdirSync(outdir)).toThrow();
  });

  test('refuses an unknown option with the usage', () => {
    expect(main(['--output', outdir])).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('Usage: npm run synth'));
  });

  test('prints every problem of a bad model, exits 1 and leaves the folder as it was', () => {
    mkdirSync(outdir, { recursive: true });
    writeFileSync(join(outdir, 'keep.yaml'), 'previous');
    const bad = clusterSpec({ tenants: [tenantSpec({ name: 'Bad_Name' }), tenantSpec({ name: 'ok', limits: { defaultRequest: { cpu: '1', memory: '2Gi' } } })] });
    expect(main(['--out', outdir], 'unused', [bad])).toBe(1);
    const message = stderr.mock.calls[0][0] as string;
    expect(message).toContain(`prodk8s: synth failed, ${outdir} was left as it was. 2 problems in the model:`);
    expect(message).toContain('[test/cluster/tenants/Bad_Name] name = "Bad_Name": must be a DNS-1123 label');
    expect(message).toContain('[test/cluster/tenants/ok] limits.defaultLimit.memory = "512Mi": must not be below limits.defaultRequest.memory (2Gi)');
    expect(readdirSync(outdir)).toEqual(['keep.yaml']);
    expect(readFileSync(join(outdir, 'keep.yaml'), 'utf8')).toBe('previous');
  });

  test('prints its usage', () => {
    expect(main(['--help'])).toBe(0);
    expect(stdout).toHaveBeenCalledWith(expect.stringContaining('--env <name>'));
  });
});

describe('the synth process', () => {
  test('runs compiled JavaScript with the node options the benchmark measures', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.scripts.synth).toBe(`npm run --silent build && node ${SYNTH_NODE_OPTIONS.join(' ')} lib/src/synth.js`);
    expect(readFileSync(join(__dirname, '../../cdk8s.yaml'), 'utf8')).toContain(`node ${SYNTH_NODE_OPTIONS.join(' ')} lib/src/cdk8s-app.js`);
  });
});
