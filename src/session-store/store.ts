import type { SessionCredentials } from '../credentials.js';
import type { CacheMode } from '../settings.js';
import type { SharedFilePaths } from '../config/shared-files.js';

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

/** The right to obtain the session for one key while other callers for that key wait. */
export interface Lease {
  /** Stores the session, then ends the lease: whoever waits finds it. */
  put(session: CachedSession): Promise<void>;
  /** Ends the lease without a session (the holder failed); the next waiter gets a lease. */
  release(): Promise<void>;
}

/** Either a session that is valid long enough, or the lease to go and get one. */
export type Acquired = { session: CachedSession; lease?: undefined } | { session?: undefined; lease: Lease };

/**
 * Where sessions are kept between invocations: files in a private RAM-backed directory (the
 * default on Linux), files in ~/.cache, an agent process's memory, or nowhere. Every mode shares
 * one lease mechanism (lease.ts): sixteen processes starting at once spend one code and one STS
 * call, not sixteen.
 */
export interface SessionStore {
  readonly mode: CacheMode;
  /** Where it keeps things, for messages. */
  readonly location: string;
  /** The session for `key` if it lasts until `validUntil`; never waits. */
  read(key: string, validUntil: Date): Promise<CachedSession | undefined>;
  put(key: string, session: CachedSession): Promise<void>;
  /** Forgets every session that involves `profile`, or all when undefined; returns how many. */
  forget(profile?: string): Promise<number>;
  /** What is held, without any secret. */
  list(): Promise<SessionInfo[]>;
  /**
   * A session for `key` valid at least until `validUntil`, or else a lease to obtain it. While
   * another caller holds the lease, waits (bounded: a clear error, never a hang) and then returns
   * what that caller stored. A lease whose holder died is taken over.
   */
  acquire(key: string, validUntil: Date, profile: string): Promise<Acquired>;
}

/**
 * Where the full path notes which entry answered for a profile (route.ts), so that the cached path
 * can answer the next call without the config. The stores the cached path reads keep routes (the
 * directories in files, the agent in memory; `none` takes `noRoutes`); a route that cannot be
 * vouched for is simply not noted.
 */
export interface RouteNotes {
  noteRoute(note: RouteNote): Promise<void>;
}

/** For the store the cached path never reads (none): nothing to note. */
export const noRoutes: RouteNotes = { noteRoute: async () => {} };

/** What the full path knows when it has answered for a profile: everything a route holds but the stamps. */
export interface RouteNote {
  profile: string;
  files: SharedFilePaths;
  /** The two files' texts the answer was derived from (undefined: the file did not exist). */
  texts: [string | undefined, string | undefined];
  env: Record<string, string | undefined>;
  key: string;
  accountId?: string;
  region?: string;
}

/** A cached session as `status` shows it: what and until when, never the secret parts. */
export interface SessionInfo {
  key: string;
  kind: CachedSession['kind'];
  subject: string;
  profiles: string[];
  accessKeyId: string;
  expiration: Date;
}

export function sessionInfo(key: string, s: CachedSession): SessionInfo {
  return { key, kind: s.kind, subject: s.subject, profiles: s.profiles, accessKeyId: s.credentials.accessKeyId, expiration: s.credentials.expiration };
}

/** No cache at all (MFA_LOGIN_CACHE=none): every invocation asks STS, and asks for a code. */
export const noStore: SessionStore = {
  mode: 'none',
  location: 'nowhere (MFA_LOGIN_CACHE=none)',
  read: async () => undefined,
  put: async () => {},
  acquire: async () => ({ lease: { put: async () => {}, release: async () => {} } }),
  forget: async () => 0,
  list: async () => [],
};
