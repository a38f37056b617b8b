import type { CachedSession } from '../cache/session-cache.js';

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
 * The session in `value`, or undefined when anything is missing or of the wrong type: a cache
 * entry written by another version, or cut short, counts as absent rather than as an error.
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
