import { login, LOGIN_LINE, loginPlan, type LoginCommand } from './login.js';
import type { Definition } from '../definition.js';

/** `mfa-login PROFILE`: login, with no command named. Not listed; its flags are login's. */
export const bareLogin: Definition<LoginCommand> = {
  name: 'login',
  default: true,
  describe: false,
  ...LOGIN_LINE,
  plan: (a) => loginPlan(a, true),
  run: login.run,
};
