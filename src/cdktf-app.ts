// Entry point of `npx cdktf synth` (see cdktf.json): one Terraform stack per
// reference environment, in cdktf.out/stacks/<env>/cdk.tf.json.
import { App } from 'cdktf';
import { AddonReleasesStack } from '../stacks/addon-releases-stack';
import { REFERENCE_ENVIRONMENTS } from './environments';

const app = new App();
for (const spec of REFERENCE_ENVIRONMENTS) new AddonReleasesStack(app, spec);
app.synth();
