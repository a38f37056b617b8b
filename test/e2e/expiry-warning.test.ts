/**
 * The warning before the MFA session behind `serve` ends: once, at the predicted moment, with the
 * command that renews it (which works as printed), through the real notify-send to a notification
 * daemon on a private session bus (a stand-in that records what it is sent), and on stderr; only on
 * stderr without a desktop; moved, not given, when the session was renewed meanwhile.
 *
 * GetSessionToken's sessions last 15 minutes at least; the tests take 30-minute ones and move the
 * warning (10 minutes before the end in real use) to seconds after the start with a test hook.
 * Nothing waits a fixed time: each test waits for what it expects to see, within a bound.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MFA_LOGIN, ROOT, Sandbox, requireComponent, runCommand, user } from './harness.js';
import { commandsIn, notAsPrinted, runAsPrinted } from './hints.js';

const ROLE_ARN = 'arn:aws:iam::222222222222:role/Admin';
const SESSION_SECONDS = 1800;
const users = { ivy: user('ivy'), jack: user('jack'), kim: user('kim') };
/** A profile name a shell and the notification's markup must both be kept from reading. */
const ODD = "lee <dev> & 'co'";
const lee = user('lee');
let sb: Sandbox;
const started: ChildProcess[] = [];

const hasDbus = ['/usr/bin/dbus-run-session', '/usr/bin/notify-send', '/usr/bin/python3'].every(existsSync);

before(async () => {
  sb = await new Sandbox([...Object.values(users), lee]).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }] });
  for (const [name, u] of Object.entries(users)) await sb.add(name, u);
  await sb.add(ODD, lee);
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}[profile ivy-admin]\nrole_arn = ${ROLE_ARN}\nsource_profile = ivy\n`);
});
after(async () => {
  for (const c of started) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sb?.stop();
});

/** A long-running program in a process group of its own (killed at the end), with its output as it comes. */
function start(cmd: string, args: string[], env: Record<string, string>) {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out, closed };
}

/** Waits until `ok()` holds, looking every 100 ms, failing with `what` after `limitMs`. */
async function until(what: string, ok: () => boolean, limitMs = 90_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/** When `profile`'s MFA session ends, as `status --json` shows it. */
async function mfaExpiration(profile: string): Promise<number> {
  const r = await sb.run(['status', '--json']);
  const row = (JSON.parse(r.stdout) as Array<{ profile: string; mfaSession: { expiration: string } | null }>).find((x) => x.profile === profile);
  return Date.parse(row!.mfaSession!.expiration);
}

/** A notify-send that records its arguments, first on PATH. */
function recordingNotifySend(dir: string, record: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${record}'\n`, { mode: 0o755 });
  return `${dir}:${process.env.PATH}`;
}

/** What the full CLI says first, while the hook these tests set is set. */
const HOOK_WARNING = "mfa-login: warning: MFA_LOGIN_TEST_WARNING_LEAD_SECONDS is set, for mfa-login's own tests only: sessions, warnings or rotate do not behave as they should; unset MFA_LOGIN_TEST_WARNING_LEAD_SECONDS\n";

async function serve(profile: string, leadSeconds: number, env: Record<string, string | undefined>, extra: string[] = [], u = users[profile.replace(/-admin$/, '') as keyof typeof users]) {
  const code = await sb.code(u);
  const s = start(process.execPath, [MFA_LOGIN, 'serve', profile, '--duration', `${SESSION_SECONDS}`, '--shell', 'sh', ...extra], sb.env({
    MFA_LOGIN_MFA_TOKEN: code,
    MFA_LOGIN_TEST_WARNING_LEAD_SECONDS: String(leadSeconds),
    ...env,
  }));
  await until('serve is serving', () => /serving /.test(s.out.stderr) || s.child.exitCode !== null);
  assert.match(s.out.stderr, /serving /, s.out.stderr);
  assert.equal(s.out.stderr.split(HOOK_WARNING).length, 2, `the test hook is warned about, once:\n${s.out.stderr}`);
  return s;
}

test('a desktop notification through notify-send and the session bus, once, at the predicted moment, naming the profile and a renewing command that works', { skip: requireComponent(hasDbus, 'dbus-run-session, notify-send (libnotify-bin) or python3 with python3-dbus and python3-gi') }, async () => {
  const record = sb.file('notifications.jsonl');
  const daemon = start('/usr/bin/dbus-run-session', ['--', '/usr/bin/python3', path.join(ROOT, 'test/e2e/notification-daemon.py'), record], { PATH: process.env.PATH ?? '', HOME: sb.home });
  await until('the notification stand-in owns its name on its bus', () => daemon.out.stdout.includes('\n') || daemon.child.exitCode !== null, 30_000);
  const bus = daemon.out.stdout.trim();
  assert.match(bus, /^unix:/, daemon.out.stderr);

  const lead = SESSION_SECONDS - 5;
  const s = await serve('ivy-admin', lead, { DBUS_SESSION_BUS_ADDRESS: bus, DISPLAY: undefined, WAYLAND_DISPLAY: undefined });
  await until('a notification arrives', () => lines(record).length > 0);
  const due = (await mfaExpiration('ivy')) - lead * 1000;
  const [shown] = lines(record).map((l) => JSON.parse(l) as { app: string; summary: string; body: string; at: number });
  assert.ok(shown!.at >= due - 100, `notified at ${shown!.at}, not before the moment predicted, ${due}`);
  assert.equal(shown!.app, 'mfa-login');
  assert.match(shown!.summary, /ivy-admin/);
  assert.match(shown!.body, /MFA session behind ivy-admin ends at \d\d:\d\d\. Renew it now: mfa-login session ivy$/);
  await until('the same warning on stderr', () => /warning: the MFA session behind ivy-admin/.test(s.out.stderr));

  const [renew] = commandsIn(shown!.body);
  assert.equal(renew, 'mfa-login session ivy');
  const r = await runAsPrinted(sb, renew!);
  assert.equal(notAsPrinted(r), undefined);
  assert.equal(r.status, 0, r.stderr);

  process.kill(s.child.pid!, 'SIGTERM');
  assert.equal(await s.closed, 0, s.out.stderr);
  assert.equal(lines(record).length, 1, 'once');
  assert.equal(s.out.stderr.match(/warning: the MFA session/g)?.length, 1, s.out.stderr);
  process.kill(-daemon.child.pid!, 'SIGTERM');
  await daemon.closed;
});

