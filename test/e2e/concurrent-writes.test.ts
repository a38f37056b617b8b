import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AWS_CLI, Sandbox, user, MFA_LOGIN, requireComponent, runCommand, type RunResult } from './harness.js';
import { takeLock, type HeldLock } from '../../src/files/lock-file.js';

// Every read-modify-write of ~/.aws/credentials, ~/.aws/config and the key file holds the file's
// lock (`<file>.lock`, kept by the kernel) from its read to its rename.
const fred = user('fred');
const gus = user('gus');
let sb: Sandbox;
const FILE_CACHE = { MFA_LOGIN_CACHE: 'file' };
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'writer.js');
const root = process.getuid?.() === 0;
const hasUnshare = process.platform === 'linux' && spawnSync('unshare', ['--version']).status === 0;
/** The first process of its own pid namespace (with its own /proc), as in a container; it dies with unshare. */
const IN_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

before(async () => {
  sb = await new Sandbox([fred, gus]).start();
  sb.write('.aws/config', `[profile base]\nmfa_serial = ${fred.mfaDevices[0]!.serial}\n`);
  await sb.add('base', fred);
  // A warm cache: the logins below need no code and take the same session.
  const warm = await sb.run(['base', '--to', 'p0', '--mfa-token', await sb.code(fred)], { env: FILE_CACHE });
  assert.equal(warm.status, 0, warm.stderr);
});
after(async () => sb.stop());

/** Started now, awaited later; `exited` says whether it has ended yet. `argv` defaults to the CLI. */
function start(args: string[], env: Record<string, string | undefined> = {}, input = '', argv: string[] = [process.execPath, MFA_LOGIN]) {
  const child = spawn(argv[0]!, [...argv.slice(1), ...args], { env: sb.env({ ...FILE_CACHE, ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const watchers: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    watchers.forEach((w) => w());
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  // Bounded: a writer stuck on a lock fails its test instead of hanging the file.
  const done = new Promise<RunResult>((resolve, reject) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv.concat(args).join(' ')} did not end within 60 s (stderr: ${stderr})`));
    }, 60_000);
    child.on('close', (status) => {
      clearTimeout(bound);
      exited = true;
      watchers.forEach((w) => w());
      resolve({ status, stdout, stderr });
    });
  });
  done.catch(() => {});
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    get exited() {
      return exited;
    },
    /** Resolves once stdout holds `text`; fails if the process ends first. */
    said(text: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const look = () => {
          if (stdout.includes(text)) resolve();
          else if (exited) reject(new Error(`${argv.concat(args).join(' ')} ended without saying ${text}: ${stdout}${stderr}`));
        };
        watchers.push(look);
        look();
      });
    },
  };
}

/** A writer of test/e2e/writer.ts (optionally inside `prefix`, e.g. a pid namespace). */
const writer = (args: string[], prefix: string[] = []) => start(args, {}, '', [...prefix, process.execPath, WRITER]);

/** Waits up to `ms` for `p` to end; true if it did. Used only to catch a writer that does not wait. */
async function endsWithin(p: { exited: boolean; done: Promise<RunResult> }, ms: number): Promise<boolean> {
  await Promise.race([p.done, new Promise((r) => setTimeout(r, ms))]);
  return p.exited;
}

/** Holds the lock of `file` in this process, as another mfa-login would. */
async function hold(file: string): Promise<HeldLock> {
  const got = await takeLock(`${file}.lock`, { waitMs: 10_000, busy: () => new Error('busy'), cannotTake: (e) => e });
  assert.ok('held' in got);
  return got.held;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('8 logins at once into 8 profiles: every one reports its write and all 8 sections are there', async () => {
  const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => start(['base', '--to', `p${i + 1}`]).done));
  for (const [i, r] of runs.entries()) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Wrote an MFA session to \\[p${i + 1}\\]`));
  }
  const creds = sb.read('.aws/credentials')!;
  const missing = Array.from({ length: 9 }, (_, i) => `p${i}`).filter((p) => !new RegExp(`^\\[${p}\\]\\naws_access_key_id = ASIA`, 'm').test(creds));
  assert.deepEqual(missing, [], `sections lost; the file has ${creds.match(/^\[.*\]$/gm)?.join(' ')}`);
  assert.equal(existsSync(sb.file('.aws/credentials.lock')), false, 'the lock is released');
});

