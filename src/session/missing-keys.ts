import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { closest } from '../config/near-miss.js';
import { unknownProfile } from '../config/profiles.js';
import { readProfiles } from './profiles-io.js';

/**
 * Why a command that works on a profile's stored keys (rotate, mfa, remove) found none, said as
 * every other command says it. A name that is a slip of one with stored keys gets "did you mean"
 * that name, rather than a hint to store keys under the slip; a name found nowhere is an unknown
 * profile, with the same words (and correction) as login's; only a profile that exists but has
 * no keys is told how to store them, with `noKeysHint`.
 */
export async function missingKeys(deps: Deps, profile: string, noKeysHint: string): Promise<MfaLoginError> {
  const files = await readProfiles(deps);
  // Only for a suggestion: a store that cannot be opened here (a key file with no passphrase and
  // no terminal) must not turn "not found" into its own error; the record of where keys are
  // stored (keys.json, nothing secret) names them then.
  const stored = await deps
    .secrets()
    .list()
    .catch((e: unknown) => {
      if (!(e instanceof MfaLoginError)) throw e;
      return [...(files.withKeys ?? [])].sort();
    });
  const config = files.profiles.get(profile);
  if (config === undefined) {
    const near = closest(profile, stored);
    if (near !== undefined) {
      return new MfaLoginError('E_PROFILE_UNKNOWN', `profile ${profile} not found; did you mean ${near}? (profiles with keys: ${stored.join(', ')})`, {
        hint: 'see which profiles have keys with: mfa-login list',
      });
    }
    return unknownProfile(files, profile);
  }
  const source = config.settings.source_profile;
  if (config.settings.role_arn !== undefined && source !== undefined) {
    return new MfaLoginError('E_NO_KEYS', `profile ${profile} is a role (role_arn): it has no keys of its own, it is reached with those of ${source}`, { hint: noKeysHint });
  }
  return new MfaLoginError('E_NO_KEYS', `no keys stored for profile ${profile} in ${deps.secrets().location}`, { hint: noKeysHint });
}
