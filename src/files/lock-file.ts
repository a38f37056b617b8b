import { promises as fs, constants } from 'node:fs';
import { startChild } from '../child-process.js';

/**
 * Locks the kernel keeps: the session store's leases (one per session key), the agent's claim to
 * serve, and the lock around every read-modify-write of a file we share with other writers.
 *
 * Why not a lock file judged by "is the pid written in it alive" (what this module did before):
 * that guess fails where /proc is mounted hidepid (another user's process that got the dead
 * holder's pid looks alive for ever), across pid namespaces (a devcontainer that bind-mounts
 * ~/.aws takes a lock whose holder the host cannot see, or sees as some other process) and after
 * a reboot. Here the kernel holds the lock on an open file and drops it when the holder's last
 * descriptor closes, which its exit, a SIGKILL or a crash all do: nothing is judged, and it holds
 * across users, pid namespaces and containers that share the file.
 *
 * How, per platform (one way per platform, so every mfa-login on a machine excludes the others):
 * - Linux (and any system below): flock(2). Node has no flock call, and the native bindings
 *   (fs-ext) compile with node-gyp at install, which needs a C++ toolchain on every user's machine
 *   and which npm 11.16 warns about and npm 12 blocks by default. So a helper: `flock -x 3`
 *   (util-linux; BusyBox and toybox take the same `-x`, `-n` and descriptor form) is given our
 *   open lock file as its descriptor 3. A flock lock belongs to the open file description, which
 *   the helper shares with us: when it exits, the lock stays with our descriptor, and the kernel
 *   drops it when we close it or die. One process start per lock: about 3 ms to take and let go,
 *   against 0.3 ms for the pid-judged lock file this replaces (measured on Linux); a
 *   waiter's helper blocks in the kernel, so waiting costs nothing.
 * - macOS and FreeBSD: open(2) with O_EXLOCK takes the same flock lock inside the open itself,
 *   with O_NONBLOCK it fails with EAGAIN while another holds it: no helper; a waiter polls.
 * - Windows: a file opened share-nothing (libuv's UV_FS_O_EXLOCK) cannot be opened again until
 *   its handle is closed, which Windows does when the process ends: EBUSY while held; polled.
 *
 * The holder removes the lock file while it still holds it, so that ~/.aws keeps no litter. A
 * waiter that was already blocked on the removed file then holds a file no name leads to: it
 * sees that (the name leads to another file, or to none) and tries again. A file left by a holder
 * that died is simply locked by the next one.
 *
 * What the holder writes into it (its pid, when it took it, the profile) is for people reading it
 * and for messages; nothing is decided by it, and no message names that pid as one to kill.
 */

/** What a lock file says about its holder: for messages and people, never for deciding. */
export interface LockNote {
  /** When the holder took it, ms since the epoch. */
  started?: number;
  /** The holder's pid, in the holder's own pid namespace. */
  pid?: number;
  /** Anything else the holder wrote (the session store writes the profile). */
  fields: Record<string, unknown>;
}

export interface HeldLock {
  readonly path: string;
  /** Removes the lock file (while still holding it) and ends the lock. Once; later calls do nothing. */
  release(): Promise<void>;
}

export interface TakeLockOptions<T> {
  /** How long to wait for a live holder before `busy` (MFA_LOGIN_LOCK_TIMEOUT). */
  waitMs: number;
  /** How often `found` is asked again while waiting (and, where the platform makes us poll, the lock). */
  pollMs?: number;
  /** Written into the lock besides the pid and the time (nothing secret). */
  fields?: Record<string, unknown>;
  /** Looked at before taking and while waiting: what the holder before us made, which ends the wait. */
  found?: () => Promise<T | undefined>;
  /** The error for a holder still there after `waitMs`; `note` is what it wrote, when readable. */
  busy: (note: LockNote | undefined, waitedMs: number) => Error;
  /** The error for a lock that cannot be taken at all (permissions, a full disk, no flock helper). */
  cannotTake: (e: NodeJS.ErrnoException) => Error;
}

type Way = 'flock' | 'exlock' | 'share-nothing';
const WAY: Way = process.platform === 'win32' ? 'share-nothing' : process.platform === 'darwin' || process.platform === 'freebsd' ? 'exlock' : 'flock';

/** O_EXLOCK of <sys/fcntl.h> on macOS and FreeBSD (Node does not export it); UV_FS_O_EXLOCK of libuv on Windows. */
const O_EXLOCK = 0x20;
const UV_FS_O_EXLOCK = 0x10000000;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Takes the lock, waiting up to `waitMs` for its holder; returns it held, or what `found` saw
 * first. A holder that died holds nothing: its lock is taken at once.
 */
