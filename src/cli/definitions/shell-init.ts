import path from 'node:path';
import { READ_BY } from '../../variables.js';
import { packageRoot } from '../package-root.js';
import { shellPositional, type Definition } from '../definition.js';

export interface ShellInitCommand {
  name: 'shell-init';
  shell: 'bash' | 'zsh' | 'fish' | 'powershell' | 'nu';
}

const INIT_ALIASES: Record<string, ShellInitCommand['shell']> = { pwsh: 'powershell', nushell: 'nu' };

export const shellInit: Definition<ShellInitCommand> = {
  name: 'shell-init',
  describe: 'print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it',
  // pwsh and nushell as --shell takes them: the names the shells' users type.
  positionals: [shellPositional(['bash', 'zsh', 'fish', 'powershell', 'pwsh', 'nu', 'nushell'])],
  examples: [
    ['eval "$($0 shell-init bash)"', 'in ~/.bashrc; then: mfa-use prod, mfa-use --off'],
    ['$0 shell-init fish | source', 'in ~/.config/fish/config.fish'],
    ['$0 shell-init nu | save -f ($nu.default-config-dir | path join mfa-login.nu)', 'nushell, once; then in config.nu: source ($nu.default-config-dir | path join mfa-login.nu)'],
  ],
  reads: READ_BY['shell-init'],
  plan: (a) => ({ name: 'shell-init', shell: (INIT_ALIASES[String(a.shell)] ?? String(a.shell)) as ShellInitCommand['shell'] }),
  run: async (deps, c) => {
    const { formatShellInit } = await import('../../output/shell-init.js');
    deps.stdout(formatShellInit(c.shell, { node: process.execPath, mfaLogin: path.join(packageRoot(), 'bin', 'mfa-login.js'), mfaEnv: path.join(packageRoot(), 'bin', 'mfa-env.js') }));
  },
};
