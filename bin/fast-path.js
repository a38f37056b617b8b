'use strict';
/**
 * The cached path, for both bin scripts: the bundled fast path with V8's code for it, prepared by
 * the build (src/cli/prepare-fast-path.ts), since compiling it afresh would cost more than running
 * it. The code is given to V8 only under the Node that made it; under any other, with a missing or
 * cut-short fast.bin, or with anything unexpected, the plain bundle is used. Returns whether the
 * call was answered.
 */
module.exports = function fastPath(tool, argv) {
  const dir = `${__dirname}/../dist/bundle`;
  let fast;
  try {
    const blob = require('node:fs').readFileSync(`${dir}/fast.bin`);
    const n = blob.length > 8 ? blob.readUInt32LE(0) : 0;
    const k = n > 0 ? blob.readUInt32LE(4) : 0;
    if (n > 0 && 8 + k + n <= blob.length) {
      const ours = blob.toString('latin1', 8, 8 + k) === `${process.version} ${process.arch} ${process.versions.v8}`;
      const script = new (require('node:vm').Script)(blob.toString('latin1', 8 + k, 8 + k + n), { filename: `${dir}/fast.cjs`, cachedData: ours ? blob.subarray(8 + k + n) : undefined });
      const module = { exports: {} };
      script.runInThisContext()(module.exports, require, module, `${dir}/fast.cjs`, dir);
      if (typeof module.exports.fastPath === 'function') fast = module.exports;
    }
  } catch {
    // the plain bundle below
  }
  return (fast ?? require('../dist/bundle/fast.cjs')).fastPath(tool, argv);
};
