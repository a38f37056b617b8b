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
 * compiling it afresh would cost more than running it. The code is used only under the Node
 * that made it; under any other the source is compiled as usual. A missing or cut-short
 * fast.bin leaves the plain bundle. The same in both bin scripts (a test checks): a shared file
 * would cost one more module load on every call.
 */
function loadFastPath() {
  const dir = `${__dirname}/../dist/bundle`;
  try {
    const blob = require('node:fs').readFileSync(`${dir}/fast.bin`);
    const n = blob.length > 8 ? blob.readUInt32LE(0) : 0;
    const k = n > 0 ? blob.readUInt32LE(4) : 0;
    if (n > 0 && 8 + k + n <= blob.length) {
      const ours = blob.toString('latin1', 8, 8 + k) === `${process.version} ${process.arch} ${process.versions.v8}`;
      const script = new (require('node:vm').Script)(blob.toString('latin1', 8 + k, 8 + k + n), {
        filename: `${dir}/fast.cjs`,
        cachedData: ours ? blob.subarray(8 + k + n) : undefined,
      });
      const module = { exports: {} };
      script.runInThisContext()(module.exports, require, module, `${dir}/fast.cjs`, dir);
      if (typeof module.exports.fastPath === 'function') return module.exports;
    }
  } catch {
    // the plain bundle below
  }
  return require('../dist/bundle/fast.cjs');
}
