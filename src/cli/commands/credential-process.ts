import type { Deps } from '../../deps.js';
import { accountOf } from '../../config/chain.js';
import { formatCredentialProcess } from '../../output/credential-process.js';
import { sessionFor, type SessionInput } from '../../session/session.js';

/** `mfa-login credential-process <profile>`: the JSON the SDKs read, and nothing else on stdout. */
export async function credentialProcess(deps: Deps, input: SessionInput): Promise<void> {
  const { plan, got } = await sessionFor(deps, { ...input, calledAs: 'mfa-login credential-process' });
  deps.stdout(formatCredentialProcess(got.credentials, accountOf(plan)));
}
