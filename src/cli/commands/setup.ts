import { realpathSync } from 'node:fs';
import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { resolveChain } from '../../config/chain.js';
import { configHeaderFor } from '../../config/profiles.js';
import { setSectionValues } from '../../output/ini-edit.js';
import { shellWord } from '../../output/shell-word.js';
import { editProfileFile, readProfiles, shortPath } from '../../session/profiles-io.js';
import { refuseHookProfile } from '../../session/hook-profile.js';

export interface SetupInput {
  profile: string;
  name?: string;
  /** The command that runs mfa-login, as absolute paths; found from this process when not given. */
  command?: string[];
}

/** Settings that make the SDKs take credentials from somewhere other than credential_process. */
const SHADOWING = ['role_arn', 'source_profile', 'web_identity_token_file', 'sso_start_url', 'sso_session', 'sso_account_id', 'credential_source'];

/**
 * `mfa-login setup <profile>`: writes a profile whose credential_process calls this installation
 * by absolute path, so the AWS CLI, Terraform and the SDKs find it whatever their PATH is.
 */
export async function setup(deps: Deps, input: SetupInput): Promise<void> {
  const files = await readProfiles(deps);
  const plan = resolveChain(files, input.profile); // fails now, not at the first AWS call
  // A hook for a hook would only ever answer "it has no keys of its own".
  refuseHookProfile(files, plan, 'mfa-login setup');
  const name = input.name ?? `${input.profile}-mfa`;
  if (!/^[\w+=,.@:/-]+$/.test(name)) throw new MfaLoginError('E_USAGE', `--name ${JSON.stringify(name)} is not a usable profile name`, {});

  const chainNames = [plan.source.profile, ...plan.roles.map((r) => r.profile)];
  if (chainNames.includes(name)) {
    throw new MfaLoginError('E_PROFILE_CONFLICT', `[${configHeaderFor(name)}] is part of the chain of ${input.profile}; a credential_process there would be ignored or call itself`, {
      hint: `choose another name: mfa-login setup ${input.profile} --name ${input.profile}-mfa`,
    });
  }
  const existing = files.profiles.get(name);
  const shadow = existing && SHADOWING.find((k) => existing.settings[k] !== undefined);
  if (existing && shadow) {
    throw new MfaLoginError('E_PROFILE_CONFLICT', `[${configHeaderFor(name)}] has ${shadow} (${existing.where[shadow]}), which AWS tools use before credential_process`, {
      hint: `choose another name with --name, or remove ${shadow} from it`,
    });
  }
  if (existing?.settings.aws_access_key_id !== undefined) {
    throw new MfaLoginError('E_PROFILE_CONFLICT', `[${name}] has keys in ${existing.where.aws_access_key_id}, which AWS tools use before credential_process`, {
      hint: `choose another name with --name, or remove the keys (mfa-login add ${name} --import moves them into the keychain)`,
    });
  }

  const command = [...(input.command ?? installedCommand()), 'credential-process', input.profile].map(shellWord).join(' ');
  const values: [string, string][] = [['credential_process', command]];
  if (plan.region !== undefined && existing?.settings.region === undefined) values.push(['region', plan.region]);

  const header = configHeaderFor(name);
  await editProfileFile(deps, files.configFile, (text) => setSectionValues(text, header, values, 'config'));
  deps.stdout(`${existing ? 'Updated' : 'Added'} [${header}] in ${shortPath(deps, files.configFile)}:\n${values.map(([k, v]) => `  ${k} = ${v}`).join('\n')}\nTry it: aws sts get-caller-identity --profile ${name}\n`);
}

/** This node and this script, by absolute path, with symlinks (npm's bin links) resolved. */
function installedCommand(): string[] {
  return [process.execPath, realpathSync(process.argv[1]!)];
}
