import { READ_BY } from '../../variables.js';
import { orList, profilePositional, type Definition } from '../definition.js';

export interface MfaCommand {
  name: 'mfa';
  action: 'create' | 'resync';
  profile: string;
  deviceName?: string;
}

const ACTIONS = ['create', 'resync'] as const;

export const mfa: Definition<MfaCommand> = {
  name: 'mfa',
  describe: 'set up a virtual MFA device for an IAM user (create), or bring a drifted one back in step (resync)',
  positionals: [{ name: 'action', required: true, choices: ACTIONS, noun: 'an mfa action', needs: orList(ACTIONS) }, profilePositional(true, 'the IAM user\'s profile, with its keys stored')],
  flags: { name: { type: 'string', describe: 'create: the device\'s name (default: the IAM user\'s name)' } },
  examples: [
    ['$0 mfa create alice', 'shows a QR code on the terminal, asks for two codes, records mfa_serial'],
    ['$0 mfa resync alice', 'when codes keep being refused and the clock is right'],
  ],
  reads: READ_BY.mfa,
  plan: (a) => ({ name: 'mfa', action: String(a.action) as MfaCommand['action'], profile: String(a.profile), ...(a.name !== undefined ? { deviceName: String(a.name) } : {}) }),
  run: async (deps, c) => {
    const m = await import('../commands/mfa.js');
    const input = { profile: c.profile, ...(c.deviceName !== undefined ? { name: c.deviceName } : {}) };
    return c.action === 'create' ? m.mfaCreate(deps, input) : m.mfaResync(deps, input);
  },
};
