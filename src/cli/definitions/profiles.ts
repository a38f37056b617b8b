import { READ_BY } from '../../settings.js';
import type { Definition } from '../definition.js';

export interface ProfilesCommand {
  name: 'profiles';
}

export const profiles: Definition<ProfilesCommand> = {
  name: 'profiles',
  describe: 'print the profile names in ~/.aws/config and ~/.aws/credentials, one a line',
  examples: [['$0 profiles', 'what mfa-use and the completions offer']],
  reads: READ_BY.profiles,
  plan: () => ({ name: 'profiles' }),
  run: async (deps) => {
    const { readProfiles } = await import('../../session/profiles-io.js');
    const names = [...(await readProfiles(deps)).profiles.keys()].sort();
    deps.stdout(names.map((n) => `${n}\n`).join(''));
  },
};

/** For the completion scripts: profile names, one a line. Not listed. */
export const hiddenProfiles: Definition<ProfilesCommand> = {
  name: '__profiles',
  describe: false,
  plan: () => ({ name: 'profiles' }),
  run: profiles.run,
};
