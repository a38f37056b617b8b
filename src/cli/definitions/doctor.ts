import { plainCommand } from '../definition.js';

export const doctor = plainCommand({
  name: 'doctor',
  describe: 'check the keychain, config files, clock and credential_process hooks',
  examples: [['$0 doctor', 'one line per check, with the fix when it fails']],
  run: async (deps) => (await import('../commands/doctor.js')).doctor(deps),
});
