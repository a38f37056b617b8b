import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { removeLock, waitForLock } from './lock-file.js';
import { MfaLoginError } from '../errors.js';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  /** Time between looks at a held lock; a little random is added so waiters do not move in step. */
  pollMs?: number;
}

/** The lock of a file: beside it, so it is on the same file system and found by every writer. */
export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/**
 * Runs `edit` holding the lock of `file` (`<file>.lock`, pid and nonce, nothing secret). Every
 * read-modify-write of the shared credentials and config files and of the key file goes through
 * here, from its read to its rename: an atomic rename keeps a file whole, but without the lock a
 * writer that read before another's rename writes the other's change away.
 *
 * A lock whose holder is gone (pid not running, or never written past the grace) is broken
 * atomically and taken. One held by a live process for longer than `waitMs` is an E_BUSY error
 * naming the file and the holder, never a write without the lock.
 */
export async function withFileLock<T>(file: string, edit: () => Promise<T>, options: FileLockOptions): Promise<T> {
  const lock = lockPathOf(file);
  // A first login: the file's directory is made as the write would make it.
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch(() => {});
  const got = await waitForLock<never>(lock, {
    waitMs: options.waitMs,
    pollMs: options.pollMs ?? 20,
    cannotTake: (e) => {
      const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.message;
      return new MfaLoginError('E_FILE', `cannot write ${file}: its lock ${lock} cannot be made (${why}); nothing was changed`);
    },
    busy: (info, now) => {
      const who = info.pid === undefined ? 'another process' : `another mfa-login process (pid ${info.pid})`;
      return new MfaLoginError('E_BUSY', `${file} is locked by ${who} for ${Math.max(0, Math.round((now - info.started) / 1000))}s; gave up waiting, nothing was changed`, {
        hint: info.pid === undefined ? `if no mfa-login is running, remove ${lock} and run the command again` : `if it is stuck, end it (kill ${info.pid}) and run the command again`,
      });
    },
  });
  const nonce = 'nonce' in got ? got.nonce : '';
  try {
    return await edit();
  } finally {
    await removeLock(lock, nonce).catch(() => {});
  }
}
