import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Sandbox, user, MFA_LOGIN, type RunResult } from './harness.js';
import { createLock, removeLock } from '../../src/files/lock-file.js';

// Every read-modify-write of ~/.aws/credentials, ~/.aws/config and the key file holds the file's
// lock (`<file>.lock`) from its read to its rename.
const fred = user('fred');
const gus = user('gus');
let sb: Sandbox;
const FILE_CACHE = { MFA_LOGIN_CACHE: 'file' };

before(async () => {
  sb = await new Sandbox([fred, gus]).start();
  sb.write('.aws/config', `[profile base]\nmfa_serial = ${fred.mfaDevices[0]!.serial}\n`);
  await sb.add('base', fred);
  // A warm cache: the logins below need no code and take the same session.
  const warm = await sb.run(['base', '--to', 'p0', '--mfa-token', await sb.code(fred)], { env: FILE_CACHE });
  assert.equal(warm.status, 0, warm.stderr);
});
after(async () => sb.stop());

/** Started now, awaited later; `exited` says whether it has ended yet. */
function start(args: string[], env: Record<string, string | undefined> = {}, input = '') {
  const child = spawn(process.execPath, [MFA_LOGIN, ...args], { env: sb.env({ ...FILE_CACHE, ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  // Bounded: a writer stuck on a lock fails its test instead of hanging the file.
  const done = new Promise<RunResult>((resolve, reject) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mfa-login ${args.join(' ')} did not end within 60 s (stderr: ${stderr})`));
    }, 60_000);
    child.on('close', (status) => {
      clearTimeout(bound);
      exited = true;
      resolve({ status, stdout, stderr });
    });
  });
  done.catch(() => {});
  return {
    done,
    get exited() {
      return exited;
    },
  };
}

/** Waits up to `ms` for `p` to end; true if it did. Used only to catch a writer that does not wait. */
async function endsWithin(p: { exited: boolean; done: Promise<RunResult> }, ms: number): Promise<boolean> {
  await Promise.race([p.done, new Promise((r) => setTimeout(r, ms))]);
  return p.exited;
}

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
  const nonce = (await createLock(`${creds}.lock`))!;
  assert.ok(nonce, 'the test holds the lock');
  let login: ReturnType<typeof start>;
  let importing: ReturnType<typeof start> | undefined;
  try {
    login = start(['base', '--to', 'during']);
    // A login that does not wait for the lock is done in well under this.
    assert.equal(await endsWithin(login, 3000), false, 'the login wrote while another writer held the lock');
    importing = start(['add', 'lt', '--import', '--yes']);
  } finally {
    await removeLock(`${creds}.lock`, nonce);
  }
  const [l, a] = await Promise.all([login.done, importing!.done]);
  assert.equal(l.status, 0, l.stderr);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /Removed them from \[lt\] in ~\/\.aws\/credentials\./);
  const text = sb.read('.aws/credentials')!;
  assert.doesNotMatch(text, new RegExp(gus.secretAccessKey.replace(/[+/]/g, '\\$&')), 'the secret came back in plaintext');
  assert.match(text, /^\[during\]\naws_access_key_id = ASIA/m);
});

test('a lock left by a writer that died is taken over', async () => {
  const creds = sb.file('.aws/credentials');
  const dead = spawn('true');
  await new Promise((r) => dead.on('exit', r));
  sb.write('.aws/credentials.lock', JSON.stringify({ pid: dead.pid, started: Date.now(), nonce: 'deadbeefdeadbeef' }));
  const r = await sb.run(['base', '--to', 'after-dead'], { env: { ...FILE_CACHE, MFA_LOGIN_LOCK_TIMEOUT: '30' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(sb.read('.aws/credentials')!, /^\[after-dead\]\n/m);
  assert.equal(existsSync(`${creds}.lock`), false);
});

test('a lock held past MFA_LOGIN_LOCK_TIMEOUT is a one-line error naming the file and the holder, and nothing is written', async () => {
  const creds = sb.file('.aws/credentials');
  const before = sb.read('.aws/credentials');
  const nonce = (await createLock(`${creds}.lock`))!;
  try {
    const r = await sb.run(['base', '--to', 'blocked'], { env: { ...FILE_CACHE, MFA_LOGIN_LOCK_TIMEOUT: '1' } });
    assert.equal(r.status, 8);
    assert.match(r.stderr, new RegExp(`^mfa-login: ${creds.replace(/[.]/g, '\\.')} is locked by another mfa-login process \\(pid ${process.pid}\\) for \\d+s; gave up waiting, nothing was changed\\n[^\\n]*kill ${process.pid}[^\\n]*\\n$`));
    assert.equal(sb.read('.aws/credentials'), before);
  } finally {
    await removeLock(`${creds}.lock`, nonce);
  }
});
