import { READ_BY } from '../../variables.js';
import { profilePositional, type Definition } from '../definition.js';

export interface LogoutCommand {
  name: 'logout';
  profile?: string;
  all: boolean;
  keepFiles: boolean;
}

export const logout: Definition<LogoutCommand> = {
  name: 'logout',
  describe: 'forget the cached sessions of a profile (default: $AWS_PROFILE, then "default"), or all with --all',
  positionals: [profilePositional(false)],
  flags: {
    all: { type: 'boolean', describe: 'forget every cached session' },
    'keep-files': { type: 'boolean', describe: 'keep the sessions mfa-login wrote to ~/.aws/credentials' },
  },
  examples: [
    ['$0 logout prod', 'the next call for prod (and roles reached through it) asks STS again'],
    ['$0 logout --all', 'forget everything; the keys stay'],
  ],
  reads: READ_BY.logout,
  plan: (a) => ({ name: 'logout', all: a.all === true, keepFiles: a.keepFiles === true, ...(a.profile !== undefined ? { profile: String(a.profile) } : {}) }),
  run: async (deps, c) => (await import('../commands/logout.js')).logout(deps, c.profile, c.all, c.keepFiles),
};
