import { jsonCommand } from '../definition.js';

export const list = jsonCommand({
  name: 'list',
  describe: 'profiles with stored keys',
  examples: [['$0 list --json', 'for scripts']],
  run: async (deps, json) => (await import('../commands/list.js')).list(deps, json),
});
