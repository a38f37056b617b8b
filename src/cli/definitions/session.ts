import { profilePositional, sessionCommand } from '../definition.js';

export const session = sessionCommand({
  name: 'session',
  describe: 'start or check a profile\'s session without printing credentials',
  profile: profilePositional(false),
  scoped: true,
  examples: [['$0 session prod', 'asks for a code if needed; later credential_process calls need none']],
  run: async (deps, c) => (await import('../commands/session.js')).session(deps, c),
});
