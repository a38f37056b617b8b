import { READ_BY } from '../../settings.js';
import type { Definition } from '../definition.js';

export interface ListCommand {
  name: 'list';
  json: boolean;
}

export const list: Definition<ListCommand> = {
  name: 'list',
  describe: 'profiles with stored keys',
  flags: { json: { type: 'boolean', describe: 'print JSON' } },
  examples: [['$0 list --json', 'for scripts']],
  reads: READ_BY.list,
  plan: (a) => ({ name: 'list', json: a.json === true }),
  run: async (deps, c) => (await import('../commands/keys.js')).list(deps, c.json),
};
