/**
 * `exec --ensure DURATION`: before the command starts, the session it depends on must last that
 * long, else a code is asked for now, while the user is at the terminal, not when the run is an
 * hour in. Each test has its own user: each spends codes of its own.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, user, type TestUser } from './harness.js';
import { commandsIn, runAsPrinted } from './hints.js';

const ROLE_ARN = 'arn:aws:iam::222222222222:role/Admin';
const users = { dave: user('dave'), erin: user('erin'), frank: user('frank'), gina: user('gina'), hank: user('hank'), ivy: { ...user('ivy'), root: true } };
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox(Object.values(users)).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }] });
  for (const [name, u] of Object.entries(users)) await sb.add(name, u);
  // IAM lists no MFA device for the root user: its profile names it, as its owner would.
  const config = sb.read('.aws/config') ?? '';
  if (!config.includes(users.ivy.mfaDevices[0]!.serial)) sb.write('.aws/config', config.replace('[profile ivy]\n', `[profile ivy]\nmfa_serial = ${users.ivy.mfaDevices[0]!.serial}\n`));
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}[profile frank-admin]\nrole_arn = ${ROLE_ARN}\nsource_profile = frank\n[profile gina-long]\nrole_arn = ${ROLE_ARN}\nsource_profile = gina\nduration_seconds = 7200\n`);
});
after(async () => sb?.stop());

/** Seconds left of `profile`'s MFA session, as `status --json` shows it. */
async function mfaSecondsLeft(profile: string): Promise<number> {
  const r = await sb.run(['status', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as Array<{ profile: string; mfaSession: { secondsLeft: number } | null }>).find((x) => x.profile === profile);
  assert.ok(row?.mfaSession, `status --json shows an MFA session for ${profile}: ${r.stdout}`);
  return row.mfaSession.secondsLeft;
}

/** A command that prints a word: it ran. */
const ECHO = [process.execPath, '-e', 'process.stdout.write("ran")'];

async function sessionOf(profile: string, u: TestUser, duration: string): Promise<void> {
  const r = await sb.run(['session', profile, '--duration', duration], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(u) } });
  assert.equal(r.status, 0, r.stderr);
}

test('exec --ensure 3h with an MFA session of 1 h left asks for a code before the command runs, and gets a session of 3 h or more', async () => {
  await sessionOf('dave', users.dave, '1h');
  assert.ok((await mfaSecondsLeft('dave')) <= 3600);
  const before = sb.sts.calls.GetSessionToken ?? 0;

  // No code to be had: it fails before the command starts.
  const refused = await sb.run(['exec', '--ensure', '3h', 'dave', '--', ...ECHO]);
  assert.equal(refused.status, 5, refused.stderr);
  assert.equal(refused.stdout, '', 'the command did not run');
  assert.match(refused.stderr, /code/);

  const r = await sb.run(['exec', '--ensure', '3h', 'dave', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(users.dave) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran');
  assert.equal(sb.sts.calls.GetSessionToken, before + 1, 'one new MFA session');
  assert.ok((await mfaSecondsLeft('dave')) >= 3 * 3600, 'it lasts 3 h at least');
});

test('exec --ensure 2h with 12 h left asks for nothing', async () => {
  await sessionOf('erin', users.erin, '12h');
  const before = { ...sb.sts.calls };
  const r = await sb.run(['exec', '--ensure', '2h', 'erin', '--', ...ECHO]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran');
  assert.equal(r.stderr, '');
  assert.deepEqual(sb.sts.calls, before, 'no STS call at all');
});

test('exec --server --ensure 3h of a role: the MFA session behind it is made to last 3 h first', async () => {
  await sessionOf('frank', users.frank, '1h');
  const before = sb.sts.calls.GetSessionToken ?? 0;
  const r = await sb.run(['exec', '--server', '--ensure', '3h', 'frank-admin', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(users.frank) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran');
  assert.equal(sb.sts.calls.GetSessionToken, before + 1);
  assert.ok((await mfaSecondsLeft('frank')) >= 3 * 3600);
});

test('exec --ensure 40h fails with one line and a hint before any code, naming the longest session', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['exec', '--ensure', '40h', 'gina', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: '123456' } });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'mfa-login: --ensure 40h is too long: no MFA session lasts longer than 36 hours (129600)\n  hint: use a duration from 1m to 36h, e.g. --ensure 2h\n');
  assert.deepEqual(sb.sts.calls, {}, 'nothing asked of STS');
});

test('plain exec --ensure 2h of a chained role is refused before any code: its keys last an hour; the hint names --server', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['exec', '--ensure', '2h', 'frank-admin', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: '123456' } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--ensure 2h: the keys exec gives frank-admin last at most 1h/);
  assert.match(r.stderr, /mfa-login exec --server --ensure 2h frank-admin -- COMMAND/);
  assert.deepEqual(sb.sts.calls, {});
});

test('exec --server --ensure 13h with a 12 h session and no terminal says --ensure is why a code is needed, and its hint makes a session the retry takes', async () => {
  await sessionOf('hank', users.hank, '12h');
  const ensured = ['exec', '--server', '--ensure', '13h', 'hank', '--', ...ECHO];
  const refused = await sb.run(ensured);
  assert.equal(refused.status, 5, refused.stderr);
  assert.equal(refused.stdout, '', 'the command did not run');
  const [message, hint, ...rest] = refused.stderr.trim().split('\n');
  assert.deepEqual(rest, [], refused.stderr);
  assert.match(message!, /^mfa-login: an MFA code is needed for hank \(--ensure 13h wants a session that lasts 13h more, and none cached does\) and there is no terminal to ask on$/);
  assert.match(hint!, /^  hint: .*mfa-login exec --server --ensure 13h hank -- true/);
  // `session hank` would hand back the 12 h session: the hint's command, with the code a terminal would take, makes one of 13 h.
  const [command, ...others] = commandsIn(hint!);
  assert.deepEqual(others, []);
  const made = await runAsPrinted(sb, command!, { MFA_LOGIN_MFA_TOKEN: await sb.code(users.hank) });
  assert.equal(made.status, 0, made.stderr);
  const r = await sb.run(ensured);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran');
});

test('exec --ensure 2h as the root user: STS gives an hour; exit 6 after the code, with a hint the cached session meets', async () => {
  const r = await sb.run(['exec', '--ensure', '2h', 'ivy', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(users.ivy) } });
  assert.equal(r.status, 6, r.stderr);
  assert.equal(r.stdout, '', 'the command did not run');
  assert.match(r.stderr, /^mfa-login: --ensure 2h: STS gave ivy a session that ends at \S+, sooner \(the account's root user gets at most 1 hour\)\n  hint: the session is cached: --ensure (\d+m) or less takes it without a code; an IAM user's keys get sessions of up to 36h\n$/);
  const less = /--ensure (\d+m) or less/.exec(r.stderr)![1]!;
  const again = await sb.run(['exec', '--ensure', less, 'ivy', '--', ...ECHO]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, 'ran');
});

test('exec --server --ensure 3h of a role assumed with a code for 2h: refused before any code, with a hint', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['exec', '--server', '--ensure', '3h', 'gina-long', '--', ...ECHO], { env: { MFA_LOGIN_MFA_TOKEN: '123456' } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'mfa-login: --ensure 3h: the session of gina-long lasts at most 2h (its duration_seconds; the role is assumed with a code)\n  hint: use --ensure 2h or less, or raise duration_seconds in [profile gina-long] (a role allows at most 12h)\n');
  assert.deepEqual(sb.sts.calls, {});
});
