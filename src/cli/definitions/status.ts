import { jsonCommand } from '../definition.js';

export const status = jsonCommand({
  name: 'status',
  describe: 'profiles, where their keys live, and the time left on their sessions',
  examples: [['$0 status', 'a table with the time left on every session']],
  run: async (deps, json) => (await import('../commands/status.js')).status(deps, { json }),
});
