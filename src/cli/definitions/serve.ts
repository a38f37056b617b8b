import type { Shell } from '../../output/exports.js';
import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../variables.js';
import type { Ensure } from '../../session/session.js';
import { CODE_FLAGS, codeArgs, ENSURE_FLAG, parseEnsure, SCOPE_FLAGS, scopeArgs, withScopeRead, parsePort, profilePositional, shellOf, SHELLS, type Definition } from '../definition.js';

export interface ServeCommand {
  name: 'serve';
  profile?: string;
  port?: number;
  shell?: Shell;
  mfaToken?: string;
  duration?: number;
  region?: string;
  ensure?: Ensure;
  scopeOptions?: ScopeOptions;
}

export const serve: Definition<ServeCommand> = {
  name: 'serve',
  describe: 'serve a profile\'s credentials on a local endpoint (for IDEs, desktop apps, containers) until stopped',
  positionals: [profilePositional(false, 'default: $AWS_PROFILE, then "default"')],
  flags: {
    ...CODE_FLAGS,
    ...SCOPE_FLAGS,
    port: { type: 'string', describe: 'the loopback port to listen on (default: a free one)' },
    shell: { type: 'string', choices: SHELLS, noun: 'a shell', describe: 'the shell to print the variables for (default: detected)' },
    ensure: { ...ENSURE_FLAG, describe: `${ENSURE_FLAG.describe}: the MFA session the served credentials are renewed from` },
  },
  examples: [
    ['$0 serve prod', 'prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN to set where the tool starts'],
    ['$0 serve prod --port 9911 --shell fish', 'a fixed port, the variables in fish syntax'],
  ],
  reads: READ_BY.serve,
  plan: (a) => {
    const shell = shellOf(a.shell);
    return {
      name: 'serve',
      ...(a.profile !== undefined ? { profile: String(a.profile) } : {}),
      ...(a.port !== undefined ? { port: parsePort(String(a.port)) } : {}),
      ...(shell !== undefined ? { shell } : {}),
      ...codeArgs(a),
      ...(a.ensure !== undefined ? { ensure: { seconds: parseEnsure(String(a.ensure)), renewed: true } } : {}),
      ...scopeArgs(a),
    };
  },
  run: withScopeRead(async (deps, c) => (await import('../commands/serve.js')).serve(deps, c)),
};
