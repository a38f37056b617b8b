import type { Deps } from '../deps.js';
import { warn, type Check } from './check.js';

/**
 * The MFA_LOGIN_TEST_* variables (settings.ts, TestHooks) exist for mfa-login's own tests: set in
 * a user's shell they shorten how long sessions must last, move warnings, or stop `rotate` half
 * way. Nothing when none is set.
 */
export const testHooks: Check = {
  area: 'config',
  name: 'test settings',
  async run(deps: Deps) {
    return deps.settings.testHooks.set.map((v) => warn('config', `${v} is set: a setting for mfa-login's own tests, harmful for real use`, `unset ${v}`));
  },
};
