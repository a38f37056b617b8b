import type { ScopeOptions } from '../../config/session-scope.js';
import { READ_BY } from '../../settings.js';
import { CODE_FLAGS, codeArgs, SCOPE_FLAGS, scopeArgs, withScopeRead, profilePositional, type Definition } from '../definition.js';

export interface CredentialProcessCommand {
  name: 'credential-process';
  profile: string;
  mfaToken?: string;
  duration?: number;
  region?: string;
  scopeOptions?: ScopeOptions;
}

/** The cached call of this command never gets here: main.ts (quickParse) and fast-path.ts answer it. */
export const credentialProcess: Definition<CredentialProcessCommand> = {
  name: 'credential-process',
  describe: 'print credentials as the JSON that credential_process in ~/.aws/config expects',
  positionals: [profilePositional(true)],
  flags: { ...CODE_FLAGS, ...SCOPE_FLAGS },
  examples: [['$0 credential-process prod', 'the JSON the AWS CLI reads; mfa-login setup prod puts this in ~/.aws/config']],
  reads: READ_BY['credential-process'],
  plan: (a) => ({ name: 'credential-process', profile: String(a.profile), ...codeArgs(a), ...scopeArgs(a) }),
  run: withScopeRead(async (deps, c) => (await import('../commands/deliver.js')).credentialProcess(deps, c)),
};
