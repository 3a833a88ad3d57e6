// Entry point of `npx cdktf synth` (see cdktf.json): one Terraform stack per
// reference environment, in cdktf.out/stacks/<env>/cdk.tf.json. The model is
// validated first, as by `npm run synth`.
import { App as Cdk8sApp } from 'cdk8s';
import { App } from 'cdktf';
import { EnvironmentChart } from '../stacks/environment-chart';
import { AddonReleasesStack } from '../stacks/addon-releases-stack';
import { collectProblems } from '../constructs/core/problems';
import { REFERENCE_ENVIRONMENTS } from './environments';

const model = new Cdk8sApp();
const charts = REFERENCE_ENVIRONMENTS.map(spec => new EnvironmentChart(model, spec));
const problems = collectProblems(model);
if (problems.length > 0) {
  process.stderr.write(`prodk8s: ${problems.length} problem(s) in the model:\n${problems.map(p => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
const app = new App();
for (const chart of charts) new AddonReleasesStack(app, chart.cluster);
app.synth();
