import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MFA_ENV, MFA_LOGIN, ROOT, Sandbox, runCommand, settled, user, type RunResult } from './harness.js';
import { encodeEntry, entryFile } from '../../src/session-store/entry.js';
import { waitFor, alive } from '../session-store/helpers.js';

/**
 * The session directory as an attacker on the same machine would meet it: pre-created by another
 * user with a planted session in it, left open, or a symbolic link. The cached path and the full
 * CLI refuse it with one line and exit 8, and never hand out what is inside.
 */
const hana = user('hana');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const PLANTED = 'ASIAPLANTEDBYMALLORY';
const FAST = path.join(ROOT, 'dist/bundle/fast.cjs');
let sb: Sandbox;

before(async () => {
  // Codes are not what these tests are about: the STS takes one again, so none waits for the next TOTP step.
  sb = await new Sandbox([hana]).start({ roles: [{ roleArn: ROLE, requireMfa: true }], allowCodeReuse: true });
  await sb.add('hana', hana);
  sb.write('.aws/config', `[profile hana]\nmfa_serial = ${hana.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = hana\n`);
});
after(() => sb.stop());

/** The entry the cached path would read for `prod`: the key the CLI itself used, taken from its own cache. */
async function plantedKeyFor(dir: string): Promise<string> {
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(hana)], { env: { MFA_LOGIN_CACHE: 'file', MFA_LOGIN_CACHE_DIR: dir } });
  assert.equal(r.status, 0, r.stderr);
  const role = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .find((e) => e.kind === 'role');
  rmSync(dir, { recursive: true, force: true });
  return role.key as string;
}

function plant(dir: string, key: string, owner: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const e = JSON.parse(encodeEntry(key, { kind: 'role', profiles: ['prod'], subject: ROLE, credentials: { accessKeyId: PLANTED, secretAccessKey: 'mallory/secret', sessionToken: 'mallorytoken', expiration: new Date(Date.now() + 3600_000) } }));
  writeFileSync(entryFile(dir, key), JSON.stringify(e), { mode: 0o600 });
  chownSync(entryFile(dir, key), owner, owner);
  chownSync(dir, owner, owner);
}

