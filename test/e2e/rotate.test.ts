/**
 * `mfa-login rotate` end to end: the built CLI against the local STS, whose new keys take a few
 * seconds to be accepted and whose MFA policy refuses key management without MFA. The AWS CLI
 * checks which key works afterwards; rotations are killed at each step and cleaned up after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Sandbox, user, MFA_LOGIN, AWS_CLI, requireComponent, runCommand, type TestUser } from './harness.js';
import { settingsFrom } from '../../src/settings.js';
import { openSecretStore } from '../../src/secrets/open-store.js';
import type { LongTermKeys } from '../../src/credentials.js';
import { realIo } from '../secrets/helpers.js';
import { evaluate, identityPolicy, requestOf } from './policy-evaluator.js';

const NEW_KEY_DELAY_MS = 3000;

async function rotateSandbox(): Promise<{ sb: Sandbox; alice: TestUser }> {
  const alice = user('alice');
  const sb = await new Sandbox([alice]).start({ newKeyDelayMs: NEW_KEY_DELAY_MS });
  await sb.add('alice', alice);
  return { sb, alice };
}

/** Sessions in files: nothing (no agent) outlives the test. */
const FILE_CACHE = { MFA_LOGIN_CACHE: 'file' };

/** The keys in the sandbox's encrypted key file, read through the product's own store. */
function storedKeys(sb: Sandbox): Promise<LongTermKeys | undefined> {
  const settings = settingsFrom(sb.env(), sb.home);
  return openSecretStore({ settings, io: realIo(settings), warn: () => {}, askPassphrase: () => Promise.reject(new Error('no passphrase')) }).get('alice');
}

