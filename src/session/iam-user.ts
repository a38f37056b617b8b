import type { Deps } from '../deps.js';
import type { LongTermKeys } from '../credentials.js';
import { MfaLoginError } from '../errors.js';
import type { Profile, ProfileSet } from '../config/profiles.js';
import { explainStsError, notAnsweredByAws } from '../providers/sts-errors.js';
import { iamUserName, StsError, stsTarget, type StsTarget } from '../sts/sts.js';
import { readProfiles } from './profiles-io.js';
import { missingKeys } from './missing-keys.js';

/** An IAM user profile whose keys are stored: what the self-service commands start from. */
export interface IamUser {
  profile: string;
  files: ProfileSet & { configText: string | undefined };
  config: Profile | undefined;
  keys: LongTermKeys;
  userName: string;
  userArn: string;
  sts: StsTarget;
  iam: StsTarget;
}

/**
 * Reads the profile's stored keys and asks STS whose they are (GetCallerIdentity needs no
 * permission, so it works under any policy). Only an IAM user has MFA devices and access keys.
 * `needsTerminal` says why the command needs one: checked once the name is known to be right, so
 * that the command it names is one that works.
 */
export async function iamUser(deps: Deps, profile: string, command: string, needsTerminal?: string): Promise<IamUser> {
  const files = await readProfiles(deps);
  const config = files.profiles.get(profile);
  const source = config?.settings.source_profile;
  if (config?.settings.role_arn !== undefined) {
    throw new MfaLoginError('E_CONFIG', `profile ${profile} is a role (role_arn); ${command} works on the IAM user's own profile${source ? ` (${source})` : ''}`, { hint: `mfa-login ${command} ${source ?? 'USER_PROFILE'}` });
  }
  const keys = await deps.secrets().get(profile);
  if (keys === undefined) throw await missingKeys(deps, profile, `store the IAM user's access key first: mfa-login add ${profile}`);
  if (needsTerminal !== undefined && !deps.terminal.available()) {
    throw new MfaLoginError('E_MFA_NO_SOURCE', `${command} ${needsTerminal}, and there is none here: run "mfa-login ${command} ${profile}" in a terminal`);
  }
  const settings = {
    ...(config?.settings.region ? { region: config.settings.region } : {}),
    ...(config?.settings.endpoint_url ? { endpointUrl: config.settings.endpoint_url } : {}),
  };
  const sts = stsTarget(settings, deps.env);
  const identity = await deps
    .sts()
    .getCallerIdentity(keys, sts)
    .catch((e) => {
      throw explainStsError(e, { action: 'GetCallerIdentity', profile, accessKeyId: keys.accessKeyId });
    });
  // The name IAM calls made with an MFA session must carry; users with a path are named by the last segment.
  const userName = iamUserName(identity.arn);
  if (userName === undefined) throw new MfaLoginError('E_NO_KEYS', `the keys stored for ${profile} belong to ${identity.arn}, not to an IAM user`, {});
  return { profile, files, config, keys, userName, userArn: identity.arn, sts, iam: stsTarget(settings, deps.env, 'iam') };
}

/** An IAM refusal in the user's terms. `what` says what was being done ("create the MFA device"). */
export function explainIamError(e: unknown, profile: string, what: string): unknown {
  if (!(e instanceof StsError)) return e;
  const unanswered = notAnsweredByAws(e, 'IAM');
  if (unanswered !== undefined) return unanswered;
  if (e.code === 'AccessDenied' || e.code === 'InvalidClientTokenId') {
    return new MfaLoginError('E_STS_ACCESS_DENIED', `IAM refused to ${what} for profile ${profile}: ${e.message}`, {
      hint: 'the policy `mfa-login policy` prints allows this to the user itself; ask whoever manages IAM to attach it',
      cause: e,
    });
  }
  return new MfaLoginError('E_STS', `IAM refused to ${what} for profile ${profile}: ${e.code}: ${e.message}`, { cause: e });
}

/** Two consecutive codes from the device, asked on the terminal. */
export async function askTwoCodes(deps: Deps): Promise<[string, string]> {
  const six = (v: string) => (/^\d{6}$/.test(v.trim()) ? true : 'A code is 6 digits');
  const code1 = (await deps.terminal.ask('First code from the device:', { validate: six, judgedLater: true })).trim();
  const code2 = (
    await deps.terminal.ask('Wait for the code to change, then the next one:', {
      judgedLater: true,
      validate: (v) => (six(v) !== true ? six(v) : v.trim() === code1 ? 'That is the same code: wait until the device shows the next one' : true),
    })
  ).trim();
  return [code1, code2];
}

/**
 * The command that deletes a key with the profile's MFA session, as the MFA policy demands. It names
 * the user: IAM refuses a delete-access-key without --user-name from session credentials. A
 * record written before the user was noted has no name: rotate then lists the keys and names it.
 */
export const deleteKeyCommand = (profile: string, keyId: string, userName: string | undefined) =>
  userName === undefined
    ? `mfa-login rotate ${profile}  (lists the keys and names the one to delete)`
    : `mfa-login exec ${profile} -- aws iam delete-access-key --user-name ${userName} --access-key-id ${keyId}`;
