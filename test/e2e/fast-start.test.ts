import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { encodeFastBin, FAST_CJS, nodeTag, readFastBin, wrap } from '../../src/cli/prepare-fast-path.js';
import { Sandbox, user, runCommand, ROOT, MFA_LOGIN, MFA_ENV } from './harness.js';

/** The bin scripts load the fast path with the code the build prepared for it (dist/bundle/fast.bin). */
const fay = user('fay');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';

let sb: Sandbox;
let tree: string;
before(async () => {
  sb = await new Sandbox([fay]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  sb.write('.aws/config', `[profile fay]\nmfa_serial = ${fay.mfaDevices[0]!.serial}\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = fay\nregion = eu-west-1\n`);
  await sb.add('fay', fay);
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(fay)], { env: { MFA_LOGIN_CACHE: 'file' } });
  assert.equal(r.status, 0, r.stderr);
  // A copy of the bin scripts with the fast path and nothing else: no full CLI to fall back on.
  tree = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-bin-'));
  mkdirSync(path.join(tree, 'bin'));
  mkdirSync(path.join(tree, 'dist/bundle'), { recursive: true });
  for (const f of ['mfa-login.js', 'mfa-env.js', 'package.json']) copyFileSync(path.join(ROOT, 'bin', f), path.join(tree, 'bin', f));
  copyFileSync(FAST_CJS, path.join(tree, 'dist/bundle/fast.cjs'));
});
after(async () => {
  await sb.stop();
  rmSync(tree, { recursive: true, force: true });
});

const fileMode = () => sb.env({ MFA_LOGIN_CACHE: 'file', SHELL: '/bin/bash' });

test('the prepared code is accepted by this Node, and belongs to the bundled fast path', () => {
  const { source, tag, code } = readFastBin();
  assert.equal(source, wrap(readFileSync(FAST_CJS, 'utf8')));
  assert.equal(tag, nodeTag());
  const script = new vm.Script(source, { filename: FAST_CJS, cachedData: code });
  assert.equal(script.cachedDataRejected, false);
});

test('the bin scripts answer a cached call the same with the prepared code, with code V8 refuses or another Node made, and with fast.bin missing, empty or cut short', async () => {
  const want = {
    login: await runCommand(process.execPath, [MFA_LOGIN, 'credential-process', 'prod'], fileMode()),
    env: await runCommand(process.execPath, [MFA_ENV, 'prod'], fileMode()),
  };
  assert.equal(want.login.status, 0, want.login.stderr);
  assert.match(want.login.stdout, /"AccessKeyId":"ASIA/);
  assert.match(want.env.stdout, /^export AWS_ACCESS_KEY_ID='ASIA/);

  const { source, tag, code } = readFastBin();
  const prepared = readFileSync(path.join(ROOT, 'dist/bundle/fast.bin'));
  // Damaged code: V8 does not notice, and running it crashes Node. Only the tag keeps it out.
  const damaged = Buffer.from(code);
  for (let i = 1000; i < damaged.length; i += 997) damaged[i]! ^= 0x55;
  const variants: Array<[string, Buffer | undefined]> = [
    ['prepared', prepared],
    ['code V8 refuses', encodeFastBin(source, tag, Buffer.alloc(4096, 0x5a))],
    ['code from another Node', encodeFastBin(source, 'v20.0.0 x64 11.3.244.8-node.0', damaged)],
    ['missing', undefined],
    ['empty', Buffer.alloc(0)],
    ['cut short in the source', prepared.subarray(0, 8 + tag.length + 1000)],
  ];
  for (const [name, blob] of variants) {
    rmSync(path.join(tree, 'dist/bundle/fast.bin'), { force: true });
    if (blob !== undefined) writeFileSync(path.join(tree, 'dist/bundle/fast.bin'), blob);
    const login = await runCommand(process.execPath, [path.join(tree, 'bin/mfa-login.js'), 'credential-process', 'prod'], fileMode());
    assert.deepEqual({ status: login.status, stdout: login.stdout, stderr: login.stderr }, { status: 0, stdout: want.login.stdout, stderr: '' }, name);
    const env = await runCommand(process.execPath, [path.join(tree, 'bin/mfa-env.js'), 'prod'], fileMode());
    assert.deepEqual({ status: env.status, stdout: env.stdout, stderr: env.stderr }, { status: 0, stdout: want.env.stdout, stderr: '' }, name);
  }
});

test('the prepared code is made in a clean environment, whatever the builder has set', async () => {
  const out = path.join(tree, 'prepared.bin');
  const r = await runCommand(process.execPath, [path.join(ROOT, 'dist/src/cli/prepare-fast-path.js'), out], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    MFA_LOGIN_CACHE: 'none',
    MFA_LOGIN_BACKEND: 'pass',
    XDG_RUNTIME_DIR: '/nonexistent',
    NODE_OPTIONS: '--max-old-space-size=100',
  });
  assert.equal(r.status, 0, r.stderr);
  const made = readFastBin(out);
  assert.equal(made.source, wrap(readFileSync(FAST_CJS, 'utf8')));
  assert.equal(new vm.Script(made.source, { filename: FAST_CJS, cachedData: made.code }).cachedDataRejected, false);
});

test('the bin scripts run the source in fast.bin, not fast.cjs', async () => {
  const marker = wrap("exports.fastPath = async () => { require('node:fs').writeSync(1, 'from fast.bin\\n'); return true; };");
  writeFileSync(path.join(tree, 'dist/bundle/fast.bin'), encodeFastBin(marker, nodeTag(), Buffer.alloc(16)));
  for (const bin of ['mfa-login.js', 'mfa-env.js']) {
    const r = await runCommand(process.execPath, [path.join(tree, 'bin', bin), 'credential-process', 'prod'], fileMode());
    assert.deepEqual({ status: r.status, stdout: r.stdout }, { status: 0, stdout: 'from fast.bin\n' }, bin);
  }
});

test('the two bin scripts load the fast path the same way', () => {
  const loader = (file: string) => {
    const text = readFileSync(file, 'utf8');
    return text.slice(text.indexOf('/**\n * The fast path with'));
  };
  assert.ok(loader(MFA_LOGIN).includes('function loadFastPath()'));
  assert.equal(loader(MFA_ENV), loader(MFA_LOGIN));
});
