import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { CachedSession, SessionCache } from './session-cache.js';

const VERSION = 1;

/**
 * Sessions as JSON files in a directory only the user can enter (0700, files 0600), the way the
 * AWS CLI keeps its own cache. An unreadable, truncated or foreign-version entry counts as absent
 * and is removed: the worst it costs is one more code.
 */
export function fileCache(dir: string): SessionCache {
  const fileOf = (key: string) => path.join(dir, `${key}.json`);

  const read = async (file: string): Promise<CachedSession | undefined> => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const session = decode(text);
    if (session === undefined) await fs.rm(file, { force: true });
    return session;
  };

  const entries = async (): Promise<string[]> => {
    try {
      return (await fs.readdir(dir)).filter((f) => /^[0-9a-f]{40}\.json$/.test(f));
    } catch {
      return [];
    }
  };

  return {
    mode: 'file',
    location: dir,
    async acquire(key, validUntil) {
      const s = await read(fileOf(key));
      if (s !== undefined && s.credentials.expiration.getTime() >= validUntil.getTime()) return { session: s };
      const store = async (session: CachedSession) => {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        await fs.chmod(dir, 0o700);
        const c = session.credentials;
        const body = { version: VERSION, ...session, credentials: { ...c, expiration: c.expiration.toISOString() } };
        await writeFileAtomic(fileOf(key), JSON.stringify(body), { mode: 0o600 });
      };
      return { lease: { put: store, release: async () => {} } };
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
      const out: Array<{ key: string; session: CachedSession }> = [];
      for (const f of await entries()) {
        const s = await read(path.join(dir, f));
        if (s !== undefined) out.push({ key: f.slice(0, -5), session: s });
      }
      return out;
    },
  };
}

function decode(text: string): CachedSession | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const c = o.credentials as Record<string, unknown> | undefined;
    if (o.version !== VERSION || (o.kind !== 'mfa-session' && o.kind !== 'role') || !Array.isArray(o.profiles) || typeof o.subject !== 'string') return undefined;
    if (!c || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || typeof c.sessionToken !== 'string' || typeof c.expiration !== 'string') return undefined;
    const expiration = new Date(c.expiration);
    if (isNaN(expiration.getTime())) return undefined;
    const session: CachedSession = {
      kind: o.kind,
      profiles: o.profiles.map(String),
      subject: o.subject,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration },
    };
    if (typeof o.sourceKeyId === 'string') session.sourceKeyId = o.sourceKeyId;
    return session;
  } catch {
    return undefined;
  }
}
