import { READ_BY } from '../../variables.js';
import type { Definition } from '../definition.js';

export interface DemoCommand {
  name: 'demo';
  yes: boolean;
}

export const demo: Definition<DemoCommand> = {
  name: 'demo',
  describe: 'the whole flow against a local STS, in a throw-away HOME (no AWS account needed)',
  flags: { yes: { alias: 'y', type: 'boolean', describe: 'accept the shown code instead of typing it' } },
  examples: [['$0 demo --yes', 'runs every step without waiting for you to type the code']],
  reads: READ_BY.demo,
  plan: (a) => ({ name: 'demo', yes: a.yes === true }),
  run: async (deps, c) => (await import('../commands/demo.js')).demo(deps, { yes: c.yes }),
};
