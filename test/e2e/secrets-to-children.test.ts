import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MFA_ENV, Sandbox, runCommand, user } from './harness.js';

/**
 * Our own secrets stay ours: a command run under exec or as mfa_process gets neither the key
 * file's passphrase nor a code from MFA_LOGIN_MFA_TOKEN, and mfa_process's arguments (which may be
 * the TOTP seed) are shown nowhere. A hostile region never reaches a shell.
 */
const alice = user('alice');
const SEED_ARG = 'JBSWY3DPSEEDSEEDSEED';
const PASSPHRASE = 'correct horse battery staple';
const SHOW_ENV = 'echo "P=${MFA_LOGIN_FILE_PASSPHRASE-unset} T=${MFA_LOGIN_MFA_TOKEN-unset} K=${AWS_ACCESS_KEY_ID:+set}"';
let sb: Sandbox;
let trap: string;

before(async () => {
  // Codes are not what these tests are about: the STS takes one again, so none waits for the next TOTP step.
  sb = await new Sandbox([alice]).start({ allowCodeReuse: true });
  trap = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-trap-'));
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  await sb.add('alice', alice);
});
after(async () => {
  rmSync(trap, { recursive: true, force: true });
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

test('exec: the command gets the session, not the passphrase or MFA_LOGIN_MFA_TOKEN', async () => {
  await sb.run(['logout', '--all']);
  const r = await sb.run(['exec', 'alice', '--', 'sh', '-c', SHOW_ENV], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(alice) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'P=unset T=unset K=set\n');
});

test('mfa_process: gets neither secret, and works', async () => {
  await sb.run(['logout', '--all']);
  const code = await sb.code(alice);
  // Prints the code only when neither secret reached it; a leak shows up as a refused code.
  const check = `if [ -z "\${MFA_LOGIN_FILE_PASSPHRASE-}" ] && [ -z "\${MFA_LOGIN_MFA_TOKEN-}" ]; then echo ${code}; else echo leaked; fi`;
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nmfa_process = ${check}\n[profile other]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  const r = await sb.run(['session', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^alice: the MFA session of alice, valid until/);
});

test('mfa_process: --debug and the failure name the program, never its arguments', async () => {
  await sb.run(['logout', '--all']);
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nmfa_process = false --totp -b ${SEED_ARG}\n`);
  const r = await sb.run(['alice', '--debug']);
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /debug: MFA code from mfa_process \(false\)/);
  assert.match(r.stderr, /^mfa-login: mfa_process false failed \(exit status 1\)$/m);
  assert.ok(!r.stderr.includes(SEED_ARG), `the seed is shown:\n${r.stderr}`);
  assert.ok(!r.stderr.includes(PASSPHRASE));
});

test('MFA_LOGIN_MFA_TOKEN gives the code; --mfa-token wins over it', async () => {
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  await sb.run(['logout', '--all']);
  const fromEnv = await sb.run(['alice', '--debug'], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(alice) } });
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  assert.match(fromEnv.stderr, /debug: MFA code from MFA_LOGIN_MFA_TOKEN/);
  await sb.run(['logout', '--all']);
  // A variable left with a used (or broken) code does not stand in the way of the flag.
  const flag = await sb.run(['alice', '--mfa-token', await sb.code(alice)], { env: { MFA_LOGIN_MFA_TOKEN: 'not-a-code' } });
  assert.equal(flag.status, 0, flag.stderr);
});

test('--mfa-token --help says the code is visible in ps and names MFA_LOGIN_MFA_TOKEN', async () => {
  for (const args of [['login', '--help'], ['credential-process', '--help'], ['exec', '--help']]) {
    const r = await sb.run(args);
    assert.match(r.stdout.replace(/\s+/g, ' '), /--mfa-token .*other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead/, args.join(' '));
  }
  const env = await sb.run(['--help'], { bin: MFA_ENV });
  assert.match(env.stdout.replace(/\s+/g, ' '), /other local users can read it in ps/);
});

test('a region that is shell code never runs, even when the shell is detected wrongly', async () => {
  sb.write('.aws/config', `[profile q]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  await sb.add('q', alice);
  // A session obtained before the region was edited in: STS is not asked again, so only the
  // config check stands between the region and the shell.
  const started = await sb.run(['session', 'q', '--mfa-token', await sb.code(alice)]);
  assert.equal(started.status, 0, started.stderr);
  sb.write('.aws/config', `[profile q]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nregion = x';touch ${trap}/pwned;#\n`);
  // fish output, bash evaluates: fish's quoting (\\' inside '...') means nothing to bash.
  const script = `eval "$(${process.execPath} ${MFA_ENV} q --shell fish)"; echo "region=\${AWS_REGION-unset}"`;
  const r = await runCommand('/bin/bash', ['-c', script], sb.env({ SHELL: '/usr/bin/fish', AWS_REGION: undefined }));
  assert.equal(existsSync(path.join(trap, 'pwned')), false, 'the region ran as a command');
  assert.match(r.stderr, /^mfa-env: .*config line 3: region = x';touch .*pwned;# is not an AWS region/m);
  assert.equal(r.stdout, 'region=unset\n');
});
