import { createHash } from 'node:crypto';
import type { SessionCredentials } from '../credentials.js';

/** A temporary session kept between invocations so one code lasts until the session expires. */
export interface CachedSession {
  kind: 'mfa-session' | 'role';
  credentials: SessionCredentials;
  /** Every profile the session was obtained through: forgetting any of them forgets it. */
  profiles: string[];
  /** What it is, for `status`: an MFA device or a role ARN. Never secret. */
  subject: string;
  /** The access key id of the long-term key it came from, so a replaced key is noticed. */
  sourceKeyId?: string;
}

/** The sessions' resting place. Files for now; the choice is behind this interface. */
export interface SessionCache {
  readonly mode: 'file' | 'none';
  /** Where it keeps things, for messages. */
  readonly location: string;
  get(key: string): Promise<CachedSession | undefined>;
  put(key: string, session: CachedSession): Promise<void>;
  /** Forgets every session that involves `profile`, or all when undefined; returns how many. */
  forget(profile?: string): Promise<number>;
  list(): Promise<Array<{ key: string; session: CachedSession }>>;
}

/**
 * Cache keys are a hash of everything that changes what STS would hand out, so changing a role,
 * an external id or the MFA device in the config makes a new key rather than reusing a stale
 * session. The long-term key is not part of it: reading it would mean opening the keychain on
 * every cache hit; `add` and `remove` forget a profile's sessions instead.
 */
export function cacheKey(parts: Record<string, string | number | undefined>): string {
  const canonical = JSON.stringify(Object.keys(parts).sort().map((k) => [k, parts[k] ?? null]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 40);
}

/** No cache at all (MFA_LOGIN_CACHE=none): every invocation asks STS, and asks for a code. */
export const noCache: SessionCache = {
  mode: 'none',
  location: 'nowhere (MFA_LOGIN_CACHE=none)',
  get: async () => undefined,
  put: async () => {},
  forget: async () => 0,
  list: async () => [],
};
