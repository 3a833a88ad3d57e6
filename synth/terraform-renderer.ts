import type { ProductionCluster } from '../constructs';
import type { OutputFile } from './output-folder';

/** Renders each cluster's Terraform stack (see `renderTerraform`). */
export type TerraformRenderer = (clusters: readonly ProductionCluster[]) => OutputFile[];

/**
 * The packages the Terraform stack is built with: optional peer dependencies
 * of prodk8s, so that a repository which only uses the constructs need not
 * install them.
 */
export const TERRAFORM_PACKAGES = ['cdktf', '@cdktf/provider-helm'] as const;

/** A synth that cannot run as set up: an optional package it needs is not installed. */
export class MissingPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPackageError';
  }
}

/**
 * `renderTerraform`, loaded only when a synth needs it: loading cdktf and the
 * Helm provider takes a while, and they may not be installed.
 */
export function loadTerraformRenderer(): TerraformRenderer {
  try {
    return (require('./render-terraform') as typeof import('./render-terraform')).renderTerraform;
  } catch (error) {
    const missing = TERRAFORM_PACKAGES.find(name => (error as Error).message?.includes(`Cannot find module '${name}'`));
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || missing === undefined) throw error;
    throw new MissingPackageError(`the Terraform stack needs ${TERRAFORM_PACKAGES.join(' and ')}, optional peer dependencies of prodk8s `
      + `that are not installed: npm install --save-dev ${TERRAFORM_PACKAGES.join(' ')}`);
  }
}

/**
 * Whether a file in a stack's folder is one of Terraform's own: what `terraform
 * init` creates (`.terraform/`, the dependency lock file), a local state, its
 * backup, lock and workspaces. A synth carries them into the new output.
 */
export function isTerraformWorkingFile(name: string): boolean {
  return ['.terraform', '.terraform.lock.hcl', '.terraform.tfstate.lock.info', 'terraform.tfstate.d'].includes(name)
    || /\.tfstate(\.backup)?$/.test(name) || /\.tfstate\.\d+\.backup$/.test(name);
}
