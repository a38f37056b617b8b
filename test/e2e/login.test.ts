import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { Sandbox, user, runCommand, requireComponent, AWS_CLI } from './harness.js';

const alice = user('alice');
const bob = user('bob');
const carol = { ...user('carol'), canListMfaDevices: false };
/** alice's codes of the moment are spent by the tests before: mfa_process gets a user of its own. */
const mona = user('mona');
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([alice, bob, carol, mona]).start();
});
after(async () => sb.stop());

const OTHER = `# my other profiles\n[work]\naws_access_key_id = AKIAWORK000000000001\naws_secret_access_key = workSecretWorkSecretWorkSecretWorkSecret\n\n; keep this comment\n[zeta]\nregion = eu-west-1\n`;

test('add, log in, reuse the cached session with no STS call, log out', async () => {
  sb.write('.aws/credentials', OTHER);
  chmodSync(sb.file('.aws/credentials'), 0o644);
  const added = await sb.add('alice', alice);
  assert.match(added.stdout, /Stored the keys of arn:aws:iam::111111111111:user\/alice/);
  assert.match(added.stdout, /Recorded mfa_serial = arn:aws:iam::111111111111:mfa\/alice/);
  assert.match(sb.read('.aws/config')!, /^\[profile alice\]\nmfa_serial = arn:aws:iam::111111111111:mfa\/alice\n$/);

  sb.sts.resetCalls();
  const first = await sb.run(['alice', '--mfa-token', await sb.code(alice)]);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(sb.sts.calls.GetSessionToken, 1);
  assert.match(first.stdout, /Wrote an MFA session to \[alice\] in ~\/\.aws\/credentials, valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(12 h\)/);
  const creds = sb.read('.aws/credentials')!;
  assert.ok(creds.startsWith(OTHER), 'the other sections, comments and blank lines stay byte for byte');
  assert.match(creds, /\[alice\]\naws_access_key_id = ASIA[A-Z0-9]{16}\naws_secret_access_key = \S{40}\naws_session_token = \S+\nexpiration = \d{4}-.+Z\nmfa_login_session_of = alice\n$/);
  assert.equal(statSync(sb.file('.aws/credentials')).mode & 0o777, 0o644, 'an existing file keeps its permissions');

  sb.sts.resetCalls();
  const second = await sb.run(['login', 'alice']); // no code given, no terminal: only a cache hit can succeed
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /cached\)/);
  assert.equal(Object.values(sb.sts.calls).reduce((a, b) => a + b, 0), 0, 'no STS call on a cache hit');

  const out = await sb.run(['logout', 'alice']);
  assert.equal(out.status, 0);
  assert.equal(out.stdout, 'Forgot 1 cached session of alice and removed [alice] from ~/.aws/credentials.\n');
  assert.equal(sb.read('.aws/credentials'), OTHER, 'the written session is gone; everything else is as it was');
  const third = await sb.run(['alice']);
  assert.equal(third.status, 5);
  assert.equal(third.stderr, 'mfa-login: an MFA code is needed for alice and there is no terminal to ask on; run "mfa-login alice" in a terminal first, pass --mfa-token, or set mfa_process in the profile\n');
});

test('a session written over one another tool left takes its stale aws_security_token away and keeps its other keys', async () => {
  const warm = await sb.run(['session', 'alice', '--mfa-token', await sb.code(alice)]);
  assert.equal(warm.status, 0, warm.stderr);
  const before = sb.read('.aws/credentials') ?? '';
  sb.write('.aws/credentials', `${before}[old]\naws_access_key_id = ASIAOLDOLDOLDOLDOLD1\naws_secret_access_key = oldsecret\naws_session_token = oldtoken\naws_security_token = oldtoken\nassumed_role = False\n`);
  const r = await sb.run(['alice', '--to', 'old']);
  assert.equal(r.status, 0, r.stderr);
  const text = sb.read('.aws/credentials')!;
  assert.match(text, /\[old\]\naws_access_key_id = ASIA[A-Z0-9]{16}\naws_secret_access_key = \S{40}\naws_session_token = \S+\nassumed_role = False\nexpiration = .+Z\nmfa_login_session_of = alice\n$/);
  assert.doesNotMatch(text, /aws_security_token|oldtoken/);
  sb.write('.aws/credentials', before);
});

