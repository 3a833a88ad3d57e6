import { Testing } from 'cdk8s';
import { Lazy, TerraformStack } from 'cdktf';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import os = require('os');
import { join } from 'path';
import { ProductionCluster } from '../../constructs';
import { renderTerraform, withoutCreationStacks } from '../../synth/render-terraform';
import { clusterSpec } from '../fixtures/cluster-spec';

/** Resolves once `done()` holds, checking every few milliseconds for up to five seconds. */
async function eventually(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 5000) throw new Error('still not done after 5 s');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

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

  test('removes its scratch folder in the background', async () => {
    const scratch = () => readdirSync(scratchParent).filter(name => name.startsWith('prodk8s-cdktf-'));
    renderTerraform([new ProductionCluster(Testing.chart(), 'cluster', clusterSpec())]);
    expect(os.tmpdir).toHaveBeenCalled();
    await eventually(() => scratch().length === 0);
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
