import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { takeLock, type HeldLock, type LockNote } from '../files/lock-file.js';
import { keyFileName } from './key-file-name.js';
import type { Acquired, CachedSession, Lease } from './store.js';

export interface LeaseOptions {
  /** The store's private directory, checked; lock files go there. */
  dir: () => string;
  read(key: string, validUntil: Date): Promise<CachedSession | undefined>;
  put(key: string, session: CachedSession): Promise<void>;
  /** How long to wait for another caller's lease before a clear error (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  /** How often a waiter looks in the store again. */
  pollMs?: number;
}

/**
 * The one lease mechanism, for every mode: a lock per session key, `<hash>.lock` in the store's
 * private directory, which the kernel keeps (lock-file.ts). Many callers starting at once spend
 * one code between them: one holds the lease while it gets the session (for minutes, if a person
 * is typing the code), the others wait and look in the store until it is there. A holder that
 * dies (Ctrl-C, SIGKILL) drops its lease with it, and the next waiter takes it at once, wherever
 * the holder ran (another pid namespace, /proc hidden).
 */
export function acquireWithLease(options: LeaseOptions): (key: string, validUntil: Date, profile: string) => Promise<Acquired> {
  return async (key, validUntil, profile) => {
    const read = () => options.read(key, validUntil);
    const lock = path.join(options.dir(), `${keyFileName(key)}.lock`);
    const got = await takeLock(lock, {
      waitMs: options.waitMs,
      pollMs: options.pollMs ?? 50,
      fields: { profile },
      found: read,
      busy: (note) => busyError(note, profile),
      cannotTake: (e) =>
        new MfaLoginError('E_CACHE', `cannot take the lock ${lock}: ${e.code === 'ENOSPC' ? 'no space left on the device' : e.message}`, {
          hint: e.code === 'ENOFLOCK' ? 'install the util-linux package (BusyBox\'s flock works too), or run with MFA_LOGIN_CACHE=none' : `free some space in ${path.dirname(lock)}, or run with MFA_LOGIN_CACHE=none`,
          cause: e,
        }),
    });
    if ('found' in got) return { session: got.found };
    // Whoever held the lock before may have stored the session between the last read and now.
    const again = await read().catch(async (e) => {
      await got.held.release();
      throw e;
    });
    if (again !== undefined) {
      await got.held.release();
      return { session: again };
    }
    return { lease: leaseOn(got.held, (session) => options.put(key, session)) };
  };
}

function leaseOn(held: HeldLock, store: (session: CachedSession) => Promise<void>): Lease {
  let done = false;
  return {
    async put(session) {
      if (done) return;
      done = true;
      try {
        await store(session);
      } finally {
        await held.release();
      }
    },
    async release() {
      if (done) return;
      done = true;
      await held.release();
    },
  };
}

/** Another process holds the lease for longer than this one is willing to wait. No pid: it may not be ours to end. */
function busyError(note: LockNote | undefined, profile: string): MfaLoginError {
  const held = note?.started !== undefined ? ` for ${Math.max(0, Math.round((Date.now() - note.started) / 1000))}s` : '';
  return new MfaLoginError('E_BUSY', `another mfa-login has been getting the session for ${profile}${held}; gave up waiting`, {
    hint: 'it may be waiting for an MFA code; once it has the session (or ends) run this again, or wait longer with MFA_LOGIN_LOCK_TIMEOUT=SECONDS',
  });
}
