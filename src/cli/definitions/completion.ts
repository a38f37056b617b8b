import { readFileSync } from 'node:fs';
import path from 'node:path';
import { READ_BY } from '../../variables.js';
import { packageRoot } from '../package-root.js';
import { shellPositional, type Definition } from '../definition.js';
import type { CompletionShell } from '../completion-scripts.js';

export interface CompletionCommand {
  name: 'completion';
  shell: CompletionShell;
}

/**
 * The script shipped in completions/, with its lists of commands and flags made from the table
 * this command was chosen from (completion-scripts.ts): the shipped file is the same text for
 * the real table, which a test checks.
 */
export const completion: Definition<CompletionCommand> = {
  name: 'completion',
  describe: 'print the completion script for bash, zsh, fish or nu',
  // nushell: what its users call it, the same as nu.
  positionals: [shellPositional(['bash', 'zsh', 'fish', 'nu', 'nushell'])],
  examples: [
    ['source <($0 completion bash)', 'in ~/.bashrc'],
    ['$0 completion fish | source', 'in ~/.config/fish/config.fish'],
  ],
  reads: READ_BY.completion,
  plan: (a) => ({ name: 'completion', shell: (a.shell === 'nushell' ? 'nu' : String(a.shell)) as CompletionShell }),
  run: async (deps, c, { table }) => {
    const { completionScript } = await import('../completion-scripts.js');
    const shipped = readFileSync(path.join(packageRoot(), 'completions', `mfa-login.${c.shell}`), 'utf8');
    deps.stdout(completionScript(c.shell, shipped, table));
  },
};
