/**
 * A build step (`npm run build` runs it after bundling; an argument names another output file):
 * stores the bundled fast path together
 * with V8's compiled code for it in dist/bundle/fast.bin, which the bin scripts load with
 * vm.Script's cachedData. Compiling the fast path afresh costs more on every AWS call than
 * running it does.
 *
 * V8 compiles a function only when it first runs, so the code is taken after a training run:
 * the fast path answers credential-process and mfa-env from a file cache in a scratch HOME, and
 * asks an agent that is not there. V8 checks the code against its own version and flags and the
 * source's length; the source travels in the same file, so the two cannot drift apart. Run
 * under another Node version, the code is refused and the source is compiled as usual.
 *
 * V8 checks little else: not the code itself, and not how the V8 that reads it was built. So the
 * file also names the Node that made it (version, architecture, V8 version), and the bin
 * scripts give V8 the code only when they run under that same Node.
 *
 * fast.bin: the source's length and the tag's length (4-byte little-endian each), the tag, the
 * wrapped source, then the code. The source is ASCII (esbuild escapes everything else), so the
 * bin scripts decode it as Latin-1, the cheapest decoding there is; the build fails should that
 * ever change.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { loadProfiles, sharedFilePaths } from '../config/profiles.js';
import { resolveChain } from '../config/chain.js';
import { chainKeys } from '../providers/chain-keys.js';
import { fileCache } from '../cache/file-cache.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FAST_CJS = path.join(ROOT, 'dist/bundle/fast.cjs');
export const FAST_BIN = path.join(ROOT, 'dist/bundle/fast.bin');

/** The CommonJS module wrapper, as Node's own loader would add it. */
export function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** Which Node made the code: the bin scripts build the same text and compare. */
export function nodeTag(): string {
  return `${process.version} ${process.arch} ${process.versions.v8}`;
}

export function encodeFastBin(source: string, tag: string, code: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(source.length, 0);
  head.writeUInt32LE(tag.length, 4);
  return Buffer.concat([head, Buffer.from(tag, 'latin1'), Buffer.from(source, 'latin1'), code]);
}

export function readFastBin(file = FAST_BIN): { source: string; tag: string; code: Buffer } {
  const blob = readFileSync(file);
  const n = blob.readUInt32LE(0);
  const k = blob.readUInt32LE(4);
  return { tag: blob.toString('latin1', 8, 8 + k), source: blob.toString('latin1', 8 + k, 8 + k + n), code: blob.subarray(8 + k + n) };
}

const CONFIG = `[profile train]
mfa_serial = arn:aws:iam::111111111111:mfa/train
region = us-east-1

[profile prod]
role_arn = arn:aws:iam::222222222222:role/Train
source_profile = train
region = eu-west-1
`;

/** In a child process (its stdout, where the fast path writes, goes nowhere): train, then store. */
async function train(out: string): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-prepare-'));
  try {
    mkdirSync(path.join(home, '.aws'));
    writeFileSync(path.join(home, '.aws/config'), CONFIG);
    writeFileSync(path.join(home, '.aws/credentials'), '[other]\naws_access_key_id = AKIAEXAMPLE\n');
    const env = { HOME: home, PATH: process.env.PATH, MFA_LOGIN_CACHE_DIR: path.join(home, 'cache') } as Record<string, string | undefined>;
    const paths = sharedFilePaths(env, home);
    const plan = resolveChain(loadProfiles(paths, CONFIG, undefined), 'prod');
    const key = chainKeys(plan, env).roleKeys[0]!;
    const cache = fileCache(env.MFA_LOGIN_CACHE_DIR!);
    const got = await cache.acquire(key, new Date(), 'prod');
    const expiration = new Date(Date.now() + 3600_000);
    await got.lease!.put({
      kind: 'role',
      profiles: ['prod'],
      subject: 'arn:aws:iam::222222222222:role/Train',
      credentials: { accessKeyId: 'ASIATRAINING0000000', secretAccessKey: 'training', sessionToken: 'training', expiration },
    });

    const source = wrap(readFileSync(FAST_CJS, 'utf8'));
    if (!/^[\x00-\x7f]*$/.test(source)) throw new Error(`${FAST_CJS} is not ASCII`);
    const script = new vm.Script(source, { filename: FAST_CJS });
    const module = { exports: {} as { fastPath: (tool: string, argv: string[]) => Promise<boolean> } };
    (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, require_, module, FAST_CJS, path.dirname(FAST_CJS));
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    const answered = [
      await withCache('file', () => module.exports.fastPath('mfa-login', ['credential-process', 'prod'])),
      await withCache('file', () => module.exports.fastPath('mfa-env', ['prod'])),
    ];
    if (!answered.every(Boolean)) throw new Error('the training run was not answered from the cache');
    // No agent runs here: this compiles the way to it, and it answers nothing.
    if (await withCache('agent', () => module.exports.fastPath('mfa-login', ['credential-process', 'prod']))) throw new Error('an agent answered');

    writeFileSync(`${out}.tmp`, encodeFastBin(source, nodeTag(), script.createCachedData()));
    renameSync(`${out}.tmp`, out);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function withCache<T>(mode: string, f: () => Promise<T>): Promise<T> {
  process.env.MFA_LOGIN_CACHE = mode;
  return f();
}

/** The bundle needs only Node's own modules. */
function require_(id: string): unknown {
  const m = process.getBuiltinModule(id);
  if (m === undefined) throw new Error(`the fast path asked for ${id}, which is not one of Node's modules`);
  return m;
}

if (process.argv[2] === '--train') {
  await train(process.argv[3]!);
} else {
  // Nothing else from the builder's environment: AWS_CONFIG_FILE, MFA_LOGIN_* or XDG_RUNTIME_DIR
  // would send the training run to their files or their agent, and NODE_OPTIONS would change V8's
  // flags and so the code (the bin scripts run with none).
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  const out = process.argv[2] ?? FAST_BIN;
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train', out], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`could not prepare ${out}\n`);
    process.exit(1);
  }
}
