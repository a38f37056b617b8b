#!/usr/bin/env node
'use strict';
// CommonJS on purpose (bin/package.json): a cached `mfa-env` call is answered by the small fast
// path without starting Node's ES module loader; everything else loads the CLI.
const argv = process.argv.slice(2);
// An absolute path: Node finds it without resolving one relative to this file.
const answered = require(`${__dirname}/fast-path.js`)('mfa-env', argv);
// Asked of the agent, the answer comes later: the full CLI starts only if there is none.
const full = (done) => done || import('../dist/bundle/mfa-login.js').then((cli) => cli.run(argv, 'mfa-env'));
if (answered instanceof Promise) answered.then(full);
else full(answered);
