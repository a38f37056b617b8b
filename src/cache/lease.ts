import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { removeLock, waitForLock, type LockInfo } from '../files/lock-file.js';
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
  return async (key, validUntil, profile) => {
    const read = () => options.read(key, validUntil);
    const lock = path.join(options.dir(), `${keyFileName(key)}.lock`);
    const got = await waitForLock(lock, {
      waitMs: options.waitMs,
      pollMs: options.pollMs ?? 50,
      staleAfterMs: options.leaseMaxMs ?? LEASE_MAX_MS,
      fields: { profile },
      found: read,
      busy: (info, now) => busyError(info, profile, now),
      cannotTake: (e) =>
        new MfaLoginError('E_CACHE', `cannot take the lock ${lock}: ${e.code === 'ENOSPC' ? 'no space left on the device' : e.message}`, {
          hint: `free some space in ${path.dirname(lock)}, or run with MFA_LOGIN_CACHE=none`,
          cause: e,
        }),
    });
    if ('found' in got) return { session: got.found };
    // Whoever held the lock before may have stored the session between the last read and now.
    const again = await read().catch(async (e) => {
      await removeLock(lock, got.nonce);
      throw e;
    });
    if (again !== undefined) {
      await removeLock(lock, got.nonce);
      return { session: again };
    }
    return { lease: leaseOn(lock, got.nonce, (session) => options.put(key, session)) };
  };
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
