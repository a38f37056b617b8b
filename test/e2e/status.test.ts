import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, ADMIN_ROLE, Sandbox, user, userAndAdminConfig, type RunResult } from './harness.js';
import { formatLeft, formatStatusTable, type StatusRow } from '../../src/cli/commands/status.js';

const alice = user('alice');
const CONFIG = `${userAndAdminConfig(alice)}
[profile broken]
role_arn = ${ADMIN}
source_profile = nobody
`;
const ESC = '\x1b';

let sb: Sandbox;
// The cache mode is pinned: these tests read and edit the cache files.
const run = (args: string[], input?: string): Promise<RunResult> => sb.run(args, { env: { MFA_LOGIN_CACHE: 'file' }, ...(input !== undefined ? { input } : {}) });

before(async () => {
  sb = await new Sandbox([alice]).start({ roles: [ADMIN_ROLE] });
  sb.write('.aws/config', CONFIG);
  const added = await run(['add', 'alice'], `${alice.accessKeyId}\n${alice.secretAccessKey}\n`);
  assert.equal(added.status, 0, added.stderr);
});
after(async () => sb.stop());

test('status with nothing cached says how to start a session; with nothing at all, how to add keys', async () => {
  const r = await run(['status']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Key store: +file, ~\/\.config\/mfa-login\/keys\.enc\nSession cache: +file, ~\/\.cache\/mfa-login\n\n/);
  assert.match(r.stdout, /^alice +file +arn:aws:iam::111111111111:mfa\/alice +none +- +unknown$/m);
  assert.match(r.stdout, /^alice-admin +via alice +arn:aws:iam::111111111111:mfa\/alice +none +none +-$/m);
  assert.match(r.stdout, /^broken +cannot resolve: profile broken names source_profile nobody, which is not defined/m);
  assert.match(r.stdout, /\nNo sessions cached\. Start one with: mfa-login login alice /);
  assert.match(r.stdout, /run: mfa-login doctor\n$/);

  const empty = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-status-'));
  try {
    const none = await sb.run(['status'], { env: { HOME: empty, MFA_LOGIN_CACHE: 'file' } });
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /\n\nNo profiles with stored keys or sessions\. Store an IAM user's keys with: mfa-login add PROFILE\n$/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('after a login and a role session: the table shows the device and the time left, piped without colour; --json has no secret', async () => {
  const login = await run(['login', 'alice', '--mfa-token', await sb.code(alice)]);
  assert.equal(login.status, 0, login.stderr);
  const cp = await run(['credential-process', 'alice-admin']);
  assert.equal(cp.status, 0, cp.stderr);

  const r = await run(['status']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(ESC), 'no ANSI escapes when stdout is a pipe');
  assert.match(r.stdout, /^PROFILE +KEYS +MFA DEVICE +MFA SESSION +ROLE SESSION +KEY AGE$/m);
  // Under the MFA policy `add` may not list the keys, so the age is not known until a rotate.
  assert.match(r.stdout, /^alice +file +arn:aws:iam::111111111111:mfa\/alice +█{8} 11h 5\dm +- +unknown$/m);
  assert.match(r.stdout, /^alice-admin +via alice +arn:aws:iam::111111111111:mfa\/alice +█{8} 11h 5\dm +█{7,8} 5\dm +-$/m);
  assert.doesNotMatch(r.stdout, /No sessions cached/);

  const j = await run(['status', '--json']);
  assert.equal(j.status, 0, j.stderr);
  const rows = JSON.parse(j.stdout) as Array<Record<string, any>>;
  const a = rows.find((x) => x.profile === 'alice')!;
  assert.equal(a.kind, 'user');
  assert.equal(a.keyStore, 'file');
  assert.equal(a.keysStored, true);
  assert.equal(a.mfaSerial, 'arn:aws:iam::111111111111:mfa/alice');
  assert.ok(a.mfaSession.secondsLeft > 11 * 3600 && a.mfaSession.secondsLeft <= 12 * 3600);
  assert.match(a.mfaSession.accessKeyId, /^ASIA/);
  assert.equal(a.roleSession, null);
  const admin = rows.find((x) => x.profile === 'alice-admin')!;
  assert.equal(admin.kind, 'role');
  assert.equal(admin.source, 'alice');
  assert.equal(admin.roleArn, ADMIN);
  assert.ok(admin.roleSession.secondsLeft > 50 * 60);
  const broken = rows.find((x) => x.profile === 'broken')!;
  assert.deepEqual(Object.keys(broken), ['profile', 'error']);
  assert.match(broken.error, /names source_profile nobody, which is not defined/);

  const creds = sb.read('.aws/credentials')!;
  const secrets = [
    alice.secretAccessKey,
    /aws_secret_access_key = (\S+)/.exec(creds)![1]!,
    /aws_session_token = (\S+)/.exec(creds)![1]!,
    JSON.parse(cp.stdout).SecretAccessKey as string,
    JSON.parse(cp.stdout).SessionToken as string,
  ];
  for (const s of secrets) {
    assert.ok(!j.stdout.includes(s), 'status --json must not contain a secret key or session token');
    assert.ok(!r.stdout.includes(s), 'status must not contain a secret key or session token');
  }
});

test('a session past its expiry shows as expired', async () => {
  const dir = sb.file('.cache/mfa-login');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, f);
    const text = readFileSync(file, 'utf8');
    if (!text.includes('"mfa-session"')) continue;
    writeFileSync(file, text.replace(/"expiration":"[^"]+"/, '"expiration":"2020-01-01T00:00:00.000Z"'));
  }
  const r = await run(['status']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^alice +file +\S+ +expired +- +unknown$/m);
  const rows = JSON.parse((await run(['status', '--json'])).stdout) as Array<Record<string, any>>;
  assert.equal(rows.find((x) => x.profile === 'alice')!.mfaSession.expired, true);
  assert.equal(rows.find((x) => x.profile === 'alice')!.mfaSession.secondsLeft, 0);
});

