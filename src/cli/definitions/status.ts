import { READ_BY } from '../../settings.js';
import type { Definition } from '../definition.js';

export interface StatusCommand {
  name: 'status';
  json: boolean;
}

export const status: Definition<StatusCommand> = {
  name: 'status',
  describe: 'profiles, where their keys live, and the time left on their sessions',
  flags: { json: { type: 'boolean', describe: 'print JSON' } },
  examples: [['$0 status', 'a table with the time left on every session']],
  reads: READ_BY.status,
  plan: (a) => ({ name: 'status', json: a.json === true }),
  run: async (deps, c) => (await import('../commands/status.js')).status(deps, { json: c.json }),
};
