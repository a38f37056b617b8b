import { plainCommand, type Definition } from '../definition.js';

export const profiles = plainCommand({
  name: 'profiles',
  describe: 'print the profile names in ~/.aws/config and ~/.aws/credentials, one a line',
  examples: [['$0 profiles', 'what mfa-use and the completions offer']],
  run: async (deps) => {
    const { readProfiles } = await import('../../session/profiles-io.js');
    const names = [...(await readProfiles(deps)).profiles.keys()].sort();
    deps.stdout(names.map((n) => `${n}\n`).join(''));
  },
});

/** For the completion scripts: profile names, one a line. Not listed. */
export const hiddenProfiles: Definition<{ name: 'profiles' }> = {
  name: '__profiles',
  describe: false,
  plan: () => ({ name: 'profiles' }),
  run: profiles.run,
};
