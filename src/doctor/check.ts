import type { Deps } from '../deps.js';
import type { ProfileSet } from '../config/profiles.js';

export type Level = 'ok' | 'warn' | 'FAIL';
/** Which part of the setup a finding is about; decides the exit status. */
export type Area = 'keychain' | 'config' | 'keys' | 'clock' | 'cache' | 'hooks' | 'aws-cli';

export interface Finding {
  level: Level;
  area: Area;
  /** `key store: file ~/.config/mfa-login/keys.enc, keys for 2 profiles` */
  text: string;
  /** The command or change that fixes it. */
  fix?: string;
}

/**
 * What the checks before a check learnt. The checks do not depend on one another's success,
 * except that the profile, region and credential_process checks need the config files to parse,
 * and the key age check the list of stored keys.
 */
export interface Learnt {
  /** The profiles with keys in the key store; undefined when the store could not be read. */
  stored?: string[];
  /** The key store as lines name it: `file ~/.config/mfa-login/keys.enc`. */
  storeName: string;
  /** The profiles of the config files; undefined when they do not parse. */
  files?: ProfileSet;
  /** How long the clock check waits for STS. */
  clockTimeoutMs: number;
}

/** One check of `mfa-login doctor`: one file each, its lines carrying their fixes. */
export interface Check {
  area: Area;
  /** What a FAIL line calls it when the check itself throws. */
  name: string;
  /** A network round trip or a program to start: begun with the first check, shown in its place. */
  slow?: boolean;
  run(deps: Deps, learnt: Learnt): Promise<Finding[]>;
}

export function ok(area: Area, text: string): Finding {
  return { level: 'ok', area, text };
}
export function warn(area: Area, text: string, fix?: string): Finding {
  return fix === undefined ? { level: 'warn', area, text } : { level: 'warn', area, text, fix };
}
export function fail(area: Area, text: string, fix: string): Finding {
  return { level: 'FAIL', area, text, fix };
}
export function notChecked(area: Area, what: string): Finding {
  return warn(area, `${what}: not checked, the config files do not parse (see above)`);
}


/** Paths under the home directory as ~/..., in messages that carry them. */
export function tilde(deps: Deps, text: string): string {
  return text.replaceAll(`${deps.homeDir}/`, '~/');
}
