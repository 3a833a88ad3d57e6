// Every temporary folder of a test run goes into one scratch folder, removed
// when the run ends: cdk8s's `Testing.app()` makes an output folder for each
// app it creates and never removes it, tens of thousands per run.
const { mkdtempSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

module.exports = () => {
  // Workers start after this and inherit it; os.tmpdir() reads it on every call.
  process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'prodk8s-test-'));
};