test('4 adds of different profiles at once with the key file: all 4 keys stored and all 4 devices recorded', async () => {
  const names = ['a1', 'a2', 'a3', 'a4'];
  const runs = await Promise.all(names.map((n) => start(['add', n, '--yes'], {}, `${gus.accessKeyId}\n${gus.secretAccessKey}\n`).done));
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const list = await sb.run(['list', '--json']);
  assert.equal(list.status, 0, list.stderr);
  const stored = (JSON.parse(list.stdout) as { profile: string }[]).map((r) => r.profile);
  for (const n of names) assert.ok(stored.includes(n), `keys of ${n} lost; stored: ${stored.join(', ')}`);
  const config = sb.read('.aws/config')!;
  for (const n of names) assert.match(config, new RegExp(`^\\[profile ${n}\\]\\nmfa_serial = ${gus.mfaDevices[0]!.serial}$`, 'm'), `mfa_serial of ${n} lost`);
  // And the same for removing: 4 removes at once leave none of the 4.
  const removed = await Promise.all(names.map((n) => start(['remove', n]).done));
  for (const r of removed) assert.equal(r.status, 0, r.stderr);
  const after = JSON.parse((await sb.run(['list', '--json'])).stdout) as { profile: string }[];
  assert.deepEqual(after.map((r) => r.profile).filter((p) => names.includes(p)), [], 'a removal was undone');
  assert.equal(existsSync(`${sb.file('.config/mfa-login/keys.enc')}.lock`), false, 'the key file lock is released');
});

test('a login waits while another writer holds the credentials file, and does not bring back the keys add --import moved', async () => {
  const creds = sb.file('.aws/credentials');
  sb.write('.aws/credentials', `${sb.read('.aws/credentials')}\n[lt]\naws_access_key_id = ${gus.accessKeyId}\naws_secret_access_key = ${gus.secretAccessKey}\n`);
  const held = await hold(creds);
  let login: ReturnType<typeof start>;
  let importing: ReturnType<typeof start> | undefined;
  try {
    login = start(['base', '--to', 'during']);
    // A login that does not wait for the lock is done in well under this.
    assert.equal(await endsWithin(login, 3000), false, 'the login wrote while another writer held the lock');
    importing = start(['add', 'lt', '--import', '--yes']);
  } finally {
    await held.release();
  }
  const [l, a] = await Promise.all([login.done, importing!.done]);
  assert.equal(l.status, 0, l.stderr);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /Removed them from \[lt\] in ~\/\.aws\/credentials\./);
  const text = sb.read('.aws/credentials')!;
  assert.doesNotMatch(text, new RegExp(escape(gus.secretAccessKey)), 'the secret came back in plaintext');
  assert.match(text, /^\[during\]\naws_access_key_id = ASIA/m);
});

