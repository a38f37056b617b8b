import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { takeLock, type LockNote } from './lock-file.js';
import { writeFileAtomic } from './atomic-write.js';
import { writeTarget } from './file-safety.js';

/** Reading and changing files as the commands do: what the key stores need of Deps (deps.ts). */
export interface FileAccess {
  readFile(path: string): Promise<string | undefined>;
  /**
   * The one way a command changes a file: `edit` runs on the file's current text (undefined:
   * none) under the file's lock, and what it returns replaces the file atomically (editFile below).
   * Returns whether the file changed.
   */
  editFile(path: string, edit: (text: string | undefined) => string | undefined, options?: { mode?: number }): Promise<boolean>;
}

/**
 * An edit of a file's text: its current text (undefined when there is no file) to the text to
 * write; the same text, or undefined, leaves the file as it is. Run under the lock, on what the
 * file holds then, so it must not depend on anything read before.
 */
export type Edit = (text: string | undefined) => string | undefined | Promise<string | undefined>;

export interface EditFileOptions {
  /** How long to wait for another writer's lock before an E_BUSY error (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  /** Reads the file's text, undefined when there is none (default: UTF-8, as it is). */
  read?: (file: string) => Promise<string | undefined>;
  /** Mode of a new file (an existing one keeps its own). */
  mode?: number;
  /** Mode of directories made for it. */
  dirMode?: number;
}

/** The lock of a file: beside it (beside the file a link leads to), on the same file system, found by every writer. */
export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/**
 * The one read-modify-write of a file we share with other writers: ~/.aws/credentials,
 * ~/.aws/config, the key file and the key ages. Takes the file's lock (lock-file.ts: the kernel
 * keeps it, and drops it when a holder dies), reads the file under it, runs `edit`, and replaces
 * the file atomically, all before letting go: an atomic rename keeps a file whole, but without
 * the lock a writer that read before another's rename writes the other's change away. Returns
 * whether the file changed.
 *
 * A file that is a symbolic link (a dotfile manager's) is written through to the file it leads
 * to, in that file's directory, and the link stays; the lock is taken beside that file, so a
 * writer naming the link and one naming the file exclude each other.
 *
 * Nothing else in src/ writes these files: test/files/one-way-to-write.test.ts walks the source
 * and fails on any other write.
 */
export async function editFile(file: string, edit: Edit, o: EditFileOptions): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const target = await writeTarget(file).catch((e) => {
      throw cannotWrite(file, file, e);
    });
    const lock = lockPathOf(target);
    // A first login: the file's directory is made as the write would make it.
    if (target === file) await fs.mkdir(path.dirname(file), { recursive: true, mode: o.dirMode ?? 0o700 }).catch(() => {});
    const got = await takeLock(lock, {
      waitMs: o.waitMs,
      pollMs: 20,
      busy: (note, waited) => busy(file, note, waited),
      cannotTake: (e) => cannotLock(file, lock, e),
    });
    if (!('held' in got)) throw new Error('unreachable: no `found` was given');
    try {
      // The link was changed while we waited: the lock taken is not the one of the file written.
      if ((await writeTarget(file).catch(() => target)) !== target && attempt < 5) continue;
      // Read as it is written: what keeps it from being read (a directory in its place) is said alike.
      const text = await (o.read ? o.read(target) : readText(target)).catch((e: unknown) => {
        throw cannotWrite(file, target, e);
      });
      const next = await edit(text);
      if (next === undefined || next === text) return false;
      await writeFileAtomic(target, next, { mode: o.mode ?? 0o600, dirMode: o.dirMode ?? 0o700, makeDir: target === file, locked: true }).catch((e) => {
        throw cannotWrite(file, target, e);
      });
      return true;
    } finally {
      await got.held.release();
    }
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Another writer has held the lock for all of `waitMs`. No pid: the holder may be another user's, or in a container. */
function busy(file: string, note: LockNote | undefined, waitedMs: number): MfaLoginError {
  const held = note?.started !== undefined ? ` for ${Math.max(0, Math.round((Date.now() - note.started) / 1000))}s` : '';
  return new MfaLoginError('E_BUSY', `${file} is locked by another mfa-login${held}; gave up waiting after ${Math.round(waitedMs / 1000)}s, nothing was changed`, {
    hint: 'the lock is freed the moment the other command ends (or dies); run this again then, or wait longer with MFA_LOGIN_LOCK_TIMEOUT=SECONDS',
  });
}

function cannotLock(file: string, lock: string, e: NodeJS.ErrnoException): MfaLoginError {
  if (e.code === 'ENOFLOCK') {
    return new MfaLoginError('E_FILE', `cannot write ${file}: ${e.message}, and mfa-login locks files with it; nothing was changed`, {
      hint: 'install the util-linux package (BusyBox\'s flock works too)',
    });
  }
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ELOOP' ? 'it is a symbolic link' : e.code === 'ENOSPC' ? 'no space left on the device' : e.message;
  return new MfaLoginError('E_FILE', `cannot write ${file}: its lock ${lock} cannot be made (${why}); nothing was changed`, { cause: e });
}

function cannotWrite(file: string, target: string, e: unknown): MfaLoginError {
  if (e instanceof MfaLoginError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
  const shown = target === file ? file : `${file} (a link to ${target})`;
  return new MfaLoginError('E_FILE', `cannot write ${shown}: ${why}; nothing was changed`, { cause: e });
}
