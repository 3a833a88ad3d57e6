#!/usr/bin/env node
// Compiles the project (`npm run build`) only when what it compiles has
// changed since the last build: a synth with nothing changed then starts at
// once instead of waiting for tsc. The environments are not among the inputs:
// the synth loads them from TypeScript itself (transpiled by jiti), checks
// their shape against ClusterSpec's schema, and `npm test` type-checks them.
// Plain JavaScript, as it runs before anything is compiled.
'use strict';
const { createHash } = require('crypto');
const { execFileSync } = require('child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('fs');
const { join, relative } = require('path');

const ROOT = join(__dirname, '..');
/** What `tsconfig.build.json` compiles, and what decides how; `src/environments` is read at synth. */
const INPUTS = ['index.ts', 'terraform.ts', 'constructs', 'stacks', 'synth', 'review', 'cli', 'src', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const SKIPPED = new Set(['src/environments']);
const STAMP = join(ROOT, 'lib', '.build-inputs');

/** Every input file under `root`, by path from it, sorted, so that the digest does not depend on the directory order. */
function files(root, path) {
  const rel = relative(root, path);
  if (SKIPPED.has(rel) || !existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [rel];
  return readdirSync(path).sort().flatMap(name => files(root, join(path, name)));
}

/** The digest of the build's inputs under `root`: their paths and contents. */
function digest(root) {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(input => files(root, join(root, input)))) {
    hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

module.exports = { digest };

if (require.main === module) {
  const current = digest(ROOT);
  const built = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === current && existsSync(join(ROOT, 'lib', 'cli', 'prodk8s.js'));
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    writeFileSync(STAMP, current);
  }
}