/** The AWS CLI v2 asked who these keys are, straight against the local STS. */
function awsWhoAmI(sb: Sandbox, keys: LongTermKeys) {
  return runCommand(AWS_CLI, ['sts', 'get-caller-identity', '--endpoint-url', sb.sts.url, '--output', 'text', '--query', 'Arn'], {
    PATH: process.env.PATH!,
    HOME: sb.home,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
}

/** Runs rotate with the test-only pause at `step`, and SIGKILLs it once it says it is there. */
async function rotateKilledAt(sb: Sandbox, code: string, step: 'created' | 'stored'): Promise<string> {
  const child = spawn(process.execPath, [MFA_LOGIN, 'rotate', 'alice', '--mfa-token', code], { env: sb.env({ ...FILE_CACHE, MFA_LOGIN_TEST_PAUSE_AT: step }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rotate did not reach ${step} within 60 s; stderr: ${stderr}`)), 60_000);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes(`paused at ${step}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`rotate ended before ${step}: ${stderr}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await closed;
  }
  return stderr;
}

const needsAws = () => requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');

test('rotate: a new key made with the MFA session, waited for, stored; the old one refused by the AWS CLI afterwards', async (t) => {
  const skip = needsAws();
  if (skip) return t.skip(skip);
  const { sb, alice } = await rotateSandbox();
  try {
    const before = (await storedKeys(sb))!;
    assert.equal(before.accessKeyId, alice.accessKeyId);
    // The MFA policy: long-term keys alone may not create keys.
    const status0 = await sb.run(['status'], { env: FILE_CACHE });
    assert.match(status0.stdout, /^alice +file +\S+ +none +- +unknown$/m, status0.stdout);

    sb.sts.resetCalls();
    const r = await sb.run(['rotate', 'alice', '--mfa-token', await sb.code(alice), '--debug'], { env: FILE_CACHE });
    assert.equal(r.status, 0, r.stderr);
    // Made with the MFA session, every access-key call names the user: IAM (and the local STS)
    // refuses them without UserName from temporary credentials.
    assert.match(r.stderr, /^mfa-login: debug: ListAccessKeys for alice via http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(r.stderr, /^mfa-login: debug: CreateAccessKey for alice via http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(r.stderr, /^mfa-login: debug: DeleteAccessKey AKIAALICEXXX00000001 for alice via http:\/\/127\.0\.0\.1:\d+$/m);
    assert.ok(!sb.sts.log.some((e) => e.errorCode === 'ValidationError'), 'no call was refused for a missing UserName');
    // Every call rotate made is one the printed policy allows as made; its IAM calls only with MFA.
    const policy = identityPolicy((await sb.run(['policy', '--account', '111111111111'])).stdout);
    const made = sb.sts.log.filter((e) => e.status === 200);
    assert.deepEqual([...new Set(made.map((e) => e.action))].sort(), ['CreateAccessKey', 'DeleteAccessKey', 'GetCallerIdentity', 'GetSessionToken', 'ListAccessKeys']);
    for (const e of made) {
      assert.equal(evaluate(policy, requestOf(e, alice)), 'Allow', `${e.action} as made`);
      if (/AccessKey/.test(e.action)) assert.equal(evaluate(policy, { ...requestOf(e, alice), mfa: undefined }), 'Deny', `${e.action} without MFA`);
    }
    assert.match(r.stderr, /^Waiting for AWS to accept the new key AKIA[A-Z2-7]{16} \(new keys take a few seconds; at most 90 s\)\.\.\.$/m);
    assert.match(r.stdout, /^Rotated the access key of arn:aws:iam::111111111111:user\/alice \(profile alice\):\n  new key (AKIA[A-Z2-7]{16}), created \S+Z, stored in ~\/\.config\/mfa-login\/keys\.enc\n  old key AKIAALICEXXX00000001 deleted in IAM; 1 session made with it forgotten\n$/);
    const after = (await storedKeys(sb))!;
    assert.notEqual(after.accessKeyId, before.accessKeyId);
    assert.ok(r.stdout.includes(after.accessKeyId));
    assert.ok(!r.stdout.includes(after.secretAccessKey) && !r.stderr.includes(after.secretAccessKey), 'the new secret is never printed');

    const oldKey = await awsWhoAmI(sb, before);
    assert.notEqual(oldKey.status, 0);
    assert.match(oldKey.stderr, /InvalidClientTokenId/);
    const newKey = await awsWhoAmI(sb, after);
    assert.equal(newKey.status, 0, newKey.stderr);
    assert.equal(newKey.stdout.trim(), 'arn:aws:iam::111111111111:user/alice');

    // The age is remembered from IAM's CreateDate: status needs no network for it.
    const status = await sb.run(['status'], { env: FILE_CACHE });
    assert.match(status.stdout, /^alice +file +arn:aws:iam::111111111111:mfa\/alice +none +- +0d$/m, status.stdout);
    const login = await sb.run(['login', 'alice', '--mfa-token', await sb.code(alice)], { env: FILE_CACHE });
    assert.equal(login.status, 0, `the new key logs in: ${login.stderr}`);
  } finally {
    await sb.stop();
  }
});

test('rotate killed between create and store: the old key still works, doctor names the key left in IAM, and its hint removes it', async (t) => {
  const skip = needsAws();
  if (skip) return t.skip(skip);
  const { sb, alice } = await rotateSandbox();
  try {
    const before = (await storedKeys(sb))!;
    await rotateKilledAt(sb, await sb.code(alice), 'created');
    assert.deepEqual(await storedKeys(sb), before, 'the stored key is unchanged');
    assert.equal((await awsWhoAmI(sb, before)).status, 0, 'and works');

    const doctor = await sb.run(['doctor'], { env: FILE_CACHE });
    const m = /^warn {2}rotate alice was interrupted after IAM created (AKIA[A-Z2-7]{16}), before it was stored: the stored key AKIAALICEXXX00000001 still works, and \1 is left in IAM\n {6}fix: (mfa-login exec alice -- aws iam delete-access-key --user-name alice --access-key-id \1)$/m.exec(doctor.stdout);
    assert.ok(m, doctor.stdout);

    // At the two-key limit nothing is created, and the key that is not stored is named.
    sb.sts.resetCalls();
    const again = await sb.run(['rotate', 'alice', '--mfa-token', await sb.code(alice)], { env: FILE_CACHE });
    assert.equal(again.status, 6, again.stderr);
    assert.equal(sb.sts.calls.CreateAccessKey, undefined, 'nothing created');
    assert.equal(
      again.stderr,
      `mfa-login: alice already has two access keys, the most IAM allows: ${m[1]} (created ${/created (\S+Z), Active/.exec(again.stderr)?.[1]}, Active) is not the one stored for alice (AKIAALICEXXX00000001); nothing was created\n` +
        `  hint: if nothing uses it, delete it, then rotate again: ${m[2]}\n`,
    );

    // The hint works as printed (the AWS CLI given the MFA session by exec, which IAM answers only
    // with the user named); AWS CLI 2.9 predates AWS_ENDPOINT_URL, so it is pointed at the local
    // STS with --endpoint-url.
    const [, ...words] = m[2]!.split(' ');
    const asPrinted = words.map((w) => (w === 'aws' ? AWS_CLI : w));
    // The hint as it used to be, without --user-name, is refused as real IAM refuses it.
    const unnamed = asPrinted.filter((w, i) => w !== '--user-name' && asPrinted[i - 1] !== '--user-name');
    const refused = await sb.run([...unnamed, '--endpoint-url', sb.sts.url], { env: FILE_CACHE });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /An error occurred \(ValidationError\) when calling the DeleteAccessKey operation: Must specify userName when calling with non-User credentials/);
    const cleanup = await sb.run([...asPrinted, '--endpoint-url', sb.sts.url], { env: FILE_CACHE });
    assert.equal(cleanup.status, 0, cleanup.stderr);
    const rotated = await sb.run(['rotate', 'alice', '--mfa-token', await sb.code(alice)], { env: FILE_CACHE });
    assert.equal(rotated.status, 0, rotated.stderr);
    const clean = await sb.run(['doctor'], { env: FILE_CACHE });
    assert.doesNotMatch(clean.stdout, /interrupted/);
  } finally {
    await sb.stop();
  }
});

test('rotate killed between store and delete: the new key is stored and works, doctor says the old one may remain, rotate finishes it', async (t) => {
  const skip = needsAws();
  if (skip) return t.skip(skip);
  const { sb, alice } = await rotateSandbox();
  try {
    const before = (await storedKeys(sb))!;
    await rotateKilledAt(sb, await sb.code(alice), 'stored');
    const after = (await storedKeys(sb))!;
    assert.notEqual(after.accessKeyId, before.accessKeyId);
    assert.equal((await awsWhoAmI(sb, after)).status, 0, 'the stored (new) key works');
    assert.equal((await awsWhoAmI(sb, before)).status, 0, 'the old key is still in IAM');

    const doctor = await sb.run(['doctor'], { env: FILE_CACHE });
    assert.match(doctor.stdout, new RegExp(`^warn {2}rotate alice was interrupted after storing the new key ${after.accessKeyId}: the old key ${before.accessKeyId} may still be in IAM\\n {6}fix: mfa-login rotate alice {2}\\(deletes ${before.accessKeyId} and finishes\\)$`, 'm'), doctor.stdout);

    const finish = await sb.run(['rotate', 'alice', '--mfa-token', await sb.code(alice)], { env: FILE_CACHE });
    assert.equal(finish.status, 0, finish.stderr);
    assert.equal(finish.stdout, `Finished the interrupted rotation of alice: the old key ${before.accessKeyId} is deleted in IAM; ${after.accessKeyId} stays stored.\n`);
    assert.notEqual((await awsWhoAmI(sb, before)).status, 0, 'the old key is refused now');
    assert.deepEqual(await storedKeys(sb), after);
    assert.doesNotMatch((await sb.run(['doctor'], { env: FILE_CACHE })).stdout, /interrupted/);
  } finally {
    await sb.stop();
  }
});

test('key age: a key older than MFA_LOGIN_KEY_MAX_AGE_DAYS is flagged by status and doctor, with rotate as the fix', async () => {
  // A user without the MFA policy: add may list the keys and learns the CreateDate.
  const bob = { ...user('bob'), mfaPolicy: false, accessKeyCreated: '2020-01-01T00:00:00Z' };
  const sb = await new Sandbox([bob]).start();
  try {
    await sb.add('bob', bob);
    const days = Math.floor((Date.now() - Date.parse('2020-01-01T00:00:00Z')) / 86_400_000);
    const status = await sb.run(['status'], { env: FILE_CACHE });
    assert.match(status.stdout, new RegExp(`^bob +file +\\S+ +none +- +${days}d, rotate$`, 'm'), status.stdout);
    assert.match(status.stdout, new RegExp(`^The key of bob is ${days} days old \\(more than 90\\): replace it with: mfa-login rotate bob$`, 'm'));
    const doctor = await sb.run(['doctor'], { env: FILE_CACHE });
    assert.match(doctor.stdout, new RegExp(`^warn {2}key age: bob: AKIABOBXXXXX00000001 is ${days} days old, more than 90 \\(MFA_LOGIN_KEY_MAX_AGE_DAYS\\)\\n {6}fix: mfa-login rotate bob$`, 'm'), doctor.stdout);
    const relaxed = await sb.run(['status'], { env: { ...FILE_CACHE, MFA_LOGIN_KEY_MAX_AGE_DAYS: String(days + 1) } });
    assert.match(relaxed.stdout, new RegExp(`^bob +file +\\S+ +none +- +${days}d$`, 'm'), relaxed.stdout);
    const bad = await sb.run(['status'], { env: { ...FILE_CACHE, MFA_LOGIN_KEY_MAX_AGE_DAYS: 'ninety' } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^mfa-login: MFA_LOGIN_KEY_MAX_AGE_DAYS=ninety is not a whole number of days\n/);
  } finally {
    await sb.stop();
  }
});
