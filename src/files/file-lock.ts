import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { breakLock, createLock, holderGone, readLock, removeLock } from './lock-file.js';
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
  const pollMs = options.pollMs ?? 20;
  const deadline = Date.now() + options.waitMs;
  let nonce: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      nonce = await createLock(lock);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && attempt === 0) {
        // The file's directory does not exist yet (a first login): made as the write would make it.
        await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        continue;
      }
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
      throw new MfaLoginError('E_FILE', `cannot write ${file}: its lock ${lock} cannot be made (${why}); nothing was changed`);
    }
    if (nonce !== undefined) break;
    const info = await readLock(lock).catch(() => undefined);
    if (info === undefined) continue; // released between the attempt and the look
    const now = Date.now();
    if (holderGone(info, now)) {
      await breakLock(lock, info);
      continue;
    }
    if (now >= deadline) {
      const who = info.pid === undefined ? 'another process' : `another mfa-login process (pid ${info.pid})`;
      throw new MfaLoginError('E_BUSY', `${file} is locked by ${who} for ${Math.max(0, Math.round((now - info.started) / 1000))}s; gave up waiting, nothing was changed`, {
        hint: info.pid === undefined ? `if no mfa-login is running, remove ${lock} and run the command again` : `if it is stuck, end it (kill ${info.pid}) and run the command again`,
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs + Math.random() * pollMs, Math.max(1, deadline - now))));
  }
  try {
    return await edit();
  } finally {
    await removeLock(lock, nonce).catch(() => {});
  }
}
