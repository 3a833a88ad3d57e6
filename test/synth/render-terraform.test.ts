import { Testing } from 'cdk8s';
import { Lazy, TerraformStack } from 'cdktf';
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import os = require('os');
import { basename, dirname, join } from 'path';
import { ProductionCluster } from '../../constructs';
import { renderTerraform, scratchFolder, withoutCreationStacks } from '../../synth/render-terraform';
import { clusterSpec } from '../fixtures/cluster-spec';

describe('renderTerraform', () => {
  let scratchParent: string;
  beforeEach(() => {
    // The scratch folder lands where the test can see it.
    scratchParent = mkdtempSync(join(os.tmpdir(), 'prodk8s-render-terraform-'));
    jest.spyOn(os, 'tmpdir').mockReturnValue(scratchParent);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(scratchParent, { recursive: true, force: true });
  });

  test('renders each cluster\'s stack as <env>/terraform/cdk.tf.json', () => {
    const clusters = ['dev', 'prod'].map(name => new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ name })));
    const files = renderTerraform(clusters);
    const stackFiles = (env: string) => clusters[0].addons.map(addon => `${env}/terraform/values/${addon.releaseName}.yaml`);
    expect(files.map(file => file.path)).toEqual(['dev/terraform/cdk.tf.json', ...stackFiles('dev'), 'prod/terraform/cdk.tf.json', ...stackFiles('prod')]);
    const prod = files.find(file => file.path === 'prod/terraform/cdk.tf.json')!;
    expect(JSON.parse(prod.content).terraform.backend).toEqual({ local: { path: '../../../.terraform-state/prod.tfstate' } });
  });

  test('fails as cdktf synth does when a stack fails its validations', () => {
    jest.spyOn(TerraformStack.prototype, 'runAllValidations').mockImplementation(() => {
      throw new Error('Validation failed with the following errors:\n  [prod/calico] no provider');
    });
    expect(() => renderTerraform([new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ name: 'prod' }))])).toThrow('[prod/calico] no provider');
  });

  test('gives every stack of the process one scratch folder, into which nothing is written, made again if it was removed', () => {
    const scratch = () => readdirSync(scratchParent).filter(name => name.startsWith('prodk8s-cdktf-'));
    renderTerraform([new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ name: 'dev' }))]);
    renderTerraform([new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ name: 'prod' }))]);
    expect(os.tmpdir).toHaveBeenCalled();
    expect(scratch()).toEqual([basename(scratchFolder())]);
    // cdktf's App makes its stacks folder there, and writes nothing until a synth, which the render never runs.
    expect(readdirSync(scratchFolder())).toEqual(['stacks']);
    expect(readdirSync(join(scratchFolder(), 'stacks'))).toEqual([]);
    rmSync(scratchFolder(), { recursive: true });
    renderTerraform([new ProductionCluster(Testing.chart(), 'cluster', clusterSpec())]);
    expect(scratch()).toHaveLength(1);
  });

  test('removes the scratch folder as the process exits', () => {
    const made = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e',
      "process.stdout.write(require('./synth/render-terraform').scratchFolder())"], {
      cwd: join(__dirname, '..', '..'), env: { ...process.env, TMPDIR: scratchParent }, encoding: 'utf8',
    });
    expect(dirname(made)).toBe(scratchParent);
    expect(existsSync(made)).toBe(false);
    // (ts-node leaves a compile cache of its own there.)
    expect(readdirSync(scratchParent).filter(name => name.startsWith('prodk8s-'))).toEqual([]);
  });
});

describe('withoutCreationStacks', () => {
  /** A cdktf token made now, and the creation stack cdktf recorded for it. */
  const creationStack = () => (Lazy.anyValue({ produce: () => 'x' }) as unknown as { creationStack: string[] }).creationStack;

  test('cdktf records no creation stacks inside, and records them again after', () => {
    expect(creationStack().length).toBeGreaterThan(0);
    expect(withoutCreationStacks(creationStack)).toEqual([]);
    expect(creationStack().length).toBeGreaterThan(0);
  });

  test('an error\'s stack is still captured inside', () => {
    const made = () => new Error('inside');
    const error = withoutCreationStacks(() => {
      const recaptured = made();
      // Captured again here, the stack no longer starts in `made`.
      Error.captureStackTrace(recaptured);
      return recaptured;
    });
    expect(error.stack).toMatch(/^Error: inside\n\s+at /);
    expect(error.stack).not.toContain('at made');
  });

  test('an error\'s stack starts where it was captured, as without it; a plain object gets an empty one', () => {
    const [inside, plain] = withoutCreationStacks(() => {
      const error = new Error('inside');
      const object: { stack?: string } = {};
      Error.captureStackTrace(error);
      Error.captureStackTrace(object);
      return [error, object];
    });
    expect(inside.stack!.split('\n')[1]).not.toContain('captureErrorsOnly');
    expect(inside.stack!.split('\n')[1]).toContain('render-terraform.test.ts');
    expect(plain.stack).toBe('');
  });

  test('puts Error.captureStackTrace back when the work throws', () => {
    const capture = Error.captureStackTrace;
    expect(() => withoutCreationStacks(() => {
      throw new Error('failed');
    })).toThrow('failed');
    expect(Error.captureStackTrace).toBe(capture);
  });
});
