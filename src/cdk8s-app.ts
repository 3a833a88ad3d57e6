// Entry point of `npx cdk8s synth` (see cdk8s.yaml): the prodk8s command's
// synth of the reference environments, into the folder the cdk8s CLI names.
import { tuneForShortRun } from '../cli/short-run';
import { run } from '../cli/prodk8s';

tuneForShortRun();

void run(['synth', '--out', process.env.CDK8S_OUTDIR ?? 'cdk8s.out']).then(code => {
  process.exitCode = code;
});
