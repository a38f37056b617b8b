import type { Shell } from '../../output/exports.js';
import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../variables.js';
import { codeArgs, codeFlags, SCOPE_FLAGS, scopeArgs, withScopeRead, profilePositional, shellOf, SHELLS, type Definition } from '../definition.js';

export interface EnvCommand {
  name: 'env';
  profile?: string;
  shell?: Shell;
  unset: boolean;
  mfaToken?: string;
  duration?: number;
  region?: string;
  scopeOptions?: ScopeOptions;
}

/** `mfa-env [profile]`: the default (and only) command of mfa-env. Its cached call never gets here (quickParse). */
export const env: Definition<EnvCommand> = {
  name: 'env',
  default: true,
  describe: false,
  positionals: [profilePositional(false, 'default: $AWS_PROFILE, then "default"')],
  flags: {
    shell: { type: 'string', choices: SHELLS, noun: 'a shell', describe: 'the shell to print for (default: detected)' },
    unset: { type: 'boolean', describe: 'print what clears the variables instead' },
    ...codeFlags({ duration: 'length of the MFA session when a new one is needed, 30m to 36h', region: 'the region to export, over the profile\'s own' }),
    ...SCOPE_FLAGS,
  },
  examples: [
    ['eval "$(mfa-env prod)"', 'bash, zsh'],
    ['mfa-env prod | source', 'fish (or: eval (mfa-env prod))'],
    ['mfa-env prod | Invoke-Expression', 'PowerShell'],
    ['mfa-env prod | from json | load-env', 'nushell'],
    ['eval "$(mfa-env --unset)"', 'clear them again'],
  ],
  reads: READ_BY.env,
  plan: (a) => {
    const shell = shellOf(a.shell);
    return { name: 'env', unset: a.unset === true, ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...(shell !== undefined ? { shell } : {}), ...codeArgs(a), ...scopeArgs(a) };
  },
  run: withScopeRead(async (deps, c) => (await import('../commands/env.js')).env(deps, c)),
};
