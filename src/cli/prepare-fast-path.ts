/**
 * A build step (`npm run build` runs it after bundling): stores the bundled fast path together with
 * V8's compiled code for it in dist/bundle/fast.v8, which bin/fast-path.js hands to vm.Script as
 * cachedData. Compiling the fast path afresh costs about as much as running it: on 2026-11-30
 * `npm run bench` measured its cached rows at 1.17 to 1.22 × `node -e 0` without the code, and
 * 1.07 to 1.16 with it (seven runs over two builds).
 *
 * V8 compiles a function only when it first runs, so the code is taken after a training run in a
 * child process with a scratch HOME and runtime directory and nothing of the builder's environment
 * but PATH and TMPDIR (NODE_OPTIONS would change V8's flags, and so the code). The file names the
 * Node that made it, and the loader gives V8 the code only under that same Node: V8 checks its
 * version and flags, not the code itself.
 *
 * fast.v8 is text, since reading a file into a Buffer costs a fresh process more than decoding
 * base64: the tag, a newline, the wrapped source's length, a newline, the wrapped source (ASCII:
 * esbuild escapes everything else), then the code in base64.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { loadProfiles, sharedFilePaths } from '../config/profiles.js';
import { resolveChain } from '../config/chain.js';
import { chainKeys, targetKey } from '../providers/chain-keys.js';
import { RECENT_MS } from '../cache/route.js';
import { settingsFrom } from '../settings.js';
import { dirStore } from '../cache/dir-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FAST_CJS = path.join(ROOT, 'dist/bundle/fast.cjs');
export const FAST_V8 = path.join(ROOT, 'dist/bundle/fast.v8');

const CONFIG = '[profile train]\nmfa_serial = arn:aws:iam::111111111111:mfa/train\n\n[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Train\nsource_profile = train\nregion = eu-west-1\n';

async function train(out: string): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-prepare-'));
  const runtime = mkdtempSync(path.join(process.platform === 'linux' ? '/dev/shm' : os.tmpdir(), 'mfa-login-prepare-'));
  try {
    mkdirSync(path.join(home, '.aws'));
    writeFileSync(path.join(home, '.aws/config'), CONFIG);
    const env = { HOME: home, PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime, SHELL: '/bin/sh' };
    const settings = settingsFrom(env, home);
    const plan = resolveChain(loadProfiles(sharedFilePaths(env, home), CONFIG, undefined), 'prod');
    const store = dirStore({ mode: 'runtime', dir: settings.cache.dir, ram: settings.cache.mustBeRam, uid: process.getuid?.(), waitMs: 1000 });
    const key = targetKey(chainKeys(plan, env));
    await store.put(key, {
      kind: 'role',
      profiles: ['train', 'prod'],
      subject: 'arn:aws:iam::222222222222:role/Train',
      credentials: { accessKeyId: 'ASIATRAINING0000000', secretAccessKey: 'training', sessionToken: 'training', expiration: new Date(Date.now() + 3600_000) },
    });
    // A route is only noted for a config older than its recent-change margin (route.ts).
    await new Promise((resolve) => setTimeout(resolve, RECENT_MS + 50));
    await store.noteRoute!({ profile: 'prod', files: sharedFilePaths(env, home), texts: [CONFIG, undefined], env, key, accountId: '222222222222', region: 'eu-west-1' });
    const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(FAST_CJS, 'utf8')}\n})`;
    if (!/^[\x00-\x7f]*$/.test(source)) throw new Error(`${FAST_CJS} is not ASCII`);
    const script = new vm.Script(source, { filename: FAST_CJS });
    const module = { exports: {} as { fastPath: (tool: string, argv: string[], end: () => void) => boolean } };
    (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, (id: string) => process.getBuiltinModule(id), module, FAST_CJS, path.dirname(FAST_CJS));
    Object.assign(process.env, env);
    const forms: Array<[string, string[]]> = [['mfa-login', ['credential-process', 'prod']], ['mfa-env', ['prod']], ['mfa-env', ['prod', '--shell', 'bash']]];
    // The process goes on to write fast.v8: the answers must not end it.
    for (const [tool, argv] of forms) if (!module.exports.fastPath(tool, argv, () => {})) throw new Error(`the training run of ${tool} ${argv.join(' ')} was not answered`);
    writeFileSync(`${out}.tmp`, `${process.version} ${process.arch} ${process.versions.v8}\n${source.length}\n${source}${script.createCachedData().toString('base64')}`);
    renameSync(`${out}.tmp`, out);
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--train') {
  await train(process.argv[3]!);
} else {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  const out = process.argv[2] ?? FAST_V8;
  // Its stdout is where the fast path writes: nowhere.
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train', out], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`could not prepare ${out}\n`);
    process.exit(1);
  }
}
