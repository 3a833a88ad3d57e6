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
 * cdktf's `App` still creates a folder when constructed; it is a throwaway,
 * removed in the background while the synth goes on (node waits for the
 * removal before the process exits).
 */
export function renderTerraform(clusters: readonly ProductionCluster[]): OutputFile[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodk8s-cdktf-'));
  try {
    const app = new App({ outdir });
    return withoutCreationStacks(() => clusters.map(cluster => {
      const stack = new AddonReleasesStack(app, cluster);
      stack.runAllValidations();
      return [
        { path: `${cluster.name}/terraform/cdk.tf.json`, content: stableStringify(stack.toTerraform(), { space: 2 })! },
        ...stack.valuesFiles.map(file => ({ path: `${cluster.name}/terraform/${file.path}`, content: file.content })),
      ];
    }).flat());
  } finally {
    removeInBackground(outdir);
  }
}

/**
 * Removes `folder` without waiting for it. The callback is made here, away
 * from `renderTerraform`'s variables: a closure made there would hold the
 * clusters, and with them their whole model, until the removal is reported,
 * which is after the synth, as the synth never yields to the event loop.
 */
function removeInBackground(folder: string): void {
  fs.rm(folder, { recursive: true, force: true }, () => undefined);
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
