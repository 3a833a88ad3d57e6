// Imported first by run.ts, before anything else is loaded, so that every kind
// runs in a process that starts as `prodk8s synth` starts: V8 tuned for a
// short run (`cli/short-run.ts`), the floors included, as they run with the
// synth's node options; and the synth kinds from V8's code cache of the runs
// before (`cli/code-cache.ts`), while the floors run as plain cdk8s and cdktf
// do, without one.
import { useCodeCache } from '../../cli/code-cache';
import { tuneForShortRun } from '../../cli/short-run';

tuneForShortRun();
if (process.argv[2] === 'prodk8s' || process.argv[2] === 'fleet') useCodeCache();
