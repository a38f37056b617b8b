import type { CachedSession } from './store.js';
import { keyFileName } from './key-file-name.js';
import { readOwnFile } from './own-file.js';

/**
 * A session entry as it is kept: JSON with a format version and the full key it was stored under.
 * One reader, `readEntryFile`, serves the cached path and the full CLI alike.
 */
const VERSION = 1;
/** No entry is anywhere near this; a bigger file is not one of ours. */
const MAX_ENTRY_BYTES = 64 * 1024;

/** A session as JSON: the same shape as CachedSession with the expiration as an RFC 3339 string. */
export type SessionJson = Omit<CachedSession, 'credentials'> & {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
};

export function sessionToJson(session: CachedSession): SessionJson {
  const c = session.credentials;
  const out: SessionJson = {
    kind: session.kind,
    profiles: [...session.profiles],
    subject: session.subject,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration.toISOString() },
  };
  if (session.sourceKeyId !== undefined) out.sourceKeyId = session.sourceKeyId;
  return out;
}

/**
 * The session in `value`, or undefined when anything is missing or of the wrong type: an entry
 * written by another version, or cut short, counts as absent rather than as an error.
 */
export function sessionFromJson(value: unknown): CachedSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const c = o.credentials as Record<string, unknown> | undefined;
  if ((o.kind !== 'mfa-session' && o.kind !== 'role') || !Array.isArray(o.profiles) || typeof o.subject !== 'string') return undefined;
  if (typeof c !== 'object' || c === null) return undefined;
  if (typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || typeof c.sessionToken !== 'string' || typeof c.expiration !== 'string') return undefined;
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
}

export function encodeEntry(key: string, session: CachedSession): string {
  return JSON.stringify({ version: VERSION, key, ...sessionToJson(session) });
}

export function decodeEntry(text: string): { key: string; session: CachedSession } | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || o.version !== VERSION || typeof o.key !== 'string') return undefined;
    const session = sessionFromJson(o);
    return session === undefined ? undefined : { key: o.key, session };
  } catch {
    return undefined;
  }
}

/** Whether a file name in a store directory is an entry's (as entryFile makes them). */
export function isEntryFile(name: string): boolean {
  // Without a regular expression: the cached path checks a route's entry name with this.
  if (name.length !== 21 || !name.endsWith('.json')) return false;
  for (let i = 0; i < 16; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Where the entry for `key` lives in a store directory. Keys are long JSON texts: names are hashes. */
export function entryFile(dir: string, key: string): string {
  return `${dir}/${keyFileName(key)}.json`;
}

/** The entry in `file` (read as readOwnFile reads: only a regular 0600 file of this user's), or undefined. */
export function readEntryFile(file: string, uid: number | undefined): { key: string; session: CachedSession } | undefined {
  const text = readOwnFile(file, uid, MAX_ENTRY_BYTES);
  return text === undefined ? undefined : decodeEntry(text);
}
