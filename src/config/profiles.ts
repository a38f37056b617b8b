import { distance } from './near-miss.js';
import { MfaLoginError } from '../errors.js';
import { configProfileName, parseIni } from './ini.js';
import type { SharedFilePaths } from './shared-files.js';

export { defaultProfileName, sharedFilePaths, type Env, type SharedFilePaths } from './shared-files.js';
export { configProfileName } from './ini.js';

/** One named profile, merged from the config and credentials files as the AWS CLI merges them. */
export interface Profile {
  name: string;
  settings: Record<string, string>;
  /** Where each setting came from, e.g. `~/.aws/config line 4`, for messages. */
  where: Record<string, string>;
  inConfig: boolean;
  inCredentials: boolean;
}

export interface ProfileSet {
  configFile: string;
  credentialsFile: string;
  profiles: Map<string, Profile>;
}

/**
 * Builds the profile set from the two files' text (undefined when a file does not exist).
 * In the config file only `[default]` and `[profile NAME]` are profiles (`[sso-session x]`,
 * `[services x]` and stray headers are not, as in the SDKs); in the credentials file every
 * section is. Keys in the credentials file win over the config file for the same profile.
 */
export function loadProfiles(files: SharedFilePaths, configText: string | undefined, credentialsText: string | undefined): ProfileSet {
  const profiles = new Map<string, Profile>();
  const get = (name: string): Profile => {
    let p = profiles.get(name);
    if (p === undefined) {
      p = { name, settings: Object.create(null), where: Object.create(null), inConfig: false, inCredentials: false };
      profiles.set(name, p);
    }
    return p;
  };

  if (configText !== undefined) {
    const seen = new Map<string, number>();
    for (const section of parseIni(configText, files.configFile)) {
      const name = configProfileName(section.header);
      if (name === undefined) continue;
      // `[default]` and `[profile default]` name the same profile; two of them is ambiguous.
      const first = seen.get(name);
      if (first !== undefined) {
        throw new MfaLoginError('E_CONFIG_SYNTAX', `${files.configFile} line ${section.line}: profile ${name} is defined twice (first on line ${first})`, { hint: 'merge the two sections into one' });
      }
      seen.set(name, section.line);
      const p = get(name);
      p.inConfig = true;
      for (const [k, v] of Object.entries(section.values)) {
        p.settings[k] = v;
        p.where[k] = `${files.configFile} line ${section.lines[k]}`;
      }
    }
  }
  if (credentialsText !== undefined) {
    for (const section of parseIni(credentialsText, files.credentialsFile)) {
      const p = get(section.header);
      p.inCredentials = true;
      for (const [k, v] of Object.entries(section.values)) {
        p.settings[k] = v;
        p.where[k] = `${files.credentialsFile} line ${section.lines[k]}`;
      }
    }
  }
  return { ...files, profiles };
}

/** The config-file header text for a profile name. */
export function configHeaderFor(name: string): string {
  return name === 'default' ? 'default' : `profile ${name}`;
}

export function getProfile(set: ProfileSet, name: string): Profile {
  const p = set.profiles.get(name);
  if (p === undefined) throw unknownProfile(set, name);
  return p;
}

export function unknownProfile(set: ProfileSet, name: string): MfaLoginError {
  const known = [...set.profiles.keys()].sort();
  const list = known.length === 0 ? `no profiles are defined in ${set.configFile} or ${set.credentialsFile}` : `known profiles: ${known.join(', ')}`;
  // A slip of one or two letters (`prdo`, `prod-mfaa`) is far likelier than a profile never defined.
  const near = known.filter((k) => distance(k, name) <= (name.length >= 4 ? 2 : 1)).sort((a, b) => distance(a, name) - distance(b, name))[0];
  if (near !== undefined) {
    return new MfaLoginError('E_PROFILE_UNKNOWN', `profile ${name} not found; did you mean ${near}? (${list})`, {
      hint: `check the spelling, or add [profile ${name}] to ${set.configFile}`,
    });
  }
  return new MfaLoginError('E_PROFILE_UNKNOWN', `profile ${name} not found; ${list}`, {
    hint: `add [profile ${name}] to ${set.configFile}, or store keys for it with: mfa-login add ${name}`,
  });
}
