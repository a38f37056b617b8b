import type { Deps } from '../../deps.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { sessionFor, type SessionInput } from '../../session/session.js';

/** `mfa-login session <profile>`: start or check the session without printing any secret. */
export async function session(deps: Deps, input: SessionInput): Promise<void> {
  const { plan, got } = await sessionFor(deps, { ...input, calledAs: 'mfa-login session' });
  const minutes = Math.round((got.credentials.expiration.getTime() - deps.now().getTime()) / 60000);
  const what = plan.roles.length > 0 ? plan.roles[plan.roles.length - 1]!.roleArn : `the MFA session of ${plan.source.profile}`;
  deps.stdout(`${plan.target}: ${what}, valid until ${toRfc3339(got.credentials.expiration)} (${minutes} min${got.fromCache ? ', cached' : ''}).\n`);
}
