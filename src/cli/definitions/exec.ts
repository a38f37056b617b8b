import { MfaLoginError } from '../../errors.js';
import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../variables.js';
import type { Ensure } from '../../session/session.js';
import { CODE_FLAGS, codeArgs, ENSURE_FLAG, parseEnsure, SCOPE_FLAGS, scopeArgs, withScopeRead, parsePort, profilePositional, type Definition } from '../definition.js';

export interface ExecCommand {
  name: 'exec';
  profile: string;
  command: string[];
  allowNested: boolean;
  mfaToken?: string;
  duration?: number;
  region?: string;
  server?: boolean;
  port?: number;
  ensure?: Ensure;
  scopeOptions?: ScopeOptions;
}

export const exec: Definition<ExecCommand> = {
  name: 'exec',
  describe: 'run a command with the profile\'s credentials in its environment',
  positionals: [profilePositional(true), { name: 'command', required: false, variadic: true }],
  flags: {
    ...CODE_FLAGS,
    ...SCOPE_FLAGS,
    'allow-nested': { type: 'boolean', describe: 'allow exec inside another mfa-login exec' },
    server: { type: 'boolean', describe: 'give the command a local credential endpoint that renews the credentials, instead of keys' },
    port: { type: 'string', describe: 'with --server: the loopback port to listen on (default: a free one)' },
    ensure: { ...ENSURE_FLAG, describe: `${ENSURE_FLAG.describe}: with --server the MFA session the credentials are renewed from, else the keys themselves (a role reached through the MFA session: at most 1h)` },
  },
  examples: [
    ['$0 exec prod -- aws s3 ls', 'the command exits with its own status'],
    ['$0 exec --server prod -- terraform apply', 'runs longer than the 1-hour role session: credentials are renewed'],
    ['$0 exec --server --ensure 3h prod -- make', 'asks for a code now unless the MFA session lasts 3 more hours'],
  ],
  reads: READ_BY.exec,
  plan: (a) => {
    if (a.port !== undefined && a.server !== true) throw new MfaLoginError('E_USAGE', '--port needs --server', { hint: 'mfa-login exec --server --port PORT PROFILE -- COMMAND' });
    return {
      name: 'exec',
      profile: String(a.profile),
      command: [...((a.command as unknown[]) ?? []), ...((a['--'] as unknown[]) ?? [])].map(String),
      allowNested: a.allowNested === true,
      ...codeArgs(a),
      ...scopeArgs(a),
      ...(a.server === true ? { server: true } : {}),
      ...(a.port !== undefined ? { port: parsePort(String(a.port)) } : {}),
      ...(a.ensure !== undefined ? { ensure: { seconds: parseEnsure(String(a.ensure)), renewed: a.server === true } } : {}),
    };
  },
  run: withScopeRead(async (deps, c) => (await import('../commands/exec.js')).exec(deps, c)),
};
