// Imported first by run.ts, before anything else is loaded: the synth kinds
// run from V8's code cache of the runs before, as `prodk8s synth` does
// (`cli/code-cache.ts`); the floors run as plain cdk8s and cdktf do, without one.
import { useCodeCache } from '../../cli/code-cache';

if (process.argv[2] === 'prodk8s' || process.argv[2] === 'fleet') useCodeCache();
