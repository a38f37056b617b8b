import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { acquireWithLease } from '../../src/session-store/lease.js';
import type { CachedSession } from '../../src/session-store/store.js';
import { inMinutes, session } from './helpers.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-lease-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A store in memory whose lock files are in a directory of its own; reads can be made to fail. */
function store(name: string, waitMs = 10_000, made = true) {
  const dir = path.join(root, name);
  if (made) mkdirSync(dir, { mode: 0o700 });
  const entries = new Map<string, CachedSession>();
  const state = { failReads: false };
  const acquire = acquireWithLease({
    dir: () => dir,
    read: async (key, until) => {
      if (state.failReads) throw new Error('cannot read the store');
      const s = entries.get(key);
      return s && s.credentials.expiration >= until ? s : undefined;
    },
    put: async (key, s) => void entries.set(key, s),
    waitMs,
    pollMs: 10,
  });
  return { dir, entries, state, acquire };
}

test('nothing stored: a lease; its put stores the session and frees the key for the next caller', async () => {
  const s = store('put');
  const first = await s.acquire('k', inMinutes(15), 'alice');
  assert.ok('lease' in first);
  const got = session('ASIA1');
  await first.lease!.put(got);
  assert.equal(s.entries.get('k'), got);
  assert.deepEqual(await s.acquire('k', inMinutes(15), 'alice'), { session: got });
  assert.deepEqual(readdirSync(s.dir), []);
});

test('a caller waiting on the lease gets what its holder stores, and asks for nothing itself', async () => {
  const s = store('wait');
  const first = await s.acquire('k', inMinutes(15), 'alice');
  const waiting = s.acquire('k', inMinutes(15), 'alice');
  const got = session('ASIA2');
  await first.lease!.put(got);
  assert.deepEqual(await waiting, { session: got });
});

test('a released lease passes to the next caller; put and release after the end do nothing', async () => {
  const s = store('release');
  const first = await s.acquire('k', inMinutes(15), 'alice');
  const waiting = s.acquire('k', inMinutes(15), 'alice');
  await first.lease!.release();
  await first.lease!.release();
  await first.lease!.put(session('LATE'));
  assert.equal(s.entries.size, 0);
  const second = await waiting;
  assert.ok('lease' in second);
  await second.lease!.release();
});

test('a holder that keeps the lease past the wait: E_BUSY naming the profile, with how to wait longer', async () => {
  const s = store('busy', 150);
  const first = await s.acquire('k', inMinutes(15), 'prod');
  try {
    await assert.rejects(s.acquire('k', inMinutes(15), 'prod'), (e: unknown) => {
      assert.ok(e instanceof MfaLoginError);
      assert.equal(e.code, 'E_BUSY');
      assert.equal(e.exitStatus, EXIT.cache);
      assert.match(e.message, /^another mfa-login has been getting the session for prod for \d+s; gave up waiting$/);
      assert.match(e.hint!, /^it may be waiting for an MFA code; .*MFA_LOGIN_LOCK_TIMEOUT=SECONDS$/);
      return true;
    });
  } finally {
    await first.lease!.release();
  }
});

test('a store that cannot be read once the lock is taken: the error, and the lock let go', async () => {
  const s = store('unreadable');
  const first = await s.acquire('k', inMinutes(15), 'alice');
  const waiting = s.acquire('k', inMinutes(15), 'alice');
  s.state.failReads = true;
  await first.lease!.release();
  await assert.rejects(waiting, /cannot read the store/);
  s.state.failReads = false;
  const again = await s.acquire('k', inMinutes(15), 'alice');
  assert.ok('lease' in again);
  await again.lease!.release();
});

test('a lock that cannot be made: E_CACHE naming it, with a way around', async () => {
  const s = store('never-made', 10_000, false);
  await assert.rejects(s.acquire('k', inMinutes(15), 'alice'), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_CACHE');
    assert.equal(e.exitStatus, EXIT.cache);
    assert.match(e.message, new RegExp(`^cannot take the lock ${s.dir}/[0-9a-f]+\\.lock: `));
    assert.match(e.hint!, /or run with MFA_LOGIN_CACHE=none$/);
    return true;
  });
});
