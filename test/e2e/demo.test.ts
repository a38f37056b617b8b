import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MFA_LOGIN, runCommand, AWS_CLI } from './harness.js';
import { shortenSecrets } from '../../src/cli/commands/demo.js';

test('mfa-login demo --yes runs every step against its own STS and leaves nothing behind', async () => {
  const outer = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-demo-test-'));
  const home = path.join(outer, 'home');
  const tmp = path.join(outer, 'tmp');
  // The user's own session directory, with a session of a profile that happens to be called demo.
  const runtime = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'mfa-login-demo-test-'));
  const ours = path.join(runtime, 'mfa-login');
  mkdirSync(ours, { mode: 0o700 });
  writeFileSync(path.join(ours, 'route-demo.json'), '{"version":2,"routes":[]}', { mode: 0o600 });
  writeFileSync(path.join(ours, '0123456789abcdef.json'), '{}', { mode: 0o600 });
  const before = readdirSync(ours).sort();
  for (const d of [home, tmp]) mkdirSync(d);
  try {
    const r = await runCommand(process.execPath, [MFA_LOGIN, 'demo', '--yes'], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, XDG_RUNTIME_DIR: runtime, LANG: 'C.UTF-8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    for (const heading of [
      "[1/7] Store the IAM user's long-term keys",
      '[2/7] Log in with one MFA code',
      '[3/7] Chain into the role, for your shell',
      '[4/7] credential_process: the AWS CLI asks mfa-login for credentials',
      '[5/7] What is stored and cached',
      '[6/7] Rotate the access key',
      '[7/7] Clean up',
    ]) {
      assert.ok(r.stdout.includes(`\n${heading}`), `heading ${heading}`);
    }
    assert.match(r.stdout, /\$ printf '%s\\n' AKIAIOSFODNN7EXAMPLE 'wJal…KEY' \| mfa-login add demo\n/);
    assert.match(r.stdout, /\$ mfa-login login demo --mfa-token \d{6}\n/);
    assert.match(r.stdout, /export AWS_SECRET_ACCESS_KEY='\S{4}…\S{3}'\n/);
    assert.doesNotMatch(r.stdout, /wJalrXUtnFEMI/, 'the demo secret is never printed whole');
    if (existsSync(AWS_CLI)) assert.match(r.stdout, /"Arn": "arn:aws:sts::222222222222:assumed-role\/DemoAdmin\/demo"/);
    assert.match(r.stdout, /^ {4}demo-admin +via demo +arn:aws:iam::111111111111:mfa\/demo +█+ 11h \d+m +█+ \d+m +-$/m);
    assert.match(r.stdout, /\$ mfa-login rotate demo\n {4}Rotated the access key of arn:aws:iam::111111111111:user\/demo \(profile demo\):\n {6}new key AKIA[A-Z2-7]{16}, created \S+Z, stored in ~\/\.config\/mfa-login\/keys\.enc\n {6}old key AKIAIOSFODNN7EXAMPLE deleted in IAM; \d+ sessions? made with it forgotten\n/);

    const demoHome = /^ {2}HOME {7}(\S+)$/m.exec(r.stdout)![1]!;
    assert.ok(demoHome.startsWith(tmp), `the demo HOME ${demoHome} is made under TMPDIR`);
    assert.equal(existsSync(demoHome), false, 'the demo HOME is removed');
    assert.deepEqual(readdirSync(tmp), [], 'nothing is left in TMPDIR');
    assert.deepEqual(readdirSync(home), [], 'nothing is written to the real HOME (no .aws, no cache, no key file)');
    const demoRuntime = /^ {2}runtime {4}(\S+) {2}\(its XDG_RUNTIME_DIR/m.exec(r.stdout)?.[1];
    assert.ok(demoRuntime !== undefined && !demoRuntime.startsWith(runtime), `the demo has a runtime directory of its own: ${demoRuntime}`);
    // The status step names where the demo's sessions are: its own directory, not a ~/.cache/mfa-login.
    assert.match(r.stdout, /^ {4}Session cache: file, (\S+)$/m);
    assert.equal(/^ {4}Session cache: file, (\S+)$/m.exec(r.stdout)![1], demoRuntime, 'status shows the demo\'s own session directory');
    assert.equal(existsSync(demoRuntime), false, 'the demo runtime directory is removed');
    assert.deepEqual(readdirSync(ours).sort(), before, 'the user\'s session directory is as it was');
  } finally {
    rmSync(outer, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
});

test('the secret and the token of exports are shortened, nothing else', () => {
  const text = "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE12345'\nexport AWS_SECRET_ACCESS_KEY='abcdefghijklmnopqrstuvwxyz'\nexport AWS_SESSION_TOKEN='TOKENTOKENTOKENXYZ'\nexport AWS_REGION='us-east-1'\n";
  assert.equal(shortenSecrets(text), "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE12345'\nexport AWS_SECRET_ACCESS_KEY='abcd…xyz'\nexport AWS_SESSION_TOKEN='TOKE…XYZ'\nexport AWS_REGION='us-east-1'\n");
});
