import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { breakLock, createLock, holderGone, readLock, removeLock, type LockInfo } from '../files/lock-file.js';
import { keyFileName } from './key-file-name.js';
import type { Acquired, CachedSession, Lease } from './session-cache.js';

/**
 * How long one caller may hold the lease for a session before others take over although it
 * lives. Long, because the holder may be a person reading a code off a phone; a holder that dies
 * is noticed much sooner (its pid is gone).
 */
export const LEASE_MAX_MS = 10 * 60 * 1000;

export interface LeaseOptions {
  /** The store's private directory, checked; lock files go there. */
  dir: () => string;
  read(key: string, validUntil: Date): Promise<CachedSession | undefined>;
  put(key: string, session: CachedSession): Promise<void>;
  /** How long to wait for another caller's lease before a clear error (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  leaseMaxMs?: number;
  /** How often a waiter looks again (plus a random extra of up to the same, so waiters spread). */
  pollMs?: number;
}

/**
 * The one lease mechanism, for every mode: a lock file per session key, `<hash>.lock`, created
 * with O_EXCL and holding the holder's pid and a nonce (never a secret). Waiters poll it and read
 * the store when it goes. A lock whose pid is gone, or older than the longest lease, is broken
 * atomically (lock-file.ts) and competed for like any other.
 */
export function acquireWithLease(options: LeaseOptions): (key: string, validUntil: Date, profile: string) => Promise<Acquired> {
  const leaseMaxMs = options.leaseMaxMs ?? LEASE_MAX_MS;
  const pollMs = options.pollMs ?? 50;
  return async (key, validUntil, profile) => {
    const deadline = Date.now() + options.waitMs;
    let lock: string | undefined;
    for (;;) {
      const s = await options.read(key, validUntil);
      if (s !== undefined) return { session: s };
      lock ??= path.join(options.dir(), `${keyFileName(key)}.lock`);
      const nonce = await take(lock, profile);
      if (nonce !== undefined) {
        // Whoever held the lock before may have stored the session between the read and now.
        const again = await options.read(key, validUntil).catch(async (e) => {
          await removeLock(lock!, nonce);
          throw e;
        });
        if (again !== undefined) {
          await removeLock(lock, nonce);
          return { session: again };
        }
        return { lease: leaseOn(lock, nonce, (session) => options.put(key, session)) };
      }
      const info = await readLock(lock);
      if (info === undefined) continue; // released between the attempt and the look
      const now = Date.now();
      if (holderGone(info, now) || now - info.started > leaseMaxMs) {
        await breakLock(lock, info);
        continue;
      }
      if (now >= deadline) throw busyError(info, profile, now);
      await new Promise((r) => setTimeout(r, Math.min(pollMs + Math.random() * pollMs, Math.max(1, deadline - now))));
    }
  };
}

async function take(lock: string, profile: string): Promise<string | undefined> {
  try {
    return await createLock(lock, { profile });
  } catch (e) {
    throw new MfaLoginError('E_CACHE', `cannot take the lock ${lock}: ${(e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message}`, {
      hint: `free some space in ${path.dirname(lock)}, or run with MFA_LOGIN_CACHE=none`,
      cause: e,
    });
  }
}

function leaseOn(lock: string, nonce: string, store: (session: CachedSession) => Promise<void>): Lease {
  let done = false;
  return {
    async put(session) {
      if (done) return;
      done = true;
      try {
        await store(session);
      } finally {
        await removeLock(lock, nonce);
      }
    },
    async release() {
      if (done) return;
      done = true;
      await removeLock(lock, nonce);
    },
  };
}

/** Another process holds the lease for longer than this one is willing to wait. */
function busyError(info: LockInfo, profile: string, now: number): MfaLoginError {
  const who = info.pid === undefined ? 'another mfa-login process' : `another mfa-login process (pid ${info.pid})`;
  return new MfaLoginError('E_BUSY', `${who} has been getting the session for ${profile} for ${Math.max(0, Math.round((now - info.started) / 1000))}s; gave up waiting`, {
    hint: info.pid === undefined ? 'if it is stuck, end it and run the command again' : `if it is stuck, end it (kill ${info.pid}) and run the command again`,
  });
}
