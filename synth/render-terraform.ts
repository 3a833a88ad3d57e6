import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { types } from 'util';
import { App } from 'cdktf';
import stableStringify = require('json-stable-stringify');
import { ProductionCluster } from '../constructs';
import { AddonReleasesStack } from '../stacks/addon-releases-stack';
import { OutputFile } from './output-folder';

/**
 * Each cluster's Terraform stack as `<env>/terraform/cdk.tf.json` and its
 * values files beside it: the very bytes `cdktf synth` writes (a test holds
 * them to it). Each stack runs its
 * validations, then its Terraform JSON is written as cdktf's synthesizer
 * writes it, keys sorted by json-stable-stringify, two spaces, in memory
 * rather than through cdktf's output folder and manifest, which nothing here
 * reads. The stacks hold no aspects and no cross-stack references, the two
 * things `app.synth()` would prepare first (the test against `cdktf synth`
 * would tell if they did).
 *
 * The stacks are built without cdktf's creation stacks (`withoutCreationStacks`).
 *
 * cdktf's `App` still creates an output folder when constructed, and its
 * `stacks` folder inside, unless they exist: see `scratchFolder`.
 */
export function renderTerraform(clusters: readonly ProductionCluster[]): OutputFile[] {
  const app = new App({ outdir: scratchFolder() });
  return withoutCreationStacks(() => clusters.map(cluster => {
    const stack = new AddonReleasesStack(app, cluster);
    stack.runAllValidations();
    return [
      { path: `${cluster.name}/terraform/cdk.tf.json`, content: stableStringify(stack.toTerraform(), { space: 2 })! },
      ...stack.valuesFiles.map(file => ({ path: `${cluster.name}/terraform/${file.path}`, content: file.content })),
    ];
  }).flat());
}

let scratch: string | undefined;

/**
 * The throwaway folder every cdktf `App` of this process is given, made at
 * the first render and removed as the process exits: a fleet renders one
 * stack per environment, and making and removing two folders for each was
 * a tenth of its Terraform rendering. Nothing is written into it.
 */
export function scratchFolder(): string {
  if (scratch === undefined || !fs.existsSync(scratch)) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'prodk8s-cdktf-'));
    process.once('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
    scratch = folder;
  }
  return scratch;
}

/**
 * Runs `work` without the creation stacks cdktf records. cdktf captures the
 * whole stack, every frame formatted, for each token it creates (a typed
 * `helm_release` creates dozens), only to name where a token came from if it
 * later fails to resolve; that was a third of a stack's render. A capture
 * into a plain object, the way cdktf records them, leaves an empty stack; an
 * error's own stack is captured as always.
 */
export function withoutCreationStacks<T>(work: () => T): T {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureErrorsOnly(target: object, below?: Function): void {
    if (types.isNativeError(target)) capture(target, below ?? captureErrorsOnly);
    else (target as { stack?: string }).stack = '';
  };
  try {
    return work();
  } finally {
    Error.captureStackTrace = capture;
  }
}
