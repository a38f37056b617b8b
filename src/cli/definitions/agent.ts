import { READ_BY } from '../../variables.js';
import { orList, type Definition } from '../definition.js';

export interface AgentCommand {
  name: 'agent';
  action: 'status' | 'stop';
}

const ACTIONS = ['status', 'stop'] as const;

export const agent: Definition<AgentCommand> = {
  name: 'agent',
  describe: 'the session agent: status or stop',
  positionals: [{ name: 'action', required: true, choices: ACTIONS, noun: 'an agent action', needs: orList(ACTIONS) }],
  examples: [['$0 agent stop', 'forget every session now (they live only in the agent\'s memory)']],
  reads: READ_BY.agent,
  plan: (a) => ({ name: 'agent', action: String(a.action) as AgentCommand['action'] }),
  run: async (deps, c) => (await import('../commands/agent.js')).agent(deps, c.action),
};
