import { READ_BY } from '../../settings.js';
import { CODE_FLAGS, codeArgs, profilePositional, type Definition } from '../definition.js';

export interface RotateCommand {
  name: 'rotate';
  profile: string;
  mfaToken?: string;
  duration?: number;
  region?: string;
}

export const rotate: Definition<RotateCommand> = {
  name: 'rotate',
  describe: 'replace the IAM user\'s access key with a new one, and delete the old one',
  positionals: [profilePositional(true, 'the IAM user\'s profile, with its keys stored')],
  flags: CODE_FLAGS,
  examples: [['$0 rotate alice', 'a new key made with the MFA session, checked, stored; the old one deleted']],
  reads: READ_BY.rotate,
  plan: (a) => ({ name: 'rotate', profile: String(a.profile), ...codeArgs(a) }),
  run: async (deps, c) => (await import('../commands/rotate.js')).rotate(deps, c),
};
