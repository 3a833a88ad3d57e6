#!/usr/bin/env node
// The prodk8s command: `prodk8s synth`, `prodk8s validate`, `prodk8s --help`.
'use strict';
const args = process.argv.slice(2);
// V8 tuned for a short run, before any module is compiled (cli/short-run.ts).
require('../lib/cli/short-run').tuneForShortRun();
// Before anything else is loaded: every module after it runs from V8's code
// cache of an earlier run. Only the commands that render everything write it.
require('../lib/cli/code-cache').useCodeCache({ write: args.includes('synth') || args.includes('diff') });
require('../lib/cli/prodk8s').run(args).then(code => {
  process.exitCode = code;
});
