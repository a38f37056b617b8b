import { profilePositional, sessionCommand } from '../definition.js';

export const rotate = sessionCommand({
  name: 'rotate',
  describe: 'replace the IAM user\'s access key with a new one, and delete the old one',
  profile: profilePositional(true, 'the IAM user\'s profile, with its keys stored'),
  scoped: false,
  examples: [['$0 rotate alice', 'a new key made with the MFA session, checked, stored; the old one deleted']],
  run: async (deps, c) => (await import('../commands/rotate.js')).rotate(deps, c),
});
