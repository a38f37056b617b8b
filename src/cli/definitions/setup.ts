import { READ_BY } from '../../variables.js';
import { profilePositional, type Definition } from '../definition.js';

export interface SetupCommand {
  name: 'setup';
  profile: string;
  as?: string;
}

export const setup: Definition<SetupCommand> = {
  name: 'setup',
  describe: 'add a credential_process profile to ~/.aws/config that calls mfa-login',
  positionals: [profilePositional(true)],
  flags: { name: { type: 'string', describe: 'the profile to write (default: PROFILE-mfa)' } },
  examples: [['$0 setup prod', 'then: aws s3 ls --profile prod-mfa']],
  reads: READ_BY.setup,
  plan: (a) => ({ name: 'setup', profile: String(a.profile), ...(a.name !== undefined ? { as: String(a.name) } : {}) }),
  run: async (deps, c) => (await import('../commands/setup.js')).setup(deps, { profile: c.profile, ...(c.as !== undefined ? { name: c.as } : {}) }),
};
