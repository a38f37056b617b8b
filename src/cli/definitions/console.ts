import type { ConsoleInput } from '../commands/console.js';
import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../variables.js';
import { CONSOLE_DURATION, parseDuration, parseRegion, profilePositional, SCOPE_FLAGS, scopeArgs, withScopeRead, type Definition } from '../definition.js';

/** A type only: the console's code loads when it runs. */
export type ConsoleCommand = { name: 'console'; scopeOptions?: ScopeOptions } & Omit<ConsoleInput, 'scope'>;

export const consoleCommand: Definition<ConsoleCommand> = {
  name: 'console',
  describe: 'open the AWS console in your browser, signed in as a role profile',
  positionals: [profilePositional(false, 'a role profile (default: $AWS_PROFILE, then "default")')],
  flags: {
    print: { type: 'boolean', describe: 'print the sign-in URL instead of opening a browser' },
    service: { type: 'string', describe: 'the console page of this service, e.g. s3, ec2, iam' },
    path: { type: 'string', describe: 'the console page at this path, e.g. /s3/buckets' },
    duration: { type: 'string', describe: 'length of the console session, 15m to 12h (only for roles not reached by role chaining)' },
    'mfa-token': { type: 'string', describe: 'the 6-digit code, instead of a prompt or mfa_process' },
    region: { type: 'string', describe: 'the console region, over the profile\'s own' },
    ...SCOPE_FLAGS,
  },
  conflicts: [['service', 'path']],
  examples: [
    ['$0 console prod', 'opens the console in your default browser'],
    ['$0 console prod --service s3 --print', 'prints a sign-in URL for the S3 console, good for 15 minutes'],
  ],
  reads: READ_BY.console,
  plan: (a) => ({
    name: 'console',
    print: a.print === true,
    ...(a.profile !== undefined ? { profile: String(a.profile) } : {}),
    ...(a.service !== undefined ? { service: String(a.service) } : {}),
    ...(a.path !== undefined ? { path: String(a.path) } : {}),
    ...(a.duration !== undefined ? { consoleDuration: parseDuration(String(a.duration), CONSOLE_DURATION) } : {}),
    ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
    ...(a.region !== undefined ? { region: parseRegion(String(a.region)) } : {}),
    ...scopeArgs(a),
  }),
  run: withScopeRead(async (deps, c) => (await import('../commands/console.js')).openConsole(deps, c)),
};
