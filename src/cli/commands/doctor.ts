import type { Deps } from '../../deps.js';
import { runChecks, type DoctorOptions } from '../../doctor/run.js';

export type { DoctorOptions };

/**
 * `mfa-login doctor`: one line per check, each with its fix (the checks are src/doctor/, one a
 * file). Returns the exit status: 0, 7 when only the key store failed, else 3 (doctor/run.ts).
 */
export function doctor(deps: Deps, options: DoctorOptions = {}): Promise<number> {
  return runChecks(deps, options);
}
