import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { defaultProfileName } from '../../config/profiles.js';
import { readProfiles } from '../profiles-io.js';
import { everyStore } from '../session-store.js';
import { updateKeyInfo } from '../../secrets/key-info.js';

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
  if (!removed) {
    throw new MfaLoginError('E_NO_KEYS', `no keys stored for profile ${profile} in ${store.location}`, { hint: 'see which profiles have keys with: mfa-login list' });
  }
  deps.stdout(`Removed the keys of ${profile} from ${store.location}${forgotten > 0 ? ` and forgot ${plural(forgotten, 'cached session')}` : ''}.\n`);
}

/** `mfa-login list`: the profiles whose keys are stored, with their MFA device. */
export async function list(deps: Deps, json: boolean): Promise<void> {
  const store = deps.secrets();
  const [names, files] = await Promise.all([store.list(), readProfiles(deps)]);
  const rows = names.map((name) => {
    const p = files.profiles.get(name);
    return { profile: name, backend: store.backend, mfaSerial: p?.settings.mfa_serial ?? null, inConfig: p?.inConfig ?? false };
  });
  if (json) {
    deps.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    deps.stdout(`No keys stored in ${store.location}. Store some with: mfa-login add PROFILE\n`);
    return;
  }
  const width = Math.max(7, ...rows.map((r) => r.profile.length));
  deps.stdout(`${'PROFILE'.padEnd(width)}  MFA DEVICE\n`);
  for (const r of rows) deps.stdout(`${r.profile.padEnd(width)}  ${r.mfaSerial ?? '(none: run mfa-login add ' + r.profile + ')'}\n`);
}

/** `mfa-login logout [<profile>|--all]`: forget cached sessions. Keys stay where they are. */
export async function logout(deps: Deps, profile: string | undefined, all: boolean): Promise<void> {
  if (all && profile !== undefined) throw new MfaLoginError('E_USAGE', 'give a profile or --all, not both', {});
  const name = all ? undefined : (profile ?? defaultProfileName(deps.env));
  const n = await forgetEverywhere(deps, name);
  deps.stdout(`Forgot ${plural(n, 'cached session')}${name === undefined ? '' : ` of ${name}`}.${n > 0 ? ' Profiles written to ~/.aws/credentials stay until they expire.' : ''}\n`);
}

/**
 * Forgets sessions wherever they may be, not only in the mode in use: files left by an earlier
 * MFA_LOGIN_CACHE=file, or an agent still running, would otherwise outlive a logout. Never starts
 * an agent just to find it empty.
 */
export async function forgetEverywhere(deps: Deps, profile: string | undefined): Promise<number> {
  let n = 0;
  for (const store of everyStore(deps.settings)) n += await store.forget(profile);
  return n;
}

export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