const session = (secondsLeft: number) => ({ expiration: '2030-01-01T00:00:00Z', secondsLeft, expired: secondsLeft <= 0, accessKeyId: 'ASIAEXAMPLE' });
const row = (mfaLeft: number, roleLeft: number | null): StatusRow => ({
  profile: roleLeft === null ? 'p' : 'p-admin',
  kind: roleLeft === null ? 'user' : 'role',
  source: 'p',
  keyStore: 'keychain',
  keysStored: true,
  mfaSerial: 'arn:aws:iam::111111111111:mfa/p',
  mfaSession: session(mfaLeft),
  roleArn: roleLeft === null ? null : ADMIN,
  roleSession: roleLeft === null ? null : session(roleLeft),
});

test('colours: green above an hour, yellow above 15 minutes, red below; none without colour', () => {
  for (const [left, code] of [
    [5 * 3600, '32'],
    [30 * 60, '33'],
    [10 * 60, '31'],
    [0, '31'],
  ] as const) {
    const out = formatStatusTable([row(left, null)], { color: true, now: 0 });
    assert.ok(out.includes(`${ESC}[${code}m`), `${left}s left should use colour ${code}: ${JSON.stringify(out)}`);
  }
  const plain = formatStatusTable([row(5 * 3600, 1800), { profile: 'x', error: 'source_profile loop: x -> x' }], { color: false, now: 0 });
  assert.ok(!plain.includes(ESC));
  assert.match(plain, /^p-admin +via p +arn:aws:iam::111111111111:mfa\/p +███░░░░░ 5h 0m +████░░░░ 30m +-$/m);
  assert.match(plain, /^x +cannot resolve: source_profile loop: x -> x$/m);
});

test('time left reads as hours and minutes', () => {
  const cases: Array<[number, string]> = [
    [5 * 3600_000 + 12 * 60_000 + 59_000, '5h 12m'],
    [3600_000, '1h 0m'],
    [59 * 60_000, '59m'],
    [42_000, '42s'],
    [-5, '0s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatLeft(ms), text);
});
