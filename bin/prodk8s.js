#!/usr/bin/env node
// The prodk8s command: `prodk8s synth`, `prodk8s validate`, `prodk8s --help`.
'use strict';
// Before anything else is loaded: every module after it runs from V8's code cache of the last run.
require('../lib/cli/code-cache').useCodeCache();
require('../lib/cli/prodk8s').run(process.argv.slice(2)).then(code => {
  process.exitCode = code;
});
