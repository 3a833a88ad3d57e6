import { isTerraformWorkingFile, loadTerraformRenderer, MissingPackageError } from '../../synth/terraform-renderer';
import { renderTerraform } from '../../synth/render-terraform';

describe('loadTerraformRenderer', () => {
  afterEach(() => jest.resetModules());

  test('loads the renderer when cdktf and the Helm provider are installed', () => {
    expect(loadTerraformRenderer()).toBe(renderTerraform);
  });

  test.each(['cdktf', '@cdktf/provider-helm'])('says what to install when %s is missing', missing => {
    jest.isolateModules(() => {
      jest.doMock('../../synth/render-terraform', () => {
        throw Object.assign(new Error(`Cannot find module '${missing}' from 'synth/render-terraform.ts'`), { code: 'MODULE_NOT_FOUND' });
      });
      const { loadTerraformRenderer: load, MissingPackageError: Missing } = require('../../synth/terraform-renderer') as typeof import('../../synth/terraform-renderer');
      expect(() => load()).toThrow(Missing);
      expect(() => load()).toThrow('the Terraform stack needs cdktf and @cdktf/provider-helm, optional peer dependencies of prodk8s '
        + 'that are not installed: npm install --save-dev cdktf @cdktf/provider-helm');
    });
  });

  test('lets any other failure through as it is', () => {
    jest.isolateModules(() => {
      jest.doMock('../../synth/render-terraform', () => {
        throw Object.assign(new Error("Cannot find module 'left-pad'"), { code: 'MODULE_NOT_FOUND' });
      });
      const { loadTerraformRenderer: load } = require('../../synth/terraform-renderer') as typeof import('../../synth/terraform-renderer');
      expect(() => load()).toThrow("Cannot find module 'left-pad'");
      expect(() => load()).not.toThrow(MissingPackageError);
    });
  });
});

describe('isTerraformWorkingFile', () => {
  test.each(['.terraform', '.terraform.lock.hcl', '.terraform.tfstate.lock.info', 'terraform.tfstate.d', 'terraform.tfstate',
    'terraform.prod.tfstate', 'terraform.tfstate.backup', 'terraform.tfstate.1700000000.backup'])('%s is Terraform\'s', name => {
    expect(isTerraformWorkingFile(name)).toBe(true);
  });

  test.each(['cdk.tf.json', 'values.yaml', 'terraform.tf', 'notes.txt'])('%s is not', name => {
    expect(isTerraformWorkingFile(name)).toBe(false);
  });
});
