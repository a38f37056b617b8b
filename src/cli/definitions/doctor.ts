import { READ_BY } from '../../settings.js';
import type { Definition } from '../definition.js';

export interface DoctorCommand {
  name: 'doctor';
}

export const doctor: Definition<DoctorCommand> = {
  name: 'doctor',
  describe: 'check the keychain, config files, clock and credential_process hooks',
  examples: [['$0 doctor', 'one line per check, with the fix when it fails']],
  reads: READ_BY.doctor,
  plan: () => ({ name: 'doctor' }),
  run: async (deps) => (await import('../commands/doctor.js')).doctor(deps),
};
