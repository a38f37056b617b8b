import { packageVersion } from '../package-root.js';
import type { Definition } from '../definition.js';

/** What --version asks for. */
export interface VersionCommand {
  name: 'version';
}

export const version: Definition<VersionCommand> = {
  name: 'version',
  describe: false,
  run: async (deps) => deps.stdout(`${packageVersion()}\n`),
};
