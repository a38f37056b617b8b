import type { CachedSession, SessionStore } from '../session-store/store.js';
import type { SessionCredentials } from '../credentials.js';
import type { Deps } from '../deps.js';

/** What a provider hands back: the credentials, and whether they came from the cache with nothing asked of STS. */
export interface Got {
  credentials: SessionCredentials;
  fromCache: boolean;
}

/** Where one session is kept, and how long it must still last to be handed out. */
export interface CacheSlot {
  key: string;
  marginMs: number;
  /** What the session is, for --debug: "MFA session of alice", "session of arn:...". */
  what: string;
  /** The profile the user asked for, for the cache's messages about waiting. */
  asker: string;
}

/**
 * The caching wrapper around any provider (aws-vault's CachedSessionProvider): the session for
 * `slot.key` from the cache when it lasts long enough, else made by `make` under the cache's
 * lease, so that parallel callers wait for this one instead of each spending a code and an STS
 * call. Whoever waited receives what `make` produced; when `make` fails the lease is given back.
 */
export async function cachedSession(
  deps: { cache: Pick<SessionStore, 'acquire'> } & Pick<Deps, 'now' | 'debug'>,
  slot: CacheSlot,
  make: () => Promise<CachedSession>,
): Promise<Got> {
  const got = await deps.cache.acquire(slot.key, new Date(deps.now().getTime() + slot.marginMs), slot.asker);
  if (got.session !== undefined) {
    deps.debug(`using the cached ${slot.what} (expires ${got.session.credentials.expiration.toISOString()})`);
    return { credentials: got.session.credentials, fromCache: true };
  }
  let made: CachedSession;
  try {
    made = await make();
  } catch (e) {
    await got.lease.release().catch(() => {});
    throw e;
  }
  await got.lease.put(made);
  return { credentials: made.credentials, fromCache: false };
}
