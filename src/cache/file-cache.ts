import { keyFileName } from './key-file-name.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';
import { sessionFromJson, sessionToJson } from '../agent/session-json.js';
import { breakLock, createLock, holderGone, readLock, removeLock, type LockInfo } from '../agent/lock-file.js';
import { busyError, DEFAULT_WAIT_SECONDS, LEASE_MAX_MS, waitTimeoutMs } from '../agent/waiting.js';
import { sessionInfo, type Acquired, type CachedSession, type Lease, type SessionCache, type SessionInfo } from './session-cache.js';

const VERSION = 1;

export interface FileCacheOptions {
  /** How long acquire() waits for another process's lock before it gives up with a clear error. */
  waitTimeoutMs?: number;
  /** A lock older than this is taken over even though its process still lives. */
  leaseMaxMs?: number;
  /** How often a waiter looks at the lock again (a random extra of up to the same again is added). */
  pollMs?: number;
}

/** The settings a user can change: MFA_LOGIN_LOCK_TIMEOUT (seconds, default 300). */
export function fileCacheOptions(env: Record<string, string | undefined>): FileCacheOptions {
  return { waitTimeoutMs: waitTimeoutMs(env) };
}

/**
 * Sessions as JSON files in a directory only the user can enter (0700, files 0600), the way the
 * AWS CLI keeps its own cache. An unreadable, truncated or foreign-version entry counts as absent
 * and is removed: the worst it costs is one more code.
 *
 * Parallel processes take turns through a lock file per key, `<key>.lock`, created with O_EXCL
 * and holding the holder's pid and start time. Waiters poll it. A lock whose pid is gone, or that
 * is older than the longest lease, is stale: a waiter renames it away (atomic, so only one waiter
 * breaks a given lock) and competes for a new one like everybody else.
 */
export function fileCache(dir: string, options: FileCacheOptions = {}): SessionCache {
  const waitMs = options.waitTimeoutMs ?? DEFAULT_WAIT_SECONDS * 1000;
  const leaseMaxMs = options.leaseMaxMs ?? LEASE_MAX_MS;
  const pollMs = options.pollMs ?? 50;
  // Keys are long JSON texts; file names are their hashes.
  const fileOf = (key: string) => path.join(dir, `${keyFileName(key)}.json`);
  const lockOf = (key: string) => path.join(dir, `${keyFileName(key)}.lock`);

  /** The session in `file`; when `key` is given, only if the entry was stored under that key. */
  const read = async (file: string, key?: string): Promise<CachedSession | undefined> => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const entry = decode(text);
    if (entry === undefined) await fs.rm(file, { force: true });
    return entry !== undefined && (key === undefined || entry.key === key) ? entry.session : undefined;
  };

  const entries = async (): Promise<string[]> => {
    try {
      return (await fs.readdir(dir)).filter((f) => /^[0-9a-f]{16}\.json$/.test(f));
    } catch {
      return [];
    }
  };

  const ensureDir = async () => {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
  };

  const isStale = (info: LockInfo, now: number): boolean => holderGone(info, now) || now - info.started > leaseMaxMs;

  return {
    mode: 'file',
    location: dir,
    async acquire(key, validUntil, profile): Promise<Acquired> {
      const fresh = (s: CachedSession | undefined): s is CachedSession => s !== undefined && s.credentials.expiration.getTime() >= validUntil.getTime();
      const file = fileOf(key);
      const lock = lockOf(key);
      const deadline = Date.now() + waitMs;
      let dirReady = false;
      for (;;) {
        const s = await read(file, key);
        if (fresh(s)) return { session: s };
        if (!dirReady) {
          await ensureDir();
          dirReady = true;
        }
        const nonce = await createLock(lock, { profile });
        if (nonce !== undefined) {
          // Whoever held the lock before may have stored the session between the read above and now.
          const again = await read(file, key);
          if (fresh(again)) {
            await removeLock(lock, nonce);
            return { session: again };
          }
          return { lease: fileLease(key, file, lock, nonce) };
        }
        const info = await readLock(lock);
        if (info === undefined) continue; // released between the attempt and the look
        const now = Date.now();
        if (isStale(info, now)) {
          await breakLock(lock, info);
          continue;
        }
        if (now >= deadline) throw busyError(info.pid, profile, now - info.started);
        await sleep(Math.min(pollMs + Math.random() * pollMs, Math.max(1, deadline - now)));
      }
    },
    async forget(profile) {
      let n = 0;
      for (const f of await entries()) {
        const file = path.join(dir, f);
        const s = await read(file);
        if (profile === undefined || s === undefined || s.profiles.includes(profile)) {
          await fs.rm(file, { force: true });
          if (s !== undefined) n++;
        }
      }
      return n;
    },
    async list() {
      const out: SessionInfo[] = [];
      for (const f of await entries()) {
        const entry = decode(await fs.readFile(path.join(dir, f), 'utf8').catch(() => ''));
        if (entry !== undefined) out.push(sessionInfo(entry.key, entry.session));
      }
      return out;
    },
  };

  function fileLease(key: string, file: string, lock: string, nonce: string): Lease {
    let done = false;
    return {
      async put(session) {
        if (done) return;
        done = true;
        try {
          await writeFileAtomic(file, JSON.stringify({ version: VERSION, key, ...sessionToJson(session) }), { mode: 0o600 });
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function decode(text: string): { key: string; session: CachedSession } | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || o.version !== VERSION || typeof o.key !== 'string') return undefined;
    const session = sessionFromJson(o);
    return session === undefined ? undefined : { key: o.key, session };
  } catch {
    return undefined;
  }
}

