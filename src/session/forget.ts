import type { Deps } from '../deps.js';
import { everyStore } from '../session-store/open.js';
import { DirectoryRefused } from '../session-store/private-dir.js';

/**
 * Forgets sessions wherever they may be, not only in the mode in use: files left by an earlier
 * MFA_LOGIN_CACHE=file, or an agent still running, would otherwise outlive a logout. Never starts
 * an agent just to find it empty.
 */
export async function forgetEverywhere(deps: Deps, profile: string | undefined): Promise<number> {
  let n = 0;
  const warned = new Set<string>();
  for (const store of everyStore(deps.settings, deps.stderr)) {
    try {
      n += await store.forget(profile);
    } catch (e) {
      // Another user's directory (or link) in its place never held anything of the user's, so
      // there is nothing to forget in it: said, and the rest goes on (otherwise another user's
      // directory in /dev/shm would stop logout, remove and add). One of the user's own that is
      // refused (open to others, say) may hold sessions: that stays an error.
      if (!(e instanceof DirectoryRefused) || !e.foreign) throw e;
      // The agent's socket may be in the same directory as the runtime sessions: said once.
      if (warned.has(e.message)) continue;
      warned.add(e.message);
      deps.stderr(`mfa-login: warning: ${e.message}\n${e.hint !== undefined ? `  hint: ${e.hint}\n` : ''}`);
    }
  }
  return n;
}
