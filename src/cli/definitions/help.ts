import type { Definition } from '../definition.js';

/** What --help (or a command line with only a command group) asks for: the parser's text. */
export interface HelpCommand {
  name: 'help';
  text: string;
}

export const help: Definition<HelpCommand> = {
  name: 'help',
  describe: false,
  run: async (deps, c) => deps.stdout(`${c.text}\n`),
};
