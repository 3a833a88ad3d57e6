// Entry point of `npx cdk8s synth` (see cdk8s.yaml): the same synth as
// `npm run synth`, into the folder the cdk8s CLI names.
import { main } from './synth';

process.exitCode = main(process.argv.slice(2), process.env.CDK8S_OUTDIR ?? 'cdk8s.out');