test('the AWS CLI v2 uses the written profile as it is', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  const r = await sb.run(['bob', '--mfa-token', await sb.code(bob), '--to', 'bob-mfa'], {});
  assert.equal(r.status, 1 + 2, 'bob has no profile yet'); // exit 3: unknown profile
  await sb.add('bob', bob);
  const ok = await sb.run(['bob', '--to', 'bob-mfa', '--mfa-token', await sb.code(bob)]);
  assert.equal(ok.status, 0, ok.stderr);
  const aws = await runCommand(AWS_CLI, ['sts', 'get-caller-identity', '--profile', 'bob-mfa', '--endpoint-url', sb.sts.url, '--region', 'us-east-1', '--output', 'json'], sb.env());
  assert.equal(aws.status, 0, aws.stderr);
  assert.equal(JSON.parse(aws.stdout).Arn, 'arn:aws:iam::111111111111:user/bob');
});

test('a wrong code, a malformed code and a missing code change nothing', async () => {
  await sb.add('alice', alice);
  const before = sb.read('.aws/credentials');
  sb.sts.resetCalls();

  const wrong = await sb.run(['alice', '--mfa-token', '000000']);
  assert.equal(wrong.status, 5);
  assert.match(wrong.stderr, /^mfa-login: STS refused the MFA code for arn:aws:iam::111111111111:mfa\/alice \(profile alice\)/);
  assert.doesNotMatch(wrong.stderr, /at .*\.js:\d+/, 'no stack trace');

  const letters = await sb.run(['alice', '--mfa-token', '12a456']);
  assert.equal(letters.status, 5);
  assert.equal(letters.stderr, 'mfa-login: --mfa-token is not a 6-digit code\n  hint: use the 6-digit code your MFA app shows now\n');
  const short = await sb.run(['alice', '--mfa-token', '12345']);
  assert.equal(short.status, 5);
  assert.equal(sb.sts.calls.GetSessionToken, 1, 'only the wrong 6-digit code reached STS');
  assert.equal(sb.read('.aws/credentials'), before);
});

test('unknown profile, source_profile loop and malformed config line are clear config errors', async () => {
  const cfg = sb.read('.aws/config')!;
  const unknown = await sb.run(['nope', '--mfa-token', '123456']);
  assert.equal(unknown.status, 3);
  assert.match(unknown.stderr, /^mfa-login: profile nope not found; known profiles: .*alice.*\n/);

  sb.write('.aws/config', `${cfg}\n[profile a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = a\n[profile self]\nrole_arn = arn:aws:iam::222222222222:role/S\nsource_profile = self\n`);
  const loop = await sb.run(['a', '--mfa-token', '123456']);
  assert.equal(loop.status, 3);
  assert.match(loop.stderr, /^mfa-login: source_profile loop: a -> b -> a\n/);
  const self = await sb.run(['self']);
  assert.match(self.stderr, /^mfa-login: source_profile loop: self -> self\n/);

  sb.write('.aws/config', `${cfg}[profile broken]\nregion us-east-1\n`);
  const broken = await sb.run(['alice', '--mfa-token', '123456']);
  assert.equal(broken.status, 3);
  assert.match(broken.stderr, /config line \d+: expected "key = value" or "\[section\]", found "region us-east-1"\n/);
  sb.write('.aws/config', cfg);
});

test('missing keys point at add; a profile with role_arn is not written over silently', async () => {
  const cfg = sb.read('.aws/config')!;
  sb.write('.aws/config', `${cfg}[profile nokeys]\nmfa_serial = arn:aws:iam::111111111111:mfa/nokeys\n`);
  const r = await sb.run(['nokeys', '--mfa-token', '123456']);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /^mfa-login: no keys stored for profile nokeys in .*keys\.enc\n  hint: store them with: mfa-login add nokeys\n$/);

  sb.write('.aws/config', `${cfg}[profile ops]\nrole_arn = arn:aws:iam::222222222222:role/Ops\nsource_profile = alice\n`);
  const before = sb.read('.aws/credentials');
  const explicit = await sb.run(['alice', '--to', 'ops', '--mfa-token', await sb.code(alice)]);
  assert.equal(explicit.status, 3);
  assert.match(explicit.stderr, /^mfa-login: \[profile ops\] in .*config has role_arn, so AWS tools would ignore keys written under \[ops\]\n  hint: write to a free name instead: --to ops-session\n$/);
  assert.equal(sb.read('.aws/credentials'), before);
  sb.write('.aws/config', cfg);
});

