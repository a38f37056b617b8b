import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, rmSync, statSync } from 'node:fs';
import { MFA_LOGIN, Sandbox, runCommand, user } from './harness.js';

/**
 * ~/.aws/credentials gets 12-hour sessions: created 0600 whatever the umask, as the AWS CLI does,
 * and a file other users can read is pointed out with the command that fixes it.
 */
const alice = user('alice');
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([alice]).start();
  // The sandbox's own region, so that login has no region to add to the profile (and no note to give).
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nregion = us-east-1\n`);
  await sb.add('alice', alice);
});
after(async () => {
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

test('login creates the credentials file 0600, even with umask 000', async () => {
  rmSync(sb.file('.aws/credentials'), { force: true });
  await sb.run(['logout', '--all']);
  const r = await runCommand('/bin/sh', ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, MFA_LOGIN, 'alice', '--mfa-token', await sb.code(alice)], sb.env());
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(sb.file('.aws/credentials')).mode & 0o777, 0o600);
  assert.equal(r.stderr, '', 'no warning for a file only we can read');
});

test('login into a file others can read warns once, with a fix that works as printed', async () => {
  const file = sb.file('.aws/credentials');
  chmodSync(file, 0o644);
  const r = await sb.run(['alice']); // cached: no code needed
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `mfa-login: warning: ${file} is 0644: other users can read the sessions in it; fix it with: chmod 600 ${file}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o644, 'the mode is the user\'s to change');

  const doctor = await sb.run(['doctor']);
  assert.match(doctor.stdout, /^warn {2}credentials file: ~\/\.aws\/credentials is 0644: other users can read the sessions in it\n {6}fix: chmod 600 \S+\/\.aws\/credentials$/m);

  const fix = /fix it with: (.*)$/m.exec(r.stderr)![1]!;
  assert.equal((await runCommand('/bin/sh', ['-c', fix], sb.env())).status, 0);
  const again = await sb.run(['alice']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stderr, '');
  assert.doesNotMatch((await sb.run(['doctor'])).stdout, /credentials file/);
});

test('logout with a credentials file it may not write changes nothing: the cached session is still there', async () => {
  const file = sb.file('.aws/credentials');
  chmodSync(file, 0o600);
  const login = await sb.run(['alice']);
  assert.equal(login.status, 0, login.stderr);
  chmodSync(file, 0o444);
  try {
    const out = await sb.run(['logout', 'alice']);
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /read-only \(0444\).*nothing was changed\n$/);
    // Still cached: credential-process answers with no code to ask for.
    const again = await sb.run(['credential-process', 'alice']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /"AccessKeyId":"ASIA/);
  } finally {
    chmodSync(file, 0o600);
  }
});
