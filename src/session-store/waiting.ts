import type { SessionStore } from './store.js';

/** Shows `text` while `work` runs, once it has run for `delayMs` (a spinner on a terminal). */
export type During = <T>(text: string, work: () => Promise<T>, delayMs: number) => Promise<T>;

/** Shown only when the wait lasts: a cache hit answers long before. */
const WAIT_SHOWN_AFTER_MS = 1000;

/**
 * The store, saying so while a caller waits for another process's lease on the session it needs:
 * a command that seems to hang is waiting for someone else's code or STS call.
 */
export function sayingWaits(store: SessionStore, during: During): SessionStore {
  return { ...store, acquire: (key, until, profile) => during(`waiting for another mfa-login process getting ${profile}`, () => store.acquire(key, until, profile), WAIT_SHOWN_AFTER_MS) };
}