test('add --import moves plaintext keys into the store and leaves the rest of the file alone', async () => {
  const cfg = sb.read('.aws/config') ?? '';
  sb.write('.aws/config', `${cfg}[profile carol]\nregion = us-east-1\n`);
  const text = `[before]\nregion = x\n\n[carol]\n# carol's keys\naws_access_key_id = ${carol.accessKeyId}\naws_secret_access_key = ${carol.secretAccessKey}\nregion = us-east-1\n\n[after]\nregion = y\n`;
  sb.write('.aws/credentials', text);
  const r = await sb.run(['add', 'carol', '--import', '--yes']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sb.read('.aws/credentials'), `[before]\nregion = x\n\n[carol]\n# carol's keys\nregion = us-east-1\n\n[after]\nregion = y\n`);
  // carol may not call iam:ListMFADevices: the conventional device ARN is used (accepted with --yes).
  assert.match(r.stdout, /Recorded mfa_serial = arn:aws:iam::111111111111:mfa\/carol/);
  const list = await sb.run(['list', '--json']);
  assert.ok(JSON.parse(list.stdout).some((p: { profile: string }) => p.profile === 'carol'));
  const login = await sb.run(['carol', '--to', 'carol-mfa', '--mfa-token', await sb.code(carol)]);
  assert.equal(login.status, 0, login.stderr);
});

test('add refuses keys STS does not accept, and stores nothing', async () => {
  const r = await sb.run(['add', 'mallory', '--yes'], { input: `AKIAMALLORY000000001\n${'x'.repeat(40)}\n` });
  assert.equal(r.status, 6);
  assert.match(r.stderr, /^mfa-login: AWS does not recognise the access key AKIAMALLORY000000001 you gave; nothing was stored\n/);
  assert.doesNotMatch(r.stderr, /xxxxxxxx/);
  const list = await sb.run(['list', '--json']);
  assert.ok(!JSON.parse(list.stdout).some((p: { profile: string }) => p.profile === 'mallory'));
});

test('mfa_process supplies the code', async () => {
  const cfg = sb.read('.aws/config')!;
  await sb.add('mona', mona); // records her mfa_serial
  await sb.run(['session', 'mona', '--mfa-token', await sb.code(mona)]);
  await sb.add('mona', mona); // forgets mona's cached sessions
  const withMona = sb.read('.aws/config')!;
  sb.write('.aws/config', withMona.replace('[profile mona]\n', `[profile mona]\nmfa_process = echo ${await sb.code(mona)}\n`));
  const r = await sb.run(['mona', '--debug']);
  assert.equal(r.status, 0, r.stderr);
  // The program's name only: its arguments may be the seed (here they are the code itself).
  assert.match(r.stderr, /MFA code from mfa_process \(echo\)\n/);
  assert.doesNotMatch(r.stderr, /echo \d{6}/);
  sb.write('.aws/config', withMona.replace('[profile mona]\n', `[profile mona]\nmfa_process = exit 3\n`));
  await sb.run(['logout', 'mona']);
  const failing = await sb.run(['mona']);
  assert.equal(failing.status, 5);
  assert.equal(failing.stderr, 'mfa-login: mfa_process exit failed (exit status 3)\n  hint: run the command by hand to see why\n');
  sb.write('.aws/config', cfg);
});

test('with the OS keychain (a real Secret Service): add, list, log in, remove', async (t) => {
  const skip = requireComponent(process.env.MFA_LOGIN_TEST_KEYRING === '1', 'a Secret Service keyring (run under test/with-keyring.sh)');
  if (skip) return t.skip(skip);
  const env = { MFA_LOGIN_BACKEND: 'keychain', MFA_LOGIN_FILE_PASSPHRASE: undefined };
  const profile = `kc-${process.pid}`; // the private keyring is shared by the test files running at once
  const cfg = sb.read('.aws/config') ?? '';
  sb.write('.aws/config', `${cfg}[profile ${profile}]\nmfa_serial = ${bob.mfaDevices[0]!.serial}\n`);
  const added = await sb.run(['add', profile], { env, input: `${bob.accessKeyId}\n${bob.secretAccessKey}\n` });
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /Stored the keys of arn:aws:iam::111111111111:user\/bob \(AKIA\w+\) for profile kc-\d+ in Secret Service/);
  const list = await sb.run(['list', '--json'], { env });
  assert.ok((JSON.parse(list.stdout) as Array<{ profile: string; backend: string }>).some((p) => p.profile === profile && p.backend === 'keychain'));
  const login = await sb.run([profile, '--to', `${profile}-s`, '--mfa-token', await sb.code(bob)], { env });
  assert.equal(login.status, 0, login.stderr);
  const removed = await sb.run(['remove', profile], { env });
  assert.equal(removed.status, 0, removed.stderr);
  const again = await sb.run(['remove', profile], { env });
  assert.equal(again.status, 4, again.stderr);
  assert.match(again.stderr, /^mfa-login: no keys stored for profile kc-\d+ in Secret Service/);
  sb.write('.aws/config', cfg);
});