export async function takeLock<T = never>(lock: string, o: TakeLockOptions<T>): Promise<{ held: HeldLock } | { found: T }> {
  const pollMs = o.pollMs ?? 50;
  const start = Date.now();
  const deadline = start + o.waitMs;
  const found = async () => (o.found === undefined ? undefined : o.found());
  for (;;) {
    const seen = await found();
    if (seen !== undefined) return { found: seen };
    const handle = await openLock(lock, o.cannotTake);
    const got = handle === 'busy' ? await pollOpen(lock, deadline, pollMs, found, o.cannotTake) : await lockOpened(handle, deadline, pollMs, found, o.cannotTake);
    if ('found' in got) return got as { found: T };
    if ('busy' in got) throw o.busy(await readLockNote(lock).catch(() => undefined), Date.now() - start);
    const held = await holdIfCurrent(lock, got.handle, o.fields);
    if (held !== undefined) return { held };
  }
}

/** Takes the lock if nobody holds it, without waiting; undefined while another does. */
export async function tryLock(lock: string, fields: Record<string, unknown> = {}): Promise<HeldLock | undefined> {
  const fail = (e: NodeJS.ErrnoException) => e;
  for (let attempt = 0; attempt < 5; attempt++) {
    const handle = await openLock(lock, fail);
    if (handle === 'busy') return undefined;
    const got = await lockOpened(handle, 0, 0, async () => undefined, fail);
    if (!('handle' in got)) return undefined;
    const held = await holdIfCurrent(lock, got.handle, fields);
    if (held !== undefined) return held;
  }
  return undefined;
}

/** A note is one short JSON line: anything longer was not written by a holder. */
const NOTE_MAX_BYTES = 4096;

/**
 * What the holder wrote into the lock file; undefined when there is none or it cannot be read.
 * Only a regular file is read, and only its first NOTE_MAX_BYTES: opened without waiting
 * (O_NONBLOCK), so a FIFO in its place cannot hold the reader for ever.
 */
export async function readLockNote(lock: string): Promise<LockNote | undefined> {
  let raw: string;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(lock, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
    const st = await handle.stat();
    if (!st.isFile() || st.size > NOTE_MAX_BYTES) return undefined;
    const buffer = Buffer.alloc(NOTE_MAX_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, NOTE_MAX_BYTES, 0);
    raw = buffer.toString('utf8', 0, bytesRead);
  } catch {
    return undefined; // none, a link, or (on Windows) held share-nothing
  } finally {
    await handle?.close().catch(() => {});
  }
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) return undefined;
    return {
      ...(typeof o.started === 'number' && Number.isFinite(o.started) ? { started: o.started } : {}),
      ...(Number.isSafeInteger(o.pid) && (o.pid as number) > 0 ? { pid: o.pid as number } : {}),
      fields: o,
    };
  } catch {
    return undefined; // not written yet
  }
}

type Got = { handle: fs.FileHandle } | { found: unknown } | { busy: true };

/**
 * Opens (creating) the lock file, never through a symbolic link. Where the open itself locks
 * (O_EXLOCK, share-nothing) a held lock is 'busy'.
 */
