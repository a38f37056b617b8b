'use strict';
/**
 * The cached path, for both bin scripts: the bundled fast path (dist/bundle/fast.cjs), compiled
 * from that readable file on every call. Compiling it afresh costs about as much as running it, so
 * V8's code for it is kept per user: made on this machine by the first answer (and the first of
 * the other tool, and the first from the agent), from the text it compiled, in mfa-login's own
 * cache directory (only the user can write there), and given to V8 only while the bundle is that
 * same text, under the same Node. V8 itself checks the code against the length of the source, not
 * its text: a copy of the text is kept with the code and compared in full. Without a code file that
 * is a private file of the user's, or with anything unexpected, the bundle is compiled without one.
 * Returns whether the call was answered, or a promise of that where the event loop waits for the
 * agent (Windows). Built-in modules come from process.getBuiltinModule: a first require() costs a
 * fresh process more than anything it then does. This file is compiled by the bin scripts
 * (`compiled` there), with their `require`: paths are resolved from bin/.
 */
/** The code file's name, as src/cli/fast-path.ts names it (COMPILED_CODE_FILE). */
const CODE_FILE = 'fast-path.v8';
/** How the code file names answers from the agent, beside the tools' names. */
const AGENT_WAY = 'agent';

module.exports = function fastPath(tool, argv) {
  const file = `${__dirname}/../dist/bundle/fast.cjs`;
  const builtin = (id) => process.getBuiltinModule(id);
  let fast;
  let end;
  try {
    const fs = builtin('node:fs');
    const source = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`;
    const tag = `${process.version} ${process.arch} ${process.versions.v8}`;
    const kept = compiledCode(fs, source, tag);
    const script = new (builtin('node:vm').Script)(source, { filename: file, cachedData: kept?.code });
    const module = { exports: {} };
    script.runInThisContext()(module.exports, builtin, module, file, `${__dirname}/../dist/bundle`);
    if (typeof module.exports.fastPath === 'function') fast = module.exports;
    // V8 compiles a function when it first runs, and the code holds what had run when it was made:
    // after an answer without usable code, or the first answer of this tool (or the first from the
    // agent: its request and reply are code of their own), the code is kept (again) for the next
    // call, with the ways it has answered; then the process ends.
    const accepted = kept !== undefined && !script.cachedDataRejected;
    // `mfa-env --unset` runs none of the exports' code: kept after it, the code would lack what
    // every later `mfa-env PROFILE` runs, and the tool would count as done.
    if (fast !== undefined && !argv.includes('--unset')) {
      end = (agent) => {
        const ways = agent ? [tool, AGENT_WAY] : [tool];
        const known = accepted ? kept.ways : [];
        if (ways.every((way) => known.includes(way))) process.exit();
        try {
          const all = [...known, ...ways.filter((way) => !known.includes(way))].join(',');
          fast.keepCompiledCode(() => `${tag}\n${source.length} ${all}\n${source}${script.createCachedData().toString('base64')}`);
        } catch {
          // kept next time, or never: the fast path works without it
        }
        process.exit();
      };
    }
  } catch {
    // the plain bundle below
  }
  return (fast ?? require('../dist/bundle/fast.cjs')).fastPath(tool, argv, end);
};

/**
 * The directory keepCompiledCode (src/cli/fast-path.ts) keeps the code in: the file mode's, as
 * settings.ts derives it (test/cli/fast-path.test.ts holds the two alike), without a trailing slash
 * (with one, lstat would follow a link); none when that is relative (to wherever a tool ran us).
 */
function codeDir(env) {
  const xdg = env.XDG_CACHE_HOME;
  if (env.MFA_LOGIN_CACHE_DIR) return env.MFA_LOGIN_CACHE_DIR.startsWith('/') ? withoutSlash(env.MFA_LOGIN_CACHE_DIR) : undefined;
  if (xdg !== undefined && xdg.startsWith('/')) return `${withoutSlash(xdg)}/mfa-login`;
  return env.HOME ? `${withoutSlash(env.HOME)}/.cache/mfa-login` : undefined;
}

function withoutSlash(dir) {
  let end = dir.length;
  while (end > 1 && dir[end - 1] === '/') end--;
  return dir.slice(0, end);
}

/**
 * The code kept for exactly this source under this Node, with the ways it has answered, or
 * undefined. The file is text (reading it into a Buffer costs a fresh process more than decoding
 * base64): the tag line; the source's length and the ways it has answered (`mfa-login,mfa-env,agent`); the source; then
 * the code in base64. It is used only as a regular file of this user's
 * that nobody else may read or write, opened without following a link, in a directory of the
 * user's that only the user may enter: nobody else could have put it there.
 */
function compiledCode(fs, source, tag) {
  const uid = process.getuid?.();
  const dir = uid === undefined ? undefined : codeDir(process.env);
  if (dir === undefined) return undefined;
  let text;
  try {
    const d = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (d === undefined || !d.isDirectory() || d.uid !== uid || (d.mode & 0o077) !== 0) return undefined;
    const fd = fs.openSync(`${dir}/${CODE_FILE}`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.uid !== uid || (st.mode & 0o077) !== 0) return undefined;
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const tagEnd = text.indexOf('\n');
  const lengthEnd = text.indexOf('\n', tagEnd + 1);
  const [length, ways] = text.slice(tagEnd + 1, lengthEnd).split(' ');
  if (text.slice(0, tagEnd) !== tag || Number(length) !== source.length || ways === undefined) return undefined;
  if (text.slice(lengthEnd + 1, lengthEnd + 1 + source.length) !== source) return undefined;
  const code = base64Bytes(text.slice(lengthEnd + 1 + source.length));
  return code === undefined ? undefined : { code, ways: ways.split(',') };
}

/**
 * The bytes a base64 text stands for, decoded by Buffer's own decoder straight into a new array:
 * Buffer.from(text, 'base64') gives the same, but its first call costs a fresh process about
 * 0.15 ms of Node's buffer code. Undefined for a text that is not whole base64.
 */
function base64Bytes(text) {
  const write = Buffer.prototype.base64Write;
  if (typeof write !== 'function') return Buffer.from(text, 'base64');
  if (text.length % 4 !== 0) return undefined;
  const bytes = new Uint8Array((text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0));
  return write.call(bytes, text, 0, bytes.length) === bytes.length ? bytes : undefined;
}

// For the test that holds this derivation and settings.ts's alike.
module.exports.codeDir = codeDir;
