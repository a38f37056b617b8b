import type { RoleStep } from '../config/chain.js';
import type { LongTermKeys, SessionCredentials } from '../credentials.js';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { StsError, type Sts, type StsTarget } from '../sts/sts.js';
import { withCode, type CodeAsk } from './mfa-code.js';
import { explainStsError } from './sts-errors.js';

/** AssumeRole made with session credentials is role chaining, which STS caps at one hour. */
export const CHAINED_ROLE_MAX_SECONDS = 3600;

/** One role of a chain, with what the chain worked out for it. */
export interface RoleHop {
  role: RoleStep;
  roleSessionName: string;
  target: StsTarget;
  /** The chain's MFA device, named in errors: the role's trust policy may require it. */
  serial?: string;
}

/**
 * Whether the role must be assumed straight from the IAM user with a code: it is the first hop and
 * asks for longer than chaining allows, so only a direct AssumeRole gets the role's own maximum.
 */
export function assumedDirectly(deps: Pick<Deps, 'debug'>, role: RoleStep, hopIndex: number): boolean {
  const direct = hopIndex === 0 && (role.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS;
  if (direct) deps.debug(`${role.profile}: duration_seconds ${role.durationSeconds} exceeds the 1-hour chaining cap; calling AssumeRole directly with the long-term key and an MFA code`);
  return direct;
}

/** AssumeRole with the IAM user's long-term key and a code, for the role's full duration_seconds. */
export async function assumeRoleWithMfa(
  deps: Pick<Deps, 'debug'> & { sts: () => Pick<Sts, 'assumeRole'>; terminal: Pick<Deps['terminal'], 'say'> },
  hop: RoleHop,
  from: { keys: LongTermKeys; serial: string; code: Omit<CodeAsk, 'serial'> },
): Promise<SessionCredentials> {
  const { role } = hop;
  return withCode(deps, { ...from.code, serial: from.serial }, (tokenCode) =>
    deps
      .sts()
      .assumeRole({ ...request(hop), credentials: from.keys, durationSeconds: role.durationSeconds!, serialNumber: from.serial, tokenCode })
      .then(
        (r) => r.credentials,
        (e) => {
          throw explain(e, hop);
        },
      ),
  );
}

/** The length to ask for when chaining: the role's duration_seconds, at most one hour. */
export function chainedSeconds(deps: Pick<Deps, 'debug'>, role: RoleStep): number {
  if ((role.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS) {
    deps.debug(`${role.profile}: duration_seconds ${role.durationSeconds} capped to ${CHAINED_ROLE_MAX_SECONDS}: this hop is reached through another role (role chaining)`);
  }
  return Math.min(role.durationSeconds ?? CHAINED_ROLE_MAX_SECONDS, CHAINED_ROLE_MAX_SECONDS);
}

/**
 * AssumeRole with the previous hop's session (role chaining). Errors come explained; the STS
 * refusal stays as their `cause`, so the caller can tell a refused parent session from the rest.
 */
export async function assumeRoleFrom(
  deps: Pick<Deps, 'debug'> & { sts: () => Pick<Sts, 'assumeRole'> },
  hop: RoleHop,
  parent: { credentials: SessionCredentials; name: string },
  durationSeconds: number,
): Promise<SessionCredentials> {
  deps.debug(`${hop.role.profile}: AssumeRole from the ${parent.name} (role chaining, at most ${CHAINED_ROLE_MAX_SECONDS}s)`);
  try {
    return (await deps.sts().assumeRole({ ...request(hop), credentials: parent.credentials, durationSeconds })).credentials;
  } catch (e) {
    throw explain(e, hop);
  }
}

function request(hop: RoleHop) {
  const { role } = hop;
  return {
    roleArn: role.roleArn,
    roleSessionName: hop.roleSessionName,
    target: hop.target,
    ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
    ...(role.sourceIdentity !== undefined ? { sourceIdentity: role.sourceIdentity } : {}),
    ...(role.tags !== undefined ? { tags: role.tags } : {}),
    ...(role.transitiveTagKeys !== undefined ? { transitiveTagKeys: role.transitiveTagKeys } : {}),
    ...(role.policyArns !== undefined ? { policyArns: role.policyArns } : {}),
    ...(role.policy !== undefined ? { policy: role.policy } : {}),
  };
}

function explain(e: unknown, hop: RoleHop): unknown {
  const scoped = scopeRefusal(e, hop);
  if (scoped !== undefined) return scoped;
  return explainStsError(e, { action: 'AssumeRole', profile: hop.role.profile, roleArn: hop.role.roleArn, ...(hop.serial ? { serial: hop.serial } : {}) });
}

/** What set the tags a TagSession refusal is about: the option given, the profile's key, or an earlier hop's transitive tags. */
function tagsToDrop(role: RoleHop['role']): string {
  const flags = (role.scopeFlags ?? []).filter((f) => f === '--session-tags' || f === '--transitive-session-tags');
  if (flags.length > 0) return `leave out ${flags.join(' and ')}`;
  if (role.tags !== undefined && role.tags.length > 0) return `remove session_tags from [profile ${role.profile}]`;
  return 'remove transitive_session_tags from the profiles before it in the chain';
}

/**
 * The refusals only session tags and policies bring, said in their terms: the trust policy lacks
 * sts:TagSession (AWS names the action), or the tags and policies together are over STS's packed
 * size, which no plaintext limit predicts.
 */
function scopeRefusal(e: unknown, hop: RoleHop): MfaLoginError | undefined {
  if (!(e instanceof StsError)) return undefined;
  const { role } = hop;
  if (e.code === 'AccessDenied' && /not authorized to perform: sts:TagSession\b/.test(e.message)) {
    const caller = /^User: (\S+) is not authorized/.exec(e.message)?.[1] ?? 'the caller';
    return new MfaLoginError('E_STS_ACCESS_DENIED', `${caller} may not tag a session of ${role.roleArn} (profile ${role.profile}): the role's trust policy does not allow sts:TagSession, which session tags (and transitive tags from an earlier hop) need`, {
      hint: `allow sts:TagSession in the trust policy of ${role.roleArn}, or ${tagsToDrop(role)}`,
      cause: e,
    });
  }
  if (e.code === 'PackedPolicyTooLarge') {
    return new MfaLoginError('E_STS', `STS refused the session tags and policies of profile ${role.profile} as too large once packed: ${e.message}`, {
      hint: 'use fewer or shorter session_tags, or fewer or smaller session policies',
      cause: e,
    });
  }
  return undefined;
}
