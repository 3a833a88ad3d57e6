// The public API of prodk8s: what other repositories import. The Terraform
// stack, which needs the optional cdktf packages, is in 'prodk8s/terraform'.
export * from './constructs';
export { EnvironmentChart } from './stacks/environment-chart';
export { nodeFiles } from './stacks/node-files';
export type { NodeFile } from './stacks/node-files';
export { environmentSummary } from './stacks/summary';
export { OUTPUT_MARKER } from './synth/output-folder';
export type { OutputFile } from './synth/output-folder';
export { OutputError } from './synth/output-error';
export { renderEnvironments, synthesize, validate } from './synth/synthesize';
export type { Rendering, SynthesizeOptions, Validation } from './synth/synthesize';
export { MissingPackageError } from './synth/terraform-renderer';
