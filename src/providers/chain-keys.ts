import { createHash } from 'node:crypto';
import type { ChainPlan, StsSettings } from '../config/chain.js';
import { isEmptyScope, type SessionScope } from '../config/session-scope.js';
import { stsTarget, type StsTarget } from '../sts/sts.js';
import { stsEnv } from '../sts/sts-env.js';

/** What a chain's sessions are cached under, and the settings the keys are made from. */
export interface ChainKeys {
  sourceTarget: StsTarget;
  mfaKey: string;
  /** One key per role, in chain order. */
  roleKeys: string[];
  roleSessionNames: string[];
  /** Where each role is assumed, in chain order: its own STS settings over the IAM user's. */
  roleTargets: StsTarget[];
}

/**
 * Cache keys name everything that changes what STS would hand out: the IAM user's profile, its
 * MFA device and where its STS is, then each role with its external id, session name, source
 * identity and duration, and its session tags and policies when it has any. Changing any of them in the config makes a new key instead of reusing a
 * stale session. The long-term key is not part of it (reading it would open the keychain on every
 * cache hit); `add` and `remove` forget a profile's sessions instead.
 *
 * Keys are JSON text. A role's key holds its own hop and a SHA-256 digest of its parent's key (the
 * MFA session's, or the previous role's), so it stands for the whole chain up to its hop while its
 * size stays the same at any depth: listing every earlier hop in each key made a chain's keys grow
 * with the square of its length. The cached path compares keys the full path noted and never
 * makes one, so it still needs no crypto module.
 */
export function chainKeys(plan: ChainPlan, env: Record<string, string | undefined>): ChainKeys {
  // Only STS_ENV reaches the keys and the targets: the cached path checks exactly those
  // (session-store/route.ts).
  const sts = stsEnv(env);
  const sourceTarget = stsTarget(merge(plan.source.sts, plan.roles[0]?.sts), sts);
  const mfa = ['mfa-session', plan.source.profile, plan.mfaSerial ?? null, place(sourceTarget)];
  const roleSessionNames = plan.roles.map((r) => r.roleSessionName ?? defaultSessionName(plan));
  const mfaKey = JSON.stringify(mfa);
  const roleKeys: string[] = [];
  let parent = mfaKey;
  plan.roles.forEach((r, i) => {
    const hop: unknown[] = ['role', digest(parent), r.roleArn, r.externalId ?? null, roleSessionNames[i]!, r.sourceIdentity ?? null, r.durationSeconds ?? null];
    // Only a scoped hop has the extra element, so keys of sessions cached before tags existed stay valid.
    if (!isEmptyScope(r)) hop.push(scopeKey(r));
    parent = JSON.stringify(hop);
    roleKeys.push(parent);
  });
  const roleTargets = plan.roles.map((r) => stsTarget(merge(r.sts, plan.source.sts), sts));
  return { sourceTarget, mfaKey, roleKeys, roleSessionNames, roleTargets };
}

/**
 * Tags (in the order given: STS keeps it), transitive keys and policies of a hop. The inline
 * policy is kept as its digest: the key is noted for the cached path and need not carry 2 KiB.
 */
function scopeKey(r: SessionScope): Record<string, unknown> {
  return {
    ...(r.tags ? { tags: r.tags.map((t) => [t.key, t.value]) } : {}),
    ...(r.transitiveTagKeys ? { transitive: r.transitiveTagKeys } : {}),
    ...(r.policyArns ? { policyArns: r.policyArns } : {}),
    ...(r.policy !== undefined ? { policy: digest(r.policy) } : {}),
  };
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** The key the chain's target session is kept under: its last role's, or the MFA session's. */
export function targetKey(keys: ChainKeys): string {
  return keys.roleKeys.length > 0 ? keys.roleKeys[keys.roleKeys.length - 1]! : keys.mfaKey;
}

/**
 * CloudTrail should show who it was: the MFA device is named after the user by convention
 * (arn:aws:iam::111111111111:mfa/alice), so use that name; else the IAM user's profile name.
 */
export function defaultSessionName(plan: ChainPlan): string {
  const fromSerial = plan.mfaSerial?.startsWith('arn:') ? plan.mfaSerial.slice(plan.mfaSerial.lastIndexOf('/') + 1) : undefined;
  const name = (fromSerial || plan.source.profile).replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name.length >= 2 ? name : `${name}-mfa-login`.slice(0, 64);
}

export function merge(primary: StsSettings, fallback: StsSettings | undefined): StsSettings {
  return { ...(fallback ?? {}), ...primary };
}

/** Sessions are valid across a partition; an explicit endpoint (a test STS, a VPC endpoint) is its own place. */
function place(t: StsTarget): string {
  if (t.endpoint) return t.endpoint;
  return t.region.startsWith('cn-') ? 'aws-cn' : t.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}
