#!/usr/bin/env node
'use strict';
// CommonJS on purpose (bin/package.json): a cached `mfa-env` call is answered by the small fast
// path without starting Node's ES module loader; everything else loads the CLI.
const argv = process.argv.slice(2);
const answered = compiled(`${__dirname}/fast-path.js`)('mfa-env', argv);
// Asked of the agent where the event loop waits for it (Windows), the answer comes later: the
// full CLI starts only if there is none.
const full = (done) => done || import('../dist/bundle/mfa-login.js').then((cli) => cli.run(argv, 'mfa-env'));
if (answered instanceof Promise) answered.then(full);
else full(answered);

/**
 * A CommonJS file's exports, compiled in place rather than require()d: finding, checking and
 * wrapping a module costs a fresh process about 0.2 ms, and the compiler is loaded for the fast
 * path's bundle anyway. The same function is in mfa-login.js (a test holds the two alike): a shared
 * file would have to be loaded first, the cost this saves.
 */
function compiled(file) {
  const module = { exports: {} };
  const text = process.getBuiltinModule('node:fs').readFileSync(file, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  new (process.getBuiltinModule('node:vm').Script)(wrapped, { filename: file }).runInThisContext()(module.exports, require, module, file, __dirname);
  return module.exports;
}
