import { promises as fs, constants, readFileSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';

/**
 * Lock files: the session store's leases (one per session key), the agent's pid file, and the
 * lock around every read-modify-write of a file we share with other writers. A lock is a file
 * created with O_EXCL holding `{pid, started, nonce, ...}`; nothing secret, no hostname.
 */

/** What a lock file says about its holder. */
export interface LockInfo {
  pid?: number;
  /** When it was taken, ms since the epoch (the file's mtime when the content is unreadable). */
  started: number;
  nonce?: string;
  /** Any other fields the holder wrote (the file cache writes the profile). */
  fields: Record<string, unknown>;
  /** To tell this very lock file from a later one with the same name. */
  ino: number;
  mtimeMs: number;
  raw: string;
}

/**
 * A lock file that is empty or unreadable is one whose creator has not written it yet, or died in
 * the microseconds between creating and writing it: after this long it is the latter.
 */
export const UNWRITTEN_LOCK_GRACE_MS = 2000;

/** Takes the lock; returns its nonce, or undefined when it exists already. */
export async function createLock(lock: string, fields: Record<string, unknown> = {}): Promise<string | undefined> {
  const nonce = randomBytes(8).toString('hex');
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  try {
    const ticks = processStartTicks(process.pid);
    await handle.writeFile(JSON.stringify({ ...fields, pid: process.pid, started: Date.now(), nonce, ...(ticks !== undefined ? { ticks } : {}) }));
  } catch (e) {
    // A full disk: an empty lock left behind would make everyone wait for nobody.
    await handle.close().catch(() => {});
    await fs.rm(lock, { force: true });
    throw e;
  }
  await handle.close();
  return nonce;
}

export async function readLock(lock: string): Promise<LockInfo | undefined> {
  let raw: string;
  let st: Stats;
  try {
    const handle = await fs.open(lock, 'r');
    try {
      st = await handle.stat();
      raw = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const info: LockInfo = { started: st.mtimeMs, fields: {}, ino: st.ino, mtimeMs: st.mtimeMs, raw };
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (typeof o === 'object' && o !== null) {
      info.fields = o;
      if (Number.isSafeInteger(o.pid) && (o.pid as number) > 0) info.pid = o.pid as number;
      if (typeof o.started === 'number' && Number.isFinite(o.started)) info.started = o.started;
      if (typeof o.nonce === 'string') info.nonce = o.nonce;
    }
  } catch {
    // not written yet, or cut short: judged by its age
  }
  return info;
}

/** True for a lock that was never written (and is past the grace) or whose holder is gone. */
export function holderGone(info: LockInfo, now = Date.now()): boolean {
  if (info.pid === undefined) return now - info.mtimeMs > UNWRITTEN_LOCK_GRACE_MS;
  return !alive(info.pid, typeof info.fields.ticks === 'number' ? info.fields.ticks : undefined);
}

/** Removes the lock only while it is still this holder's (after a takeover it is someone else's). */
export async function removeLock(lock: string, nonce: string): Promise<void> {
  const info = await readLock(lock).catch(() => undefined);
  if (info?.nonce === nonce) await fs.rm(lock, { force: true });
}

/**
 * Removes a lock judged stale, if it is still the one that was judged. Of several waiters that
 * judged the same lock, only the one holding `<lock>.break` looks again and removes it: otherwise
 * one could take away the new lock another has just put in its place, and two would hold it. A
 * breaker that died holding `.break` is cleared the same way as any dead holder's lock.
 */
export async function breakLock(lock: string, seen: LockInfo): Promise<void> {
  const breaker = `${lock}.break`;
  const nonce = await createLock(breaker);
  if (nonce === undefined) {
    const other = await readLock(breaker).catch(() => undefined);
    if (other !== undefined && holderGone(other)) await removeIfSame(breaker, other);
    return; // the next look decides
  }
  try {
    await removeIfSame(lock, seen);
  } finally {
    await removeLock(breaker, nonce);
  }
}

/** Removes `file` if it is still what `seen` saw (same inode, same content). */
async function removeIfSame(file: string, seen: LockInfo): Promise<void> {
  const now = await readLock(file).catch(() => undefined);
  if (now !== undefined && now.ino === seen.ino && now.raw === seen.raw) await fs.rm(file, { force: true });
}

/**
 * Whether a process with this pid exists (EPERM means it does, under another user) and, when
 * `ticks` is given, is the very process that took the lock: its start, as the lock recorded it.
 * A pid is given out again once its process has ended: to another user's process (who could keep
 * it to block us), or after a reboot to anything (a lock on disk then names pid 1 or some daemon).
 * Where the system says when a process started (Linux), a process that started at another moment
 * than the one recorded is not the holder.
 */
export function alive(pid: number, ticks?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (ticks === undefined) return true;
  const now = processStartTicks(pid);
  return now === undefined || now === ticks;
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of Linux's /proc/PID/stat):
 * the same number for as long as the process lives, and another one for any later process with
 * its pid. Counted the same way for every process of the system, so nothing is converted (a
 * container's /proc/uptime may count from elsewhere). Undefined elsewhere, or when unreadable.
 */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
    return Number.isSafeInteger(ticks) && ticks >= 0 ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export interface WaitForLockOptions<T> {
  /** How long to wait for a live holder before `busy` (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  /** Time between looks at a held lock; a random extra of up to the same spreads the waiters. */
  pollMs?: number;
  /** A lock older than this is taken over although its holder lives. */
  staleAfterMs?: number;
  /** Written into the lock besides pid, start time and nonce (nothing secret). */
  fields?: Record<string, unknown>;
  /** Looked at before each attempt: what the holder before us made, which ends the wait. */
  found?: () => Promise<T | undefined>;
  /** The error for a live holder past `waitMs`. */
  busy: (info: LockInfo, now: number) => Error;
  /** The error for a lock that cannot be created at all (permissions, a full disk). */
  cannotTake: (e: NodeJS.ErrnoException) => Error;
}

/**
 * The one way to wait for a lock, shared by the session store's leases and the locks of the
 * shared files: try to create it; else look at it; break it when its holder is gone (or it is
 * older than `staleAfterMs`); give up with `busy` after `waitMs`. Returns the nonce to remove it
 * with, or what `found` saw.
 */
export async function waitForLock<T>(lock: string, o: WaitForLockOptions<T>): Promise<{ nonce: string } | { found: T }> {
  const pollMs = o.pollMs ?? 50;
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    const found = await o.found?.();
    if (found !== undefined) return { found };
    let nonce: string | undefined;
    try {
      nonce = await createLock(lock, o.fields);
    } catch (e) {
      throw o.cannotTake(e as NodeJS.ErrnoException);
    }
    if (nonce !== undefined) return { nonce };
    const info = await readLock(lock).catch(() => undefined);
    if (info === undefined) continue; // released between the attempt and the look
    const now = Date.now();
    if (holderGone(info, now) || (o.staleAfterMs !== undefined && now - info.started > o.staleAfterMs)) {
      await breakLock(lock, info);
      continue;
    }
    if (now >= deadline) throw o.busy(info, now);
    await new Promise((r) => setTimeout(r, Math.min(pollMs + Math.random() * pollMs, Math.max(1, deadline - now))));
  }
}