async function openLock(lock: string, cannotTake: (e: NodeJS.ErrnoException) => Error): Promise<fs.FileHandle | 'busy'> {
  const flags = constants.O_RDWR | constants.O_CREAT | NOFOLLOW | (WAY === 'exlock' ? O_EXLOCK | constants.O_NONBLOCK : WAY === 'share-nothing' ? UV_FS_O_EXLOCK : 0);
  try {
    return await fs.open(lock, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Windows: EBUSY is the sharing violation of a held lock; EPERM a file still being deleted by
    // the holder before (a real permission problem then ends as busy, after the wait).
    if ((WAY === 'exlock' && (code === 'EAGAIN' || code === 'EWOULDBLOCK')) || (WAY === 'share-nothing' && (code === 'EBUSY' || code === 'EPERM'))) return 'busy';
    throw cannotTake(e as NodeJS.ErrnoException);
  }
}

/** Where the open locks: tries again every `pollMs` until it is ours, `found` says, or the deadline passes. */
async function pollOpen(lock: string, deadline: number, pollMs: number, found: () => Promise<unknown>, cannotTake: (e: NodeJS.ErrnoException) => Error): Promise<Got> {
  for (;;) {
    const now = Date.now();
    if (now >= deadline) return { busy: true };
    // A random extra of up to the same keeps waiters from moving in step.
    await sleep(Math.min(pollMs + Math.random() * pollMs, deadline - now));
    const seen = await found();
    if (seen !== undefined) return { found: seen };
    const handle = await openLock(lock, cannotTake);
    if (handle !== 'busy') return { handle };
  }
}

/**
 * The file is open; on Linux it is now locked through the helper, which blocks in the kernel
 * until the lock is ours. Meanwhile `found` is asked every `pollMs`; when it answers, or at the
 * deadline, the helper is ended and our descriptor closed, which drops a lock it may have got
 * in the meantime (nothing else shares that open file once the helper is gone).
 */
async function lockOpened(handle: fs.FileHandle, deadline: number, pollMs: number, found: () => Promise<unknown>, cannotTake: (e: NodeJS.ErrnoException) => Error): Promise<Got> {
  if (WAY !== 'flock') return { handle };
  const wait = deadline > Date.now();
  // Only PATH: the helper needs nothing else of ours. -n: fail at once (exit 1) rather than wait.
  const helper = startChild('flock', wait ? ['-x', '3'] : ['-n', '-x', '3'], { stdio: ['ignore', 'ignore', 'ignore', handle.fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const exited = new Promise<number | null | Error>((resolve) => {
    helper.once('error', (e) => resolve(e));
    helper.once('exit', (code) => resolve(code));
  });
  const giveUp = async (then: Got): Promise<Got> => {
    helper.kill('SIGKILL');
    const code = await exited;
    if (code === 0) return { handle }; // it got the lock just before it was ended: ours after all
    await handle.close().catch(() => {});
    return then;
  };
  for (;;) {
    const now = Date.now();
    const step = wait ? Math.max(0, Math.min(pollMs, deadline - now)) : undefined;
    const r = await Promise.race([exited, ...(step === undefined ? [] : [sleep(step).then(() => 'tick' as const)])]);
    if (r === 'tick') {
      if (Date.now() >= deadline) return giveUp({ busy: true });
      const seen = await found();
      if (seen !== undefined) return giveUp({ found: seen });
      continue;
    }
    if (r === 0) return { handle };
    await handle.close().catch(() => {});
    if (r === 1 && !wait) return { busy: true };
    if (r instanceof Error) {
      const e = r as NodeJS.ErrnoException;
      throw cannotTake(e.code === 'ENOENT' ? Object.assign(new Error('the flock command (util-linux) is not installed'), { code: 'ENOFLOCK' }) : e);
    }
    throw cannotTake(Object.assign(new Error(r === null ? 'the flock helper was ended by a signal' : `flock failed (exit status ${r})`), { code: 'EFLOCK' }));
  }
}

/**
 * Holds the lock on the open file if the lock's name still leads to it (the holder before us
 * removes the file while holding it: then we hold a file nobody else will ever look at, and try
 * again), and writes the note. Undefined: closed, try again.
 */
async function holdIfCurrent(lock: string, handle: fs.FileHandle, fields: Record<string, unknown> | undefined): Promise<HeldLock | undefined> {
  if (!(await leadsTo(lock, handle))) {
    await handle.close().catch(() => {});
    return undefined;
  }
  try {
    const note = JSON.stringify({ ...fields, pid: process.pid, started: Date.now() });
    await handle.truncate(0);
    await handle.write(note, 0);
  } catch {
    // A full disk: the note is for people; the lock is held all the same.
  }
  let released = false;
  return {
    path: lock,
    async release() {
      if (released) return;
      released = true;
      // Removed while held, and only if the name still leads to our file (a person may have
      // removed it by hand, and another taken a new one since).
      if (WAY !== 'share-nothing' && (await leadsTo(lock, handle))) await fs.rm(lock, { force: true }).catch(() => {});
      await handle.close().catch(() => {});
      // Windows cannot remove a file open share-nothing: after the close, unless another has it already.
      if (WAY === 'share-nothing') await fs.rm(lock, { force: true }).catch(() => {});
    },
  };
}

async function leadsTo(lock: string, handle: fs.FileHandle): Promise<boolean> {
  if (WAY === 'share-nothing') return true; // nobody can remove or replace it while it is open
  try {
    const [mine, named] = await Promise.all([handle.stat(), fs.lstat(lock)]);
    return mine.ino === named.ino && mine.dev === named.dev;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