for (const where of ['here', 'in another pid namespace'] as const) {
  test(`a lock whose holder was SIGKILLed ${where} is taken over at once`, { skip: where !== 'here' && !(root && hasUnshare) && 'needs root and unshare(1)' }, async () => {
    const creds = sb.file('.aws/credentials');
    const holder = writer(['hold', `${creds}.lock`], where === 'here' ? [] : IN_PID_NAMESPACE);
    await holder.said('held');
    holder.kill();
    await holder.done;
    const section = where === 'here' ? 'after-dead' : 'after-dead-ns';
    // Five seconds is what "at once" is allowed on a loaded machine; a held lock fails after them.
    const r = await sb.run(['base', '--to', section], { env: { ...FILE_CACHE, MFA_LOGIN_LOCK_TIMEOUT: '5' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(sb.read('.aws/credentials')!, new RegExp(`^\\[${section}\\]\\n`, 'm'));
    assert.equal(existsSync(`${creds}.lock`), false);
  });
}

test('a lock held past MFA_LOGIN_LOCK_TIMEOUT is a one-line error naming the file and no pid, and nothing is written', async () => {
  const creds = sb.file('.aws/credentials');
  const before = sb.read('.aws/credentials');
  const held = await hold(creds);
  try {
    const r = await sb.run(['base', '--to', 'blocked'], { env: { ...FILE_CACHE, MFA_LOGIN_LOCK_TIMEOUT: '1' } });
    assert.equal(r.status, 8);
    assert.match(r.stderr, new RegExp(`^mfa-login: ${escape(creds)} is locked by another mfa-login for \\d+s; gave up waiting after 1s, nothing was changed\\n  hint: the lock is freed the moment the other command ends \\(or dies\\); run this again then, or wait longer with MFA_LOGIN_LOCK_TIMEOUT=SECONDS\\n$`));
    assert.doesNotMatch(r.stderr, /pid|kill/);
    assert.equal(sb.read('.aws/credentials'), before);
  } finally {
    await held.release();
  }
});

test('writers in different pid namespaces sharing ~/.aws both keep their sections', { skip: !(root && hasUnshare) && 'needs root and unshare(1) to start a writer in its own pid namespace' }, async () => {
  const creds = sb.file('.aws/credentials');
  const gate = sb.file('gate-ns');
  rmSync(gate, { force: true });
  // The host's writer holds the lock, its replacement slowed down; the login runs as in a
  // devcontainer that bind-mounts ~/.aws: its own pid namespace, the host's processes unseen.
  const host = writer(['slow', creds, 'from-host', gate]);
  await host.said('editing');
  const container = start(['base', '--to', 'from-container'], {}, '', [...IN_PID_NAMESPACE, process.execPath, MFA_LOGIN]);
  try {
    assert.equal(await endsWithin(container, 3000), false, 'the login in the container wrote while the host\'s writer held the lock');
  } finally {
    writeFileSync(gate, '');
  }
  const [h, c] = await Promise.all([host.done, container.done]);
  assert.equal(h.status, 0, h.stderr);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /Wrote an MFA session to \[from-container\]/);
  const text = sb.read('.aws/credentials')!;
  assert.match(text, /^\[from-host\]\naws_access_key_id = ASIASLOWSLOW/m, 'the host writer\'s section');
  assert.match(text, /^\[from-container\]\naws_access_key_id = ASIA/m, 'the container login\'s section');
});

test('add --import while `aws configure` writes another key pair into the section: that pair stays', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), `the AWS CLI (${AWS_CLI})`);
  if (skip) return t.skip(skip);
  const creds = sb.file('.aws/credentials');
  sb.write('.aws/credentials', `${sb.read('.aws/credentials')}\n[imp]\naws_access_key_id = ${gus.accessKeyId}\naws_secret_access_key = ${gus.secretAccessKey}\n`);
  const other = { id: 'AKIAOTHERPAIR0000001', secret: 'otherSecret/+00000000000000000000000000000' };
  // The import has read the file and stored the keys; before it takes them out, the section gets
  // a new pair, written by the AWS CLI (which takes no lock).
  const held = await hold(creds);
  let importing: ReturnType<typeof start>;
  try {
    importing = start(['add', 'imp', '--import', '--yes']);
    await importing.said(`Stored the keys of`);
    for (const [key, value] of [['aws_access_key_id', other.id], ['aws_secret_access_key', other.secret]]) {
      const r = await runCommand(AWS_CLI, ['configure', 'set', key!, value!, '--profile', 'imp'], sb.env());
      assert.equal(r.status, 0, r.stderr);
    }
  } finally {
    await held.release();
  }
  const a = await importing.done;
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, new RegExp(`Stored the keys of \\S+ \\(${gus.accessKeyId}\\) for profile imp`));
  assert.doesNotMatch(a.stdout, /Removed them/);
  assert.equal(a.stderr, `mfa-login: note: [imp] in ~/.aws/credentials now holds another key (${other.id}), written there since the import began; it was left as it is\n`);
  const text = sb.read('.aws/credentials')!;
  assert.match(text, new RegExp(`^\\[imp\\]\\naws_access_key_id = ${other.id}\\naws_secret_access_key = ${escape(other.secret)}$`, 'm'), text);
});

test('a logout while another writer is replacing the file keeps both changes: the session stays gone, the other section stays', async () => {
  const creds = sb.file('.aws/credentials');
  // A session an earlier login wrote, marked for logout.
  sb.write('.aws/credentials', `${sb.read('.aws/credentials')}\n[old-session]\naws_access_key_id = ASIAOLDOLDOLD0000001\naws_secret_access_key = ${'o'.repeat(40)}\naws_session_token = oldtoken\nexpiration = 2030-01-01T00:00:00Z\nmfa_login_session_of = ghost\n`);
  const gate = sb.file('gate-logout');
  rmSync(gate, { force: true });
  const other = writer(['slow', creds, 'written-meanwhile', gate]);
  await other.said('editing');
  const logout = start(['logout', 'ghost']);
  try {
    assert.equal(await endsWithin(logout, 3000), false, 'logout rewrote the file while another writer held its lock');
  } finally {
    writeFileSync(gate, '');
  }
  const [o, l] = await Promise.all([other.done, logout.done]);
  assert.equal(o.status, 0, o.stderr);
  assert.equal(l.status, 0, l.stderr);
  assert.equal(l.stdout, 'Forgot 0 cached sessions of ghost and removed [old-session] from ~/.aws/credentials.\n');
  const text = sb.read('.aws/credentials')!;
  assert.doesNotMatch(text, /ASIAOLDOLDOLD/, 'the session logout removed came back');
  assert.match(text, /^\[written-meanwhile\]\naws_access_key_id = ASIASLOWSLOW/m, 'the other writer\'s section was lost');
});
