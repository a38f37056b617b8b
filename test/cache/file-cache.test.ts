import { keyFileName } from '../../src/cache/key-file-name.js';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileCache, fileCacheOptions } from '../../src/cache/file-cache.js';
import type { Acquired } from '../../src/cache/session-cache.js';
import { MfaLoginError } from '../../src/errors.js';
import { Child, inMinutes, session, settledWithin, tempDir } from './helpers.js';

const KEY = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);

function cacheDir(t: TestContext): string {
  const { dir, done } = tempDir();
  t.after(done);
  return path.join(dir, 'cache');
}

function leaseOf(a: Acquired) {
  assert.ok(a.lease, 'expected a lease');
  return a.lease;
}

test('a second caller waits for the lock and gets what the holder put; another key does not wait; release passes the lock on', async (t) => {
  const dir = cacheDir(t);
  const [a, b, c] = [fileCache(dir), fileCache(dir), fileCache(dir)];
  const first = leaseOf(await a.acquire(KEY, inMinutes(15), 'alice'));
  const lock = JSON.parse(readFileSync(path.join(dir, `${keyFileName(KEY)}.lock`), 'utf8')) as Record<string, unknown>;
  assert.equal(lock.pid, process.pid);
  assert.equal(typeof lock.started, 'number');
  assert.equal(lock.profile, 'alice');
  assert.equal(statSync(path.join(dir, `${keyFileName(KEY)}.lock`)).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);

  const waiting = b.acquire(KEY, inMinutes(15), 'alice');
  assert.equal(await settledWithin(waiting, 250), false, 'the second caller waits');
  leaseOf(await c.acquire(OTHER, inMinutes(15), 'bob')); // not held up
  await first.release();
  const second = leaseOf(await waiting);
  const third = a.acquire(KEY, inMinutes(15), 'alice');
  assert.equal(await settledWithin(third, 250), false);
  await second.put(session('ASIASECOND'));
  assert.equal((await third).session?.credentials.accessKeyId, 'ASIASECOND');
  assert.equal(existsSync(path.join(dir, `${keyFileName(KEY)}.lock`)), false, 'put removes the lock');
  assert.equal(statSync(path.join(dir, `${keyFileName(KEY)}.json`)).mode & 0o777, 0o600);
});

test('16 processes at once in file mode: one lease, one session for all', async (t) => {
  const dir = cacheDir(t);
  const started = Date.now();
  const children = Array.from({ length: 16 }, () => new Child(['file', dir, 'race', KEY]));
  t.after(() => children.forEach((c) => c.kill()));
  const done = await Promise.all(children.map((c) => c.next('done', 20_000)));
  t.diagnostic(`16 file-mode processes done in ${Date.now() - started} ms`);
  assert.equal(done.filter((d) => d.got === 'lease').length, 1, 'exactly one lease');
  assert.equal(new Set(done.map((d) => d.id)).size, 1, 'everyone has the same session');
  assert.deepEqual(await Promise.all(children.map((c) => c.exited)), Array(16).fill(0));
  assert.deepEqual(readdirSync(dir), [`${keyFileName(KEY)}.json`], 'no lock or temporary file is left');
});

test('a lock left by a SIGKILLed holder is broken within seconds', async (t) => {
  const dir = cacheDir(t);
  const holder = new Child(['file', dir, 'hold', KEY]);
  t.after(() => holder.kill());
  assert.equal((await holder.next('acquired')).got, 'lease');
  const waiter = fileCache(dir).acquire(KEY, inMinutes(15), 'alice');
  assert.equal(await settledWithin(waiter, 200), false);
  const killedAt = Date.now();
  holder.kill('SIGKILL');
  const got = await waiter;
  const tookMs = Date.now() - killedAt;
  t.diagnostic(`file: the waiter took the lock ${tookMs} ms after its holder was SIGKILLed`);
  assert.ok(got.lease);
  assert.ok(tookMs < 2000, `took ${tookMs} ms`);
  assert.deepEqual(readdirSync(dir).sort(), [`${keyFileName(KEY)}.lock`], 'the stale lock was renamed away and a new one taken');
  await got.lease.release();
});

test('a lock held past the bounded wait (MFA_LOGIN_LOCK_TIMEOUT) gives a clear error naming the holder', async (t) => {
  const dir = cacheDir(t);
  const holder = new Child(['file', dir, 'hold', KEY]);
  t.after(() => holder.kill());
  await holder.next('acquired');
  const waiter = new Child(['file', dir, 'race', KEY], { MFA_LOGIN_LOCK_TIMEOUT: '0.5' });
  const e = await waiter.next('error');
  assert.equal(e.code, 'E_BUSY');
  assert.match(e.message!, new RegExp(`^another mfa-login process \\(pid ${holder.proc.pid}\\) has been getting the session for child-\\d+ for \\d+s; gave up waiting$`));
  assert.equal(await waiter.exited, 1);

  const started = Date.now();
  await assert.rejects(fileCache(dir, fileCacheOptions({ MFA_LOGIN_LOCK_TIMEOUT: '0.3' })).acquire(KEY, inMinutes(15), 'alice'), (err: unknown) => {
    assert.ok(err instanceof MfaLoginError);
    assert.match(err.message, /getting the session for alice for \d+s; gave up waiting/);
    assert.equal(err.hint, `if it is stuck, end it (kill ${holder.proc.pid}) and run the command again`);
    return true;
  });
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 1500, `waited ${took} ms`);
  assert.throws(() => fileCacheOptions({ MFA_LOGIN_LOCK_TIMEOUT: 'soon' }), /MFA_LOGIN_LOCK_TIMEOUT=soon is not a number of seconds/);
});

