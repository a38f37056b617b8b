import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { defaultProfileName, unknownProfile } from '../../config/profiles.js';
import { readProfiles } from '../../session/profiles-io.js';
import { forgetEverywhere } from '../../session/forget.js';
import { findWrittenSessions, removeWrittenSessions, sectionList } from '../../session/written-sessions.js';
import { count } from '../../output/count.js';

/**
 * `mfa-login logout [<profile>|--all]`: forget cached sessions, and take the sessions mfa-login
 * wrote to ~/.aws/credentials out of it (unless --keep-files), so that no working credential is
 * left behind. Keys stay where they are.
 */
export async function logout(deps: Deps, profile: string | undefined, all: boolean, keepFiles = false): Promise<void> {
  if (all && profile !== undefined) throw new MfaLoginError('E_USAGE', 'give a profile or --all, not both', { hint: 'mfa-login logout --all' });
  const name = all ? undefined : (profile ?? defaultProfileName(deps.env));
  // The written sessions first: a credentials file that cannot be written then stops the logout
  // before anything is forgotten, so its "nothing was changed" is true.
  const files = keepFiles ? await findWrittenSessions(deps, name) : undefined;
  const removed = keepFiles ? { shown: files!.shown, sections: [] } : await removeWrittenSessions(deps, name);
  const n = await forgetEverywhere(deps, name);
  if (name !== undefined && n === 0 && removed.sections.length === 0 && (files?.sessions.length ?? 0) === 0) {
    // Nothing of that name anywhere: a typo, or no default profile. Said the way every other
    // command says it, rather than "forgot 0 sessions".
    const set = await readProfiles(deps);
    if (!set.profiles.has(name)) {
      const e = unknownProfile(set, name);
      if (profile !== undefined) throw e;
      throw new MfaLoginError(e.code, `no profile given, and ${e.message}`, { hint: 'name one: mfa-login logout PROFILE, or forget every session: mfa-login logout --all' });
    }
  }
  const of = name === undefined ? '' : ` of ${name}`;
  let text = `Forgot ${count(n, 'cached session')}${of}`;
  if (removed.sections.length > 0) text += ` and removed ${sectionList(removed.sections)} from ${removed.shown}`;
  text += '.';
  if (files !== undefined && files.sessions.length > 0) text += ` Kept ${sectionList(files.sessions.map((s) => s.section))} in ${files.shown} (--keep-files): ${files.sessions.length === 1 ? 'it works' : 'they work'} until ${files.sessions.length === 1 ? 'it expires' : 'they expire'}.`;
  deps.stdout(`${text}\n`);
}
