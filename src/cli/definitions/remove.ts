import { READ_BY } from '../../variables.js';
import { profilePositional, type Definition } from '../definition.js';

export interface RemoveCommand {
  name: 'remove';
  profile: string;
}

export const remove: Definition<RemoveCommand> = {
  name: 'remove',
  describe: 'delete a profile\'s keys from the keychain and forget its sessions',
  positionals: [profilePositional(true)],
  examples: [['$0 remove alice', 'the IAM user\'s keys leave the keychain; its sessions are forgotten']],
  reads: READ_BY.remove,
  plan: (a) => ({ name: 'remove', profile: String(a.profile) }),
  run: async (deps, c) => (await import('../commands/remove.js')).remove(deps, c.profile),
};
