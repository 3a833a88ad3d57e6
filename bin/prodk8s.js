#!/usr/bin/env node
// The prodk8s command: `prodk8s synth`, `prodk8s validate`, `prodk8s --help`.
'use strict';
require('../lib/cli/prodk8s').run(process.argv.slice(2)).then(code => {
  process.exitCode = code;
});
