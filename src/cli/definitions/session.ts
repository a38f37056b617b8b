import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../settings.js';
import { CODE_FLAGS, codeArgs, SCOPE_FLAGS, scopeArgs, withScopeRead, profilePositional, type Definition } from '../definition.js';

export interface SessionCommand {
  name: 'session';
  profile?: string;
  mfaToken?: string;
  duration?: number;
  region?: string;
  scopeOptions?: ScopeOptions;
}

export const session: Definition<SessionCommand> = {
  name: 'session',
  describe: 'start or check a profile\'s session without printing credentials',
  positionals: [profilePositional(false)],
  flags: { ...CODE_FLAGS, ...SCOPE_FLAGS },
  examples: [['$0 session prod', 'asks for a code if needed; later credential_process calls need none']],
  reads: READ_BY.session,
  plan: (a) => ({ name: 'session', ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...codeArgs(a), ...scopeArgs(a) }),
  run: withScopeRead(async (deps, c) => (await import('../commands/deliver.js')).session(deps, c)),
};