for (const mode of ['runtime', 'file'] as const) {
  test(`${mode} mode: a session directory planted by another user is refused by the cached path and the full CLI, and nothing in it is used`, async () => {
    const key = await plantedKeyFor(sb.file('probe-cache'));
    const dir = mode === 'runtime' ? path.join(sb.runtime, 'mfa-login') : sb.file('.cache/mfa-login');
    rmSync(dir, { recursive: true, force: true });
    plant(dir, key, 65534);
    for (const [bin, args] of [[undefined, ['credential-process', 'prod']], [MFA_ENV, ['prod']], [undefined, ['prod', '--mfa-token', '000000']]] as const) {
      const r = await sb.run([...args], { env: { MFA_LOGIN_CACHE: mode }, ...(bin ? { bin } : {}) });
      assert.equal(r.status, 8, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^mfa-(login|env): the session directory ${dir} belongs to user id 65534, not to you \\(0\\); refusing to use it\\n  hint: `));
      assert.ok(!r.stderr.includes(PLANTED) && !r.stdout.includes(PLANTED));
    }
    rmSync(dir, { recursive: true, force: true });
  });
}

test('a session directory open to others, or a symbolic link, is refused with one line and exit 8', async () => {
  const dir = path.join(sb.runtime, 'mfa-login');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o755);
  let r = await sb.run(['credential-process', 'prod']);
  assert.equal(r.status, 8, r.stderr);
  assert.match(r.stderr, /the session directory \S+ is open to other users \(mode 755\); refusing to use it\n  hint: if nobody else has used it: chmod 700 \S+\n$/);
  rmSync(dir, { recursive: true, force: true });
  const elsewhere = sb.file('elsewhere');
  mkdirSync(elsewhere, { mode: 0o700 });
  symlinkSync(elsewhere, dir);
  r = await sb.run(['credential-process', 'prod']);
  assert.equal(r.status, 8, r.stderr);
  assert.match(r.stderr, /the session directory \S+ is a symbolic link; refusing to use it\n/);
  // Another user's link in a sticky /dev/shm is theirs to remove: the hint says so.
  lchownSync(dir, 65534, 65534);
  r = await sb.run(['credential-process', 'prod']);
  assert.equal(r.status, 8, r.stderr);
  assert.match(r.stderr, /the session directory \S+ belongs to user id 65534, not to you \(0\); refusing to use it\n  hint: someone else made it: have it removed \(as root: rm -r /);
  rmSync(dir, { force: true });
});

test('a session directory inside a parent another user owns, or anyone may write to without the sticky bit, is refused: it could be swapped after the check', async () => {
  for (const [owner, mode, pattern, group] of [
    [65534, 0o777, /is inside \S+, which belongs to user id 65534: they could swap it for their own; refusing to use it/],
    [0, 0o777, /is inside \S+, which other users can write to: they could swap it for their own; refusing to use it/],
    // Group-writable for a group of others (not the user's own primary group), as a shared
    // project directory is.
    [0, 0o2775, /is inside \S+, which other users can write to: they could swap it for their own; refusing to use it/, 65534],
  ] as const) {
    const shared = sb.file(`shared-runtime-${owner}-${mode.toString(8)}`);
    mkdirSync(shared, { mode: 0o700 });
    chmodSync(shared, mode);
    chownSync(shared, owner, group ?? owner);
    const r = await sb.run(['session', 'prod', '--mfa-token', '000000'], { env: { XDG_RUNTIME_DIR: shared, MFA_LOGIN_CACHE: 'runtime' } });
    assert.equal(r.status, 8, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(shared), [], 'nothing of ours was put there');
    rmSync(shared, { recursive: true, force: true });
  }
});

test('another user\'s directory where the runtime sessions would be does not stop a logout in the file mode: a warning names it', async () => {
  const squat = path.join(sb.runtime, 'mfa-login');
  rmSync(squat, { recursive: true, force: true });
  mkdirSync(squat, { mode: 0o700 });
  chownSync(squat, 65534, 65534);
  const env = { MFA_LOGIN_CACHE: 'file' };
  try {
    const login = await sb.run(['hana', '--mfa-token', await sb.code(hana)], { env });
    assert.equal(login.status, 0, login.stderr);
    assert.match(sb.read('.aws/credentials') ?? '', /\[hana\]/);
    const warning = `mfa-login: warning: the session directory ${squat} belongs to user id 65534, not to you (0); refusing to use it\n  hint: someone else made it: have it removed (as root: rm -r ${squat}), or meanwhile keep sessions in a directory of yours: export MFA_LOGIN_CACHE=file MFA_LOGIN_CACHE_DIR="$HOME/.cache/mfa-login-private"\n`;
    const logout = await sb.run(['logout', 'hana'], { env });
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(logout.stderr, warning);
    assert.doesNotMatch(sb.read('.aws/credentials') ?? '', /\[hana\]/, 'the written session is taken out');
    // The user's own directory, opened to others, may hold sessions: that stays an error.
    chownSync(squat, 0, 0);
    chmodSync(squat, 0o755);
    const own = await sb.run(['logout', '--all'], { env });
    assert.equal(own.status, 8, own.stderr);
    assert.match(own.stderr, /^mfa-login: the session directory \S+ is open to other users \(mode 755\); refusing to use it\n/);
  } finally {
    rmSync(squat, { recursive: true, force: true });
  }
});

/**
 * Runs the built CLI as a user with no XDG_RUNTIME_DIR (cron, ssh without logind, su) would, but
 * with a /dev/shm of the test's own: each call gets a mount namespace of its own with `shm` bound
 * over /dev/shm, so /dev/shm/mfa-login-<uid> is the real name and the machine's own is never touched.
 */
function inOwnShm(shm: string, argv: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /dev/shm && exec "$@"', shm, process.execPath, ...argv], sb.env({ XDG_RUNTIME_DIR: undefined, ...env }));
}

const asNobody = (...argv: string[]) => execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv]);

test('/dev/shm/mfa-login-<uid> made first by another user: the sessions go to a stand-in of the user\'s, which the cached path finds too, with one warning, and nothing in the other user\'s directory is read', { skip: process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'a mount namespace and another user need root' : false }, async (t) => {
  const shm = mkdtempSync('/dev/shm/mfa-login-e2e-shm-');
  chmodSync(shm, 0o1777);
  t.after(() => rmSync(shm, { recursive: true, force: true }));
  const uid = process.getuid!();
  const name = `mfa-login-${uid}`;
  const squat = `/dev/shm/${name}`;
  asNobody('mkdir', '-m', '700', path.join(shm, name));
  const warning = (standIn: string) => `mfa-login: warning: ${squat} belongs to nobody (user id 65534), not to you; sessions are kept in ${standIn} instead (to have it back: as root, rm -r ${squat})\n`;
  const standInPattern = new RegExp(`^mfa-login: warning: ${squat} belongs to nobody \\(user id 65534\\), not to you; sessions are kept in (${squat}-[0-9a-f]{16}) instead \\(to have it back: as root, rm -r ${squat}\\)\\n$`);
  const cli = (args: string[], bin = MFA_LOGIN) => inOwnShm(shm, [bin, ...args]);
  const fast = (tool: string, args: string[]) => inOwnShm(shm, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(tool)}, ${JSON.stringify(args)}) ? 0 : 9`], { SHELL: '/bin/bash' });
  await settled();

  const first = await cli(['credential-process', 'prod', '--mfa-token', await sb.code(hana)]);
  assert.equal(first.status, 0, first.stderr);
  const standIn = standInPattern.exec(first.stderr)?.[1];
  assert.ok(standIn !== undefined, `one line names the other user's directory, its owner and the stand-in: ${first.stderr}`);
  const standInHere = path.join(shm, path.basename(standIn));
  assert.equal(statSync(standInHere).mode & 0o7777, 0o700);
  assert.equal(readFileSync(sb.file('.cache/mfa-login/runtime-dir'), 'utf8'), `${standIn.slice(squat.length + 1)}\n`, 'the pointer, in a directory only the user can write');

  // What the other user would plant: the route and the entry the cached path would follow, with their own keys.
  const squatHere = path.join(shm, name);
  for (const f of readdirSync(standInHere)) {
    const text = readFileSync(path.join(standInHere, f), 'utf8');
    writeFileSync(path.join(squatHere, f), f.startsWith('route-') ? text : text.replace(/"accessKeyId":"[^"]*"/, `"accessKeyId":"${PLANTED}"`), { mode: 0o600 });
    chownSync(path.join(squatHere, f), 65534, 65534);
  }
  const planted = Object.fromEntries(readdirSync(squatHere).map((f) => [f, readFileSync(path.join(squatHere, f), 'utf8')]));
  assert.ok(Object.keys(planted).some((f) => f.startsWith('route-')) && Object.values(planted).some((t) => t.includes(PLANTED)));

  // The next call is a cache hit in the stand-in: the same answer, with no code, and quiet.
  const second = await cli(['credential-process', 'prod']);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  assert.equal(second.stderr, '', 'the cached path does not repeat the warning');
  for (const [tool, args] of [['mfa-login', ['credential-process', 'prod']], ['mfa-env', ['prod']]] as const) {
    const r = await fast(tool, [...args]);
    assert.equal(r.status, 0, `${tool} ${args.join(' ')}: the fast path handed over (${r.stderr})`);
    assert.ok(!r.stdout.includes(PLANTED));
  }
  const full = await cli(['credential-process', 'prod', '--debug']);
  assert.equal(full.status, 0, full.stderr);
  assert.equal(full.stdout, first.stdout);
  assert.equal(full.stderr.split(warning(standIn)).length, 2, 'the full path warns once');
  assert.match(full.stderr, /debug: using the cached session of/);
  assert.ok(!`${first.stdout}${second.stdout}${full.stdout}${full.stderr}`.includes(PLANTED), 'nothing planted was used');
  assert.deepEqual(Object.fromEntries(readdirSync(squatHere).map((f) => [f, readFileSync(path.join(squatHere, f), 'utf8')])), planted, 'nothing was written there');

  // logout reaches the sessions in the stand-in.
  const logout = await cli(['logout', '--all']);
  assert.equal(logout.status, 0, logout.stderr);
  assert.equal(logout.stderr, warning(standIn));
  assert.equal((await fast('mfa-login', ['credential-process', 'prod'])).status, 9, 'forgotten');

  // After a reboot the other user may take the stand-in's name too (it was listed): another is made.
  rmSync(standInHere, { recursive: true });
  asNobody('mkdir', '-m', '700', standInHere);
  const status = await cli(['status']);
  assert.equal(status.status, 0, status.stderr);
  const next = standInPattern.exec(status.stderr)?.[1];
  assert.ok(next !== undefined && next !== standIn, status.stderr);
  assert.match(status.stdout, new RegExp(`^Session cache: runtime, ${next}$`, 'm'));
  assert.equal(readFileSync(sb.file('.cache/mfa-login/runtime-dir'), 'utf8'), `${next.slice(squat.length + 1)}\n`);
});

test('processes that meet a squatted /dev/shm/mfa-login-<uid> at once agree on one stand-in', { skip: process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'a mount namespace and another user need root' : false }, async (t) => {
  const shm = mkdtempSync('/dev/shm/mfa-login-e2e-shm-');
  chmodSync(shm, 0o1777);
  t.after(() => rmSync(shm, { recursive: true, force: true }));
  const name = `mfa-login-${process.getuid!()}`;
  asNobody('mkdir', '-m', '700', path.join(shm, name));
  rmSync(sb.file('.cache/mfa-login/runtime-dir'), { force: true });
  const runs = await Promise.all(Array.from({ length: 6 }, () => inOwnShm(shm, [MFA_LOGIN, 'status'])));
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const named = new Set(runs.map((r) => /^Session cache: runtime, (\S+)$/m.exec(r.stdout)?.[1]));
  assert.equal(named.size, 1, [...named].join(', '));
  assert.deepEqual(readdirSync(shm).sort(), [name, path.basename([...named][0]!)].sort(), 'no stand-in left over');
});

test('a relative XDG_RUNTIME_DIR is ignored: nothing is created relative to where the agent runs', async () => {
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(hana)], { env: { MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: 'mfl-relative-xdg' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync('/mfl-relative-xdg'), false);
  assert.ok(existsSync(sb.file('.cache/mfa-login/agent.sock')), 'the agent listens beside the file cache instead');
  assert.equal((await sb.run(['agent', 'stop'], { env: { MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: 'mfl-relative-xdg' } })).status, 0);
});

test('a frozen agent: status, logout and stop say so with exit 8, and stop never claims it stopped', async () => {
  const env = { MFA_LOGIN_CACHE: 'agent' };
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(hana)], { env })).status, 0);
  const pid = JSON.parse(readFileSync(path.join(sb.runtime, 'mfa-login', 'agent.lock'), 'utf8')).pid as number;
  assert.ok(alive(pid));
  process.kill(pid!, 'SIGSTOP');
  try {
    for (const args of [['agent', 'status'], ['logout', 'prod'], ['agent', 'stop']]) {
      const r = await sb.run(args, { env });
      assert.equal(r.status, 8, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^mfa-login: the session agent \\(pid ${pid}\\) did not answer within 3s; it may be stopped or stuck\\n  hint: end it with: kill -9 ${pid} `));
    }
  } finally {
    process.kill(pid!, 'SIGCONT');
  }
  await waitFor('the resumed agent to act on the stop it was sent', () => !alive(pid!), 20_000);
});

test('a full disk: one line and exit 8, and no lock left behind', { skip: process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'mounting a small tmpfs needs root' : false }, async () => {
  const dir = path.join(sb.runtime, 'mfa-login');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=700', 'tmpfs', dir]);
  try {
    try {
      writeFileSync(path.join(dir, 'filler'), Buffer.alloc(1024 * 1024, 1));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const r = await sb.run(['credential-process', 'prod', '--mfa-token', await sb.code(hana)]);
    assert.equal(r.status, 8, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^mfa-login: cannot (take the lock|keep the session in) \S+: no space left on the device\n  hint: free some space in \S+, or run with MFA_LOGIN_CACHE=none\n$/);
    assert.deepEqual(readdirSync(dir), ['filler']);
  } finally {
    spawnSync('umount', [dir]);
  }
});