test('stale locks: a dead pid, an age past the longest lease, or never written (after a grace) are taken over', async (t) => {
  const dir = cacheDir(t);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = path.join(dir, `${keyFileName(KEY)}.lock`);
  const cases: Array<[string, () => void, number?]> = [
    ['dead pid', () => writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, started: Date.now(), nonce: 'x' }))],
    ['too old', () => writeFileSync(lock, JSON.stringify({ pid: process.pid, started: Date.now() - 60_000, nonce: 'x' })), 30_000],
    [
      'never written',
      () => {
        writeFileSync(lock, '');
        const past = new Date(Date.now() - 10_000);
        utimesSync(lock, past, past);
      },
    ],
  ];
  for (const [name, make, leaseMaxMs] of cases) {
    make();
    const started = Date.now();
    const got = await fileCache(dir, leaseMaxMs === undefined ? {} : { leaseMaxMs }).acquire(KEY, inMinutes(15), 'alice');
    assert.ok(got.lease, name);
    assert.ok(Date.now() - started < 500, `${name}: took over at once`);
    await got.lease.release();
    assert.equal(existsSync(lock), false, name);
  }
  // A fresh lock with a live pid is not stale, even if empty for now.
  writeFileSync(lock, '');
  await assert.rejects(fileCache(dir, { waitTimeoutMs: 200 }).acquire(KEY, inMinutes(15), 'alice'), /gave up waiting/);
});

test('corrupt, truncated and foreign-version entries are dropped and obtained again', async (t) => {
  const dir = cacheDir(t);
  const good = fileCache(dir);
  await leaseOf(await good.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIAGOOD'));
  const file = path.join(dir, `${keyFileName(KEY)}.json`);
  const valid = readFileSync(file, 'utf8');
  assert.equal(JSON.parse(valid).version, 1);
  const bad: Array<[string, string]> = [
    ['corrupt', '{not json'],
    ['truncated', valid.slice(0, valid.length / 2)],
    ['foreign version', JSON.stringify({ ...JSON.parse(valid), version: 2 })],
    ['missing token', JSON.stringify({ ...JSON.parse(valid), credentials: { ...JSON.parse(valid).credentials, sessionToken: undefined } })],
    ['bad date', JSON.stringify({ ...JSON.parse(valid), credentials: { ...JSON.parse(valid).credentials, expiration: 'tomorrow' } })],
    ['empty', ''],
    // Two keys whose file names collide must never hand out each other's session.
    ['stored under another key', JSON.stringify({ ...JSON.parse(valid), key: OTHER })],
  ];
  for (const [name, text] of bad) {
    writeFileSync(file, text);
    const got = await fileCache(dir).acquire(KEY, inMinutes(15), 'alice');
    assert.ok(got.lease, name);
    if (name !== 'stored under another key') assert.equal(existsSync(file), false, `${name}: dropped`);
    await got.lease.put(session(`ASIA${name.replace(/\W/g, '').toUpperCase()}`));
    assert.equal((await fileCache(dir).acquire(KEY, inMinutes(15), 'alice')).session?.credentials.accessKeyId, `ASIA${name.replace(/\W/g, '').toUpperCase()}`, `${name}: obtained again`);
  }
});

test('sessions expire: a caller needing more than the stored session gets a lease, not the stale session', async (t) => {
  const dir = cacheDir(t);
  const c = fileCache(dir);
  await leaseOf(await c.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIASHORT', 5 * 60_000));
  assert.equal((await c.acquire(KEY, inMinutes(2), 'alice')).session?.credentials.accessKeyId, 'ASIASHORT', 'enough for a parent');
  const got = await c.acquire(KEY, inMinutes(15), 'alice');
  assert.ok(got.lease, 'five minutes left is not fifteen');
  await got.lease.put(session('ASIALONG'));
  assert.equal((await c.acquire(KEY, inMinutes(15), 'alice')).session?.credentials.accessKeyId, 'ASIALONG');
});

test('forget and list work as before, and ignore lock files', async (t) => {
  const dir = cacheDir(t);
  const c = fileCache(dir);
  await leaseOf(await c.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIAALICE', 3600_000, ['alice', 'admin']));
  const held = leaseOf(await c.acquire(OTHER, inMinutes(15), 'bob'));
  assert.deepEqual(
    (await c.list()).map((x) => x.key),
    [KEY],
  );
  assert.equal(await c.forget('admin'), 1);
  assert.equal(await c.forget(), 0);
  await held.release();
});
