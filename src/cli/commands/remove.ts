import type { Deps } from '../../deps.js';
import { missingKeys } from '../../session/missing-keys.js';
import { forgetEverywhere } from '../../session/forget.js';
import { updateKeyInfo } from '../../secrets/key-info.js';
import { findWrittenSessions, sectionList } from '../../session/written-sessions.js';
import { count } from '../../output/count.js';

/** `mfa-login remove <profile>`: delete the stored keys and every session obtained with them. */
export async function remove(deps: Deps, profile: string): Promise<void> {
  const store = deps.secrets();
  const removed = await store.remove(profile);
  const forgotten = await forgetEverywhere(deps, profile);
  if (removed) {
    await updateKeyInfo(deps, (info) => {
      delete info.keys[profile];
      delete info.rotations[profile];
    });
  }
  if (!removed) throw await missingKeys(deps, profile, 'see which profiles have keys with: mfa-login list');
  deps.stdout(`Removed the keys of ${profile} from ${store.location}${forgotten > 0 ? ` and forgot ${count(forgotten, 'cached session')}` : ''}.\n`);
  // Sessions already written out work until they expire: say so, and how to take them away.
  const { shown, sessions } = await findWrittenSessions(deps, profile);
  if (sessions.length > 0) {
    const until = sessions.map((s) => s.expiration).filter((e): e is string => e !== undefined).sort().pop();
    deps.stdout(`Left ${sectionList(sessions.map((s) => s.section))} in ${shown}, written with these keys${until ? ` and good until ${until}` : ''}; remove ${sessions.length === 1 ? 'it' : 'them'} with: mfa-login logout ${profile}\n`);
  }
}
