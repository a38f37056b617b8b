import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { configHeaderFor, defaultProfileName, unknownProfile } from '../../config/profiles.js';
import { readProfiles, shortPath } from '../../session/profiles-io.js';
import { missingKeys } from '../../session/missing-keys.js';
import { forgetEverywhere } from '../../session/forget.js';
import { updateKeyInfo } from '../../secrets/key-info.js';
import type { StorePlace } from '../../secrets/store.js';
import { findWrittenSessions, removeWrittenSessions, sectionList } from '../../session/written-sessions.js';

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
  deps.stdout(`Removed the keys of ${profile} from ${store.location}${forgotten > 0 ? ` and forgot ${plural(forgotten, 'cached session')}` : ''}.\n`);
  // Sessions already written out work until they expire: say so, and how to take them away.
  const { shown, sessions } = await findWrittenSessions(deps, profile);
  if (sessions.length > 0) {
    const until = sessions.map((s) => s.expiration).filter((e): e is string => e !== undefined).sort().pop();
    deps.stdout(`Left ${sectionList(sessions.map((s) => s.section))} in ${shown}, written with these keys${until ? ` and good until ${until}` : ''}; remove ${sessions.length === 1 ? 'it' : 'them'} with: mfa-login logout ${profile}\n`);
  }
}

/**
 * `mfa-login list`: the profiles whose keys are stored, in whichever store holds them, with their
 * MFA device. The store new keys go to must be readable (a broken MFA_LOGIN_FILE_STORE fails the
 * command); another that cannot be read now (a key file whose passphrase nobody can type here) is
 * said, and its profiles listed as recorded.
 */
export async function list(deps: Deps, json: boolean): Promise<void> {
  const store = deps.secrets();
  const [found, files] = await Promise.all([store.inventory(), readProfiles(deps)]);
  const same = (a: StorePlace, b: StorePlace) => a.backend === b.backend && a.location === b.location;
  const problem = found.unreadable.find((u) => same(u, found.newKeys))?.problem;
  if (problem !== undefined) throw problem;
  const listed = new Map(found.profiles);
  for (const u of found.unreadable) {
    deps.stderr(`mfa-login: warning: ${shortPath(deps, u.location)} cannot be read (${u.problem.message}); its profiles are listed as recorded\n`);
    for (const [name, place] of found.recorded) if (same(place, u) && !listed.has(name)) listed.set(name, place);
  }
  const rows = [...listed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, place]) => {
    const p = files.profiles.get(name);
    return { profile: name, backend: place.backend, mfaSerial: p?.settings.mfa_serial ?? null, inConfig: p?.inConfig ?? false };
  });
  if (json) {
    deps.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    deps.stdout(`No keys stored in ${shortPath(deps, found.newKeys.location)}. Store some with: mfa-login add PROFILE\n`);
  } else {
    const width = Math.max(7, ...rows.map((r) => r.profile.length));
    deps.stdout(`${'PROFILE'.padEnd(width)}  MFA DEVICE\n`);
    // The keys are stored: the device is one line in the config away, never another `add`.
    for (const r of rows) deps.stdout(`${r.profile.padEnd(width)}  ${r.mfaSerial ?? `(none: add mfa_serial = ARN to [${configHeaderFor(r.profile)}] in ${shortPath(deps, files.configFile)})`}\n`);
  }
}

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
  let text = `Forgot ${plural(n, 'cached session')}${of}`;
  if (removed.sections.length > 0) text += ` and removed ${sectionList(removed.sections)} from ${removed.shown}`;
  text += '.';
  if (files !== undefined && files.sessions.length > 0) text += ` Kept ${sectionList(files.sessions.map((s) => s.section))} in ${files.shown} (--keep-files): ${files.sessions.length === 1 ? 'it works' : 'they work'} until ${files.sessions.length === 1 ? 'it expires' : 'they expire'}.`;
  deps.stdout(`${text}\n`);
}

export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
