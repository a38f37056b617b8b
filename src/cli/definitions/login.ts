import type { LoginInput } from '../commands/login.js';
import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../variables.js';
import { codeArgs, codeFlags, listed, profilePositional, SCOPE_FLAGS, scopeArgs, str, withScopeRead, type Args, type Definition } from '../definition.js';

/** `mfa-login login [profile]`, and `mfa-login PROFILE` (`bare`). A type only: login's code loads when it runs. */
export type LoginCommand = { name: 'login'; scopeOptions?: ScopeOptions } & Omit<LoginInput, 'scope'>;

/** login's flags, positional and examples: the default command (`mfa-login PROFILE`) has them too. */
export const LOGIN_LINE = {
  positionals: [profilePositional(false, 'the profile to log in to (default: $AWS_PROFILE, then "default")')],
  flags: {
    to: { type: 'string', describe: 'write to this profile name in the credentials file (default: the profile\'s own name)', profileValue: true },
    ...codeFlags({
      duration: 'length of the MFA session, 30m to 36h: seconds or 12h, 90m (default: duration_seconds, else 12h)',
      region: 'the region to use and to give the written profile, over the profile\'s own',
    }),
    ...SCOPE_FLAGS,
  },
  examples: [
    ['$0 alice', 'ask for a code, write a 12-hour session to [alice] in ~/.aws/credentials'],
    ['$0 prod --region eu-west-1', 'the written profile gets region = eu-west-1 in ~/.aws/config'],
    ['$0 prod --policy ro.json --to prod-ro', 'the role session narrowed by the policy in ro.json is what [prod-ro] gets'],
  ],
} as const satisfies Pick<Definition, 'positionals' | 'flags' | 'examples'>;

export function loginPlan(a: Args, bare = false): LoginCommand {
  return { name: 'login', profile: str(a.profile) ?? '', ...(bare ? { bare } : {}), ...(a.to !== undefined ? { to: String(a.to) } : {}), ...codeArgs(a), ...scopeArgs(a) };
}

export const login: Definition<LoginCommand> = {
  name: 'login',
  describe: 'get an MFA session and write it to ~/.aws/credentials',
  ...LOGIN_LINE,
  reads: READ_BY.login,
  plan: (a) => loginPlan(a),
  // The commands, for telling a mistyped one from a profile name.
  run: withScopeRead(async (deps, c, { table }) => (await import('../commands/login.js')).login(deps, c, listed(table).map((d) => d.name))),
};
