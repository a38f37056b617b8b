import type { Deps } from '../../deps.js';
import { parentProcessName } from '../../terminal/parent-process.js';
import { detectShell, formatExports, formatUnset, saving, type Shell } from '../../output/exports.js';
import { isatty } from 'node:tty';
import { sessionFor, type SessionInput } from '../../session/session.js';

export interface EnvInput extends SessionInput {
  shell?: Shell;
  unset: boolean;
}

/** `mfa-env [<profile>]`: statements for the user's shell to evaluate. */
export async function env(deps: Deps, input: EnvInput): Promise<void> {
  const shell = input.shell ?? detectShell(deps.env, parentProcessName());
  deps.debug(`formatting for ${shell}${input.shell ? ' (--shell)' : ' (detected)'}`);
  if (input.unset) {
    deps.stdout(formatUnset(shell, deps.env));
    return;
  }
  const { plan, got, region } = await sessionFor(deps, { ...input, calledAs: 'mfa-env' });
  deps.stdout(formatExports(got.credentials, { shell, ...region, ...saving(deps.env) }));
  // On a terminal the statements land on the screen, secret included, and change nothing.
  if (isatty(1)) deps.stderr(`${terminalHint(shell, input.profile ?? plan.target, parentProcessName())}\n`);
}

/** One line: how to have the shell run what mfa-env prints, and the switch that does it for you. */
export function terminalHint(shell: Shell, profile: string, parent?: string): string {
  const p = /^[\w.@+=,:/-]+$/.test(profile) ? profile : `'${profile.replace(/'/g, `'\\''`)}'`;
  const [run, init] =
    shell === 'fish'
      ? [`mfa-env ${p} | source`, 'mfa-login shell-init fish | source']
      : shell === 'powershell'
        ? [`mfa-env ${p} | Invoke-Expression`, 'mfa-login shell-init powershell | Out-String | Invoke-Expression']
        : shell === 'nu'
          ? [`mfa-env ${p} | from json | load-env`, 'mfa-login shell-init nu | save -f ($nu.default-config-dir | path join mfa-login.nu), source that file in config.nu']
          : [`eval "$(mfa-env ${p})"`, `eval "$(mfa-login shell-init ${/zsh$/.test(parent ?? '') ? 'zsh' : 'bash'})"`];
  return `mfa-env: these lines only print the credentials; to set them in this shell run: ${run}  (or once: ${init}, then: mfa-use ${p})`;
}
