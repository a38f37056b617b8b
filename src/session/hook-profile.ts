import { MfaLoginError } from '../errors.js';
import type { ChainPlan } from '../config/chain.js';
import type { ProfileSet } from '../config/profiles.js';
import { splitCommand } from '../config/split-command.js';

/**
 * The profile a credential_process line hands to `mfa-login credential-process`, when the line
 * calls mfa-login; else undefined.
 */
export function hookTarget(credentialProcess: string | undefined): string | undefined {
  if (credentialProcess === undefined || !credentialProcess.includes('mfa-login')) return undefined;
  const words = splitCommand(credentialProcess);
  const i = words.indexOf('credential-process');
  return i >= 0 ? words[i + 1] : undefined;
}

/**
 * A chain whose IAM user is really a profile `mfa-login setup` wrote (`prod-mfa`, which only says
 * "ask mfa-login for prod") has no keys of its own: say what it is and which profile to use,
 * rather than "no keys stored for prod-mfa".
 */
export function refuseHookProfile(files: ProfileSet, plan: ChainPlan, command: string): void {
  const root = files.profiles.get(plan.source.profile);
  const target = hookTarget(root?.settings.credential_process);
  if (root === undefined || target === undefined) return;
  const use = command === 'mfa-login' ? `mfa-login ${target}` : command === 'mfa-login exec' ? `mfa-login exec ${target} -- COMMAND` : `${command} ${target}`;
  const through = plan.target === root.name ? '' : ` (the source_profile of ${plan.target})`;
  throw new MfaLoginError('E_CONFIG', `profile ${root.name}${through} is a credential_process profile for ${target} (${root.where.credential_process}): AWS tools use it to ask mfa-login for ${target}'s credentials; it has no keys of its own`, {
    hint: plan.target === root.name ? `use the profile it stands for: ${use}` : `set source_profile to the IAM user's profile, not to ${root.name}`,
  });
}
