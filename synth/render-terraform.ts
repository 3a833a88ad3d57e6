import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { ProductionCluster } from '../constructs';
import { AddonReleasesStack } from '../stacks/addon-releases-stack';
import { OutputFile } from './replace-directory';

/**
 * Each cluster's Terraform stack as `<env>/terraform/cdk.tf.json`: the very
 * bytes `cdktf synth` writes, through a throwaway output folder. The folder
 * is removed in the background, as nothing reads it again: the synth goes on
 * meanwhile, and node waits for the removal before the process exits.
 */
export function renderTerraform(clusters: readonly ProductionCluster[]): OutputFile[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodk8s-cdktf-'));
  try {
    const app = new App({ outdir });
    for (const cluster of clusters) new AddonReleasesStack(app, cluster);
    app.synth();
    return clusters.map(cluster => ({
      path: `${cluster.name}/terraform/cdk.tf.json`,
      content: fs.readFileSync(path.join(outdir, 'stacks', cluster.name, 'cdk.tf.json'), 'utf8'),
    }));
  } finally {
    fs.rm(outdir, { recursive: true, force: true }, () => undefined);
  }
}