test('without a desktop the warning is one line on stderr, and notify-send is not run', async () => {
  const record = sb.file('jack-notify-send.txt');
  const PATH = recordingNotifySend(sb.file('jack-bin'), record);
  const s = await serve('jack', SESSION_SECONDS - 3, { PATH, DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined });
  await until('the warning on stderr', () => /warning: the MFA session/.test(s.out.stderr));
  process.kill(s.child.pid!, 'SIGTERM');
  assert.equal(await s.closed, 0, s.out.stderr);
  const warnings = s.out.stderr.replace(HOOK_WARNING, '').split('\n').filter((l) => l.includes('warning'));
  assert.equal(warnings.length, 1, s.out.stderr);
  assert.match(warnings[0]!, /^mfa-login: warning: the MFA session of jack ends at \d\d:\d\d \(in \d+ min\); .*Renew it now: mfa-login session jack$/);
  assert.deepEqual(lines(record), [], 'no notify-send');
});

test('a session renewed meanwhile moves the warning to its own end instead of warning about the old one', async () => {
  const record = sb.file('kim-notify-send.txt');
  const PATH = recordingNotifySend(sb.file('kim-bin'), record);
  // Room for the renewal below before the warning is due: 20 s.
  const s = await serve('kim', SESSION_SECONDS - 20, { PATH, DISPLAY: ':99' }, ['--debug']);
  const logout = await sb.run(['logout', 'kim']);
  assert.equal(logout.status, 0, logout.stderr);
  const renewed = await sb.run(['session', 'kim'], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(users.kim) } });
  assert.equal(renewed.status, 0, renewed.stderr);
  await until('the warning moves', () => /was renewed; the warning moves/.test(s.out.stderr) || /warning: the MFA session/.test(s.out.stderr));
  process.kill(s.child.pid!, 'SIGTERM');
  assert.equal(await s.closed, 0, s.out.stderr);
  assert.doesNotMatch(s.out.stderr, /warning: the MFA session/);
  assert.deepEqual(lines(record), [], 'no notification');
});

test('a profile name with quotes, spaces and markup: the renewing command is quoted for a shell and works as printed; the notification shows the name as written', async () => {
  const dir = sb.file('lee-bin');
  const record = sb.file('lee-notify-send.txt');
  const PATH = recordingNotifySend(dir, record);
  // The body, notify-send's last argument, as it was given.
  writeFileSync(path.join(dir, 'notify-send'), `#!/bin/sh\nfor a; do body=$a; done\nprintf '%s\\n' "$body" >> '${record}'\n`, { mode: 0o755 });
  writeFileSync(path.join(dir, 'mfa-login'), `#!/bin/sh\nexec '${process.execPath}' '${MFA_LOGIN}' "$@"\n`, { mode: 0o755 });
  const s = await serve(ODD, SESSION_SECONDS - 3, { PATH, DISPLAY: ':99' }, [], lee);
  await until('the notification', () => lines(record).length > 0);
  await until('the warning on stderr', () => /warning: the MFA session/.test(s.out.stderr));
  process.kill(s.child.pid!, 'SIGTERM');
  assert.equal(await s.closed, 0, s.out.stderr);
  const renew = "mfa-login session 'lee <dev> & '\\''co'\\'''";
  const warning = s.out.stderr.split('\n').find((l) => l.includes('warning: the MFA session'))!;
  assert.ok(warning.endsWith(`Renew it now: ${renew}`), warning);
  // The daemon reads the body as markup: what it shows is the text with &lt; &gt; &amp; read back.
  const [body] = lines(record);
  assert.doesNotMatch(body!, /<|&(?!lt;|gt;|amp;)/, 'markup of its own in the body');
  const shown = body!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  assert.ok(shown.startsWith(`the MFA session of ${ODD} ends at `), shown);
  assert.ok(shown.endsWith(`. Renew it now: ${renew}`), shown);
  // Pasted into a shell, the command renews this profile's session (and not one named "lee").
  const r = await runCommand('/bin/sh', ['-c', renew], sb.env({ PATH }));
  assert.equal(r.status, 0, r.stderr);
});
