import { READ_BY } from '../../variables.js';
import { profilePositional, type Definition } from '../definition.js';

export interface PolicyCommand {
  name: 'policy';
  profile?: string;
  account?: string;
  partition?: string;
}

export const policy: Definition<PolicyCommand> = {
  name: 'policy',
  describe: 'print the IAM policy that makes MFA mandatory, and a role trust policy that demands it',
  positionals: [profilePositional(false, 'take the account and partition from this profile\'s MFA device')],
  flags: {
    account: { type: 'string', describe: 'the 12-digit account id to fill in' },
    partition: { type: 'string', choices: ['aws', 'aws-us-gov', 'aws-cn'], noun: 'an AWS partition', describe: 'the partition to fill in' },
  },
  examples: [['$0 policy alice', 'with alice\'s account and partition filled in']],
  reads: READ_BY.policy,
  plan: (a) => ({ name: 'policy', ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...(a.account !== undefined ? { account: String(a.account) } : {}), ...(a.partition !== undefined ? { partition: String(a.partition) } : {}) }),
  run: async (deps, c) => (await import('../commands/policy.js')).policy(deps, c),
};
