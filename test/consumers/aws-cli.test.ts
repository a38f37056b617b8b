/**
 * The AWS CLI v2 as a consumer: of a credential_process profile (written by hand and by
 * `mfa-login setup`), and of the static session keys `mfa-login PROFILE --to NAME` writes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCommand, requireComponent, AWS_CLI, MFA_LOGIN, type Sandbox, type TestUser, type RunResult } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, ASSUMED_ROLE, ROLE_ARN } from './kit.js';

let sb: Sandbox;
let alice: TestUser;
/** In CI a missing AWS CLI fails each test; elsewhere it skips them. */
const missing = () => requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');

before(async () => {
  ({ sb, alice } = await prodSandbox());
});
after(async () => sb?.stop());

/** `aws sts get-caller-identity` as a user types it; 2.9 ignores AWS_ENDPOINT_URL, hence the flag. */
function callerIdentity(profile: string): Promise<RunResult> {
  return runCommand(AWS_CLI, ['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', sb.sts.url, '--region', 'eu-west-1', '--output', 'json'], sb.env());
}

/** A cold cache, then a session started the way the hint says (with the code on the command line). */
async function warm(): Promise<void> {
  assert.equal((await sb.run(['logout', '--all'])).status, 0);
  const r = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^prod: ${ROLE_ARN}, valid until \\S+Z \\(\\d+ min\\)\\.\\n$`));
}

const config = () => sb.read('.aws/config') ?? '';

test('a credential_process profile written by hand works in the AWS CLI once the session is warm', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const saved = config();
  sb.write('.aws/config', `${saved}[profile prod-mfa]\ncredential_process = ${process.execPath} ${MFA_LOGIN} credential-process prod\nregion = eu-west-1\n`);
  try {
    await warm();
    sb.sts.resetCalls();
    const aws = await callerIdentity('prod-mfa');
    assert.equal(aws.status, 0, aws.stderr);
    const id = JSON.parse(aws.stdout) as { Arn: string; Account: string };
    assert.match(id.Arn, ASSUMED_ROLE);
    assert.equal(id.Account, '222222222222');
    assert.equal(sb.sts.calls.GetSessionToken ?? 0, 0, 'the AWS CLI run took the cached session: no new MFA session');
    assert.equal(sb.sts.calls.AssumeRole ?? 0, 0, 'nor a new role session');
  } finally {
    sb.write('.aws/config', saved);
  }
});

test('mfa-login setup writes a profile the AWS CLI uses as it is', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const saved = config();
  try {
    const setup = await sb.run(['setup', 'prod']);
    assert.equal(setup.status, 0, setup.stderr);
    assert.match(setup.stdout, /^Added \[profile prod-mfa\] in ~\/\.aws\/config:\n  credential_process = \S+ \S+mfa-login\.js credential-process prod\n  region = eu-west-1\nTry it: aws sts get-caller-identity --profile prod-mfa\n$/);
    assert.ok(config().includes(`credential_process = ${process.execPath} `), 'node is called by absolute path');
    await warm();
    const aws = await callerIdentity('prod-mfa');
    assert.equal(aws.status, 0, aws.stderr);
    assert.match(JSON.parse(aws.stdout).Arn, ASSUMED_ROLE);
  } finally {
    sb.write('.aws/config', saved);
  }
});

test('with a cold cache and no terminal the AWS CLI fails and shows the command to run by hand', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const saved = config();
  try {
    assert.equal((await sb.run(['setup', 'prod'])).status, 0);
    assert.equal((await sb.run(['logout', '--all'])).status, 0);
    sb.sts.resetCalls();
    const aws = await callerIdentity('prod-mfa');
    assert.notEqual(aws.status, 0);
    assert.equal(aws.stdout, '');
    assert.match(aws.stderr, /mfa-login: an MFA code is needed for prod and there is no terminal to ask on; run "mfa-login session prod" in a terminal first, pass --mfa-token, or set mfa_process in the profile/);
    assert.equal(aws.stderr.trim().split('\n').filter((l) => l.includes('mfa-login')).length, 1, `one line of ours:\n${aws.stderr}`);
    assert.doesNotMatch(aws.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.equal(sb.sts.calls.AssumeRole ?? 0, 0);
    assert.equal(sb.sts.calls.GetSessionToken ?? 0, 0);
  } finally {
    sb.write('.aws/config', saved);
  }
});

test('the static session keys of mfa-login prod --to prod-keys work in the AWS CLI', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  assert.equal((await sb.run(['logout', '--all'])).status, 0);
  const login = await sb.run(['prod', '--to', 'prod-keys', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(login.status, 0, login.stderr);
  assert.match(sb.read('.aws/credentials')!, /\[prod-keys\]\naws_access_key_id = ASIA[A-Z0-9]{16}\naws_secret_access_key = \S+\naws_session_token = \S+\n/);
  const aws = await callerIdentity('prod-keys');
  assert.equal(aws.status, 0, aws.stderr);
  assert.match(JSON.parse(aws.stdout).Arn, ASSUMED_ROLE);
});
