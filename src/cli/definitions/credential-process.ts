import { profilePositional, sessionCommand } from '../definition.js';

/** The cached call of this command never gets here: main.ts (quickParse) and fast-path.ts answer it. */
export const credentialProcess = sessionCommand({
  name: 'credential-process',
  describe: 'print credentials as the JSON that credential_process in ~/.aws/config expects',
  profile: profilePositional(true),
  scoped: true,
  examples: [['$0 credential-process prod', 'the JSON the AWS CLI reads; mfa-login setup prod puts this in ~/.aws/config']],
  run: async (deps, c) => (await import('../commands/credential-process.js')).credentialProcess(deps, c),
});
