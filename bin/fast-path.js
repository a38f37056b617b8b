'use strict';
/**
 * The cached path, for both bin scripts: the bundled fast path with V8's code for it, prepared by
 * the build (src/cli/prepare-fast-path.ts), since compiling it afresh would cost more than running
 * it. The code is given to V8 only under the Node that made it; under any other, with a missing or
 * cut-short fast.v8, or with anything unexpected, the plain bundle is used. Returns whether the
 * call was answered. Built-in modules come from process.getBuiltinModule: a first require() costs
 * a fresh process more than anything it then does.
 */
module.exports = function fastPath(tool, argv) {
  const dir = `${__dirname}/../dist/bundle`;
  const builtin = (id) => process.getBuiltinModule(id);
  let fast;
  try {
    // fast.v8 is text (a Buffer read costs more): the tag line, the source's length, the source, then the code in base64.
    const text = builtin('node:fs').readFileSync(`${dir}/fast.v8`, 'utf8');
    const tagEnd = text.indexOf('\n');
    const lengthEnd = text.indexOf('\n', tagEnd + 1);
    const n = Number(text.slice(tagEnd + 1, lengthEnd));
    if (tagEnd > 0 && n > 0 && lengthEnd + 1 + n <= text.length) {
      const ours = text.slice(0, tagEnd) === `${process.version} ${process.arch} ${process.versions.v8}`;
      const code = ours ? Buffer.from(text.slice(lengthEnd + 1 + n), 'base64') : undefined;
      const script = new (builtin('node:vm').Script)(text.slice(lengthEnd + 1, lengthEnd + 1 + n), { filename: `${dir}/fast.cjs`, cachedData: code });
      const module = { exports: {} };
      script.runInThisContext()(module.exports, builtin, module, `${dir}/fast.cjs`, dir);
      if (typeof module.exports.fastPath === 'function') fast = module.exports;
    }
  } catch {
    // the plain bundle below
  }
  return (fast ?? require('../dist/bundle/fast.cjs')).fastPath(tool, argv);
};
