import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { encodeEntry, entryFile, isEntryFile, readEntryFile } from './entry.js';
import { encodeRoutes, isRouteFile, readRoutes, routeFileName, routeFor, routeHolds, routesBeside } from './route.js';
import { acquireWithLease } from './lease.js';
import { checkPrivateDir } from './private-dir.js';
import { sessionInfo, type CachedSession, type RouteNote, type RouteNotes, type SessionInfo, type SessionStore } from './store.js';

export interface DirStoreOptions {
  mode: 'runtime' | 'file';
  dir: string;
  /** The directory must be on tmpfs (runtime mode). */
  ram: boolean;
  uid: number | undefined;
  /** MFA_LOGIN_LOCK_TIMEOUT. */
  waitMs: number;
}

/**
 * Sessions as 0600 files in a private 0700 directory: on tmpfs for the runtime mode (nothing
 * reaches the disk; gone at logout or reboot), in ~/.cache for the file mode (kept across
 * reboots, like the AWS CLI's own cache). The directory is checked before every use; an entry
 * that is not a regular file of this user's is never read. Expired entries are removed on read,
 * write and logout.
 */
export function dirStore(options: DirStoreOptions): SessionStore & RouteNotes {
  const { dir } = options;
  const check = (create: boolean) => checkPrivateDir(dir, { create, ram: options.ram, uid: options.uid });

  /** Every entry file's name with what it holds (undefined: not one of ours, or unreadable). */
  const entries = async () => {
    if (!check(false)) return [];
    const names = (await fs.readdir(dir)).filter(isEntryFile);
    return names.map((name) => ({ file: path.join(dir, name), entry: readEntryFile(path.join(dir, name), options.uid) }));
  };
  const expired = (s: CachedSession) => s.credentials.expiration.getTime() <= Date.now();
  const sweep = async () => {
    for (const { file, entry } of await entries()) if (entry !== undefined && expired(entry.session)) await fs.rm(file, { force: true });
  };

  const store: SessionStore & RouteNotes = {
    mode: options.mode,
    location: dir,
    async read(key, validUntil) {
      if (!check(false)) return undefined;
      const file = entryFile(dir, key);
      const entry = readEntryFile(file, options.uid);
      if (entry === undefined || entry.key !== key) return undefined;
      if (expired(entry.session)) await fs.rm(file, { force: true });
      return entry.session.credentials.expiration.getTime() >= validUntil.getTime() ? entry.session : undefined;
    },
    async put(key, session) {
      check(true);
      try {
        await writeFileAtomic(entryFile(dir, key), encodeEntry(key, session), { mode: 0o600 });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new MfaLoginError('E_CACHE', `cannot keep the session in ${dir}: ${code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message}`, {
          hint: code === 'ENOSPC' ? `free some space in ${dir}, or run with MFA_LOGIN_CACHE=none` : `check ${dir}, or run with MFA_LOGIN_CACHE=none`,
          cause: e,
        });
      }
      await sweep();
    },
    async forget(profile) {
      // Routes hold no secret and are noted again on the next answer: all go, whichever profile.
      if (check(false)) for (const name of await fs.readdir(dir)) if (isRouteFile(name)) await fs.rm(path.join(dir, name), { force: true });
      let n = 0;
      for (const { file, entry } of await entries()) {
        const matches = entry !== undefined && (profile === undefined || entry.session.profiles.includes(profile));
        if (matches || entry === undefined || expired(entry.session)) await fs.rm(file, { force: true });
        if (matches && !expired(entry.session)) n++;
      }
      return n;
    },
    async list(): Promise<SessionInfo[]> {
      // Expired ones too: `status` shows them as expired until the next write or logout removes them.
      return (await entries()).flatMap(({ entry }) => (entry !== undefined ? [sessionInfo(entry.key, entry.session)] : []));
    },
    async noteRoute(note: RouteNote) {
      const name = routeFileName(note.profile);
      if (name === undefined || !check(false)) return;
      // The endpoint (serve) answers through here on every request: a route that holds stays.
      const noted = readRoutes(dir, note.profile, options.uid);
      if (noted.some((r) => r.key === note.key && r.accountId === note.accountId && r.region === note.region && routeHolds(r, note.profile, note.files, note.env))) return;
      const route = routeFor(note, path.basename(entryFile(dir, note.key)), Date.now());
      if (route === undefined) return;
      // The profile's routes for other environments (another shell's AWS_REGION) stay beside it.
      await writeFileAtomic(path.join(dir, name), encodeRoutes([route, ...routesBeside(route, noted)]), { mode: 0o600 });
    },
    acquire: acquireWithLease({
      dir: () => (check(true), dir),
      read: (key, validUntil) => store.read(key, validUntil),
      put: (key, session) => store.put(key, session),
      waitMs: options.waitMs,
    }),
  };
  return store;
}
