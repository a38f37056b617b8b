#!/usr/bin/env node
'use strict';
// CommonJS on purpose (bin/package.json): a cached `mfa-env [profile]` is answered by the small
// fast path without starting Node's ES module loader; everything else loads the CLI.
const argv = process.argv.slice(2);
loadFastPath()
  .fastPath('mfa-env', argv)
  .then((answered) => answered || import('../dist/bundle/mfa-login.js').then((cli) => cli.run(argv, 'mfa-env')));

/**
 * The fast path with V8's code for it, prepared by the build (src/cli/prepare-fast-path.ts):
 * compiling it afresh would cost more than running it. Under a Node other than the one it was
 * prepared with, V8 refuses the code and compiles the source as usual.
 */
function loadFastPath() {
  const fs = require('node:fs');
  let blob;
  try {
    blob = fs.readFileSync(`${__dirname}/../dist/bundle/fast.bin`);
  } catch {
    return require('../dist/bundle/fast.cjs');
  }
  const n = blob.readUInt32LE(0);
  const file = `${__dirname}/../dist/bundle/fast.cjs`;
  const script = new (require('node:vm').Script)(blob.toString('latin1', 4, 4 + n), { filename: file, cachedData: blob.subarray(4 + n) });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, `${__dirname}/../dist/bundle`);
  return module.exports;
}
