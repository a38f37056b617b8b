/** The standalone runner (main.ts) as a child process, and the AWS CLI v2 as a client of it. */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { totp } from '../../src/mfa/totp.js';
import { ADMIN, ALICE, ALICE_SEED, ALICE_SERIAL, aliceKeys, ROLES, type Keys } from './harness.js';

const MAIN = fileURLToPath(new URL('../../src/aws-stand-in/main.js', import.meta.url));
const AWS_CLI = '/usr/bin/aws';
// On CI the CLI is part of the test image: its absence is a failure there, not a skip.
const SKIP_CLI = !existsSync(AWS_CLI) && process.env.CI !== 'true' ? `${AWS_CLI} is not installed` : false;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startRunner(fixturePath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, fixturePath], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`runner printed nothing in 5 s; stderr: ${err}`)), 5000);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve({ child, url: (JSON.parse(out.slice(0, newline)) as { url: string }).url });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runner exited with ${code}: ${err}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

describe('the standalone runner', () => {
  let dir: string;
  let fixture: string;
  let runner: { child: ChildProcess; url: string };
  let home: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-sts-'));
    home = join(dir, 'home');
    fixture = join(dir, 'fixture.json');
    writeFileSync(fixture, JSON.stringify({ users: [ALICE], roles: ROLES }));
    runner = await startRunner(fixture);
  });
  after(async () => {
    if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The AWS CLI with only the given keys: no config files, no profile, no instance metadata. */
  function aws(keys: Keys, ...args: string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    };
    if (keys.sessionToken) env.AWS_SESSION_TOKEN = keys.sessionToken;
    const argv = [...args, '--endpoint-url', runner.url, '--region', 'us-east-1', '--output', 'json'];
    return new Promise((resolve) => {
      execFile(AWS_CLI, argv, { env, timeout: 15_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('prints its URL as one JSON line and answers the SDK', async () => {
    assert.match(runner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new STSClient({ endpoint: runner.url, region: 'us-east-1', credentials: aliceKeys, maxAttempts: 1 });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    assert.equal(identity.Arn, 'arn:aws:iam::111111111111:user/alice');
  });

  test('the AWS CLI v2 (botocore) works against it', { skip: SKIP_CLI }, async () => {
    // A session made through the SDK, so that every CLI call can run at once: each costs a second of Python start-up.
    const sdk = new STSClient({ endpoint: runner.url, region: 'us-east-1', credentials: aliceKeys, maxAttempts: 1 });
    const out = await sdk.send(
      new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, Date.now()), DurationSeconds: 900 }),
    );
    sdk.destroy();
    const c = out.Credentials!;
    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };

    const [identity, role, devices, badSecret] = await Promise.all([
      aws(aliceKeys, 'sts', 'get-caller-identity'),
      // botocore signs X-Amz-Security-Token in; the chain continues from the MFA session.
      aws(session, 'sts', 'assume-role', '--role-arn', ADMIN, '--role-session-name', 'cli', '--source-identity', 'alice'),
      aws(aliceKeys, 'iam', 'list-mfa-devices'),
      aws({ ...aliceKeys, secretAccessKey: 'not/the+secret' }, 'sts', 'get-caller-identity'),
    ]);

    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(JSON.parse(identity.stdout).Arn, 'arn:aws:iam::111111111111:user/alice');

    assert.equal(role.code, 0, role.stderr);
    const assumed = JSON.parse(role.stdout);
    assert.equal(assumed.AssumedRoleUser.Arn, 'arn:aws:sts::222222222222:assumed-role/Admin/cli');
    assert.equal(assumed.SourceIdentity, 'alice');
    assert.match(assumed.Credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    assert.equal(devices.code, 0, devices.stderr);
    assert.equal(JSON.parse(devices.stdout).MFADevices[0].SerialNumber, ALICE_SERIAL);

    assert.equal(badSecret.code, 254);
    assert.match(
      badSecret.stderr,
      /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match/,
    );
  });

  test('stops cleanly on SIGTERM', async () => {
    runner.child.kill('SIGTERM');
    assert.deepEqual(await exitOf(runner.child), { code: 0, signal: null });
  });

  test('refuses a fixture it cannot read, saying why', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"users": 3}');
    const child = spawn(process.execPath, [MAIN, bad], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    assert.deepEqual(await exitOf(child), { code: 2, signal: null });
    assert.match(stderr, /cannot read fixture .*bad\.json: "users" must be an array/);
  });
});
