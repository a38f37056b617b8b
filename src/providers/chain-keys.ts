import type { ChainPlan, StsSettings } from '../config/chain.js';
import { stsTarget, type StsTarget } from '../sts/sts.js';
import { stsEnv } from '../sts/sts-env.js';

export { MIN_VALIDITY_MS } from './validity.js';

/** What a chain's sessions are cached under, and the settings the keys are made from. */
export interface ChainKeys {
  sourceTarget: StsTarget;
  mfaKey: string;
  /** One key per role, in chain order. */
  roleKeys: string[];
  roleSessionNames: string[];
}

/**
 * Cache keys name everything that changes what STS would hand out: the IAM user's profile, its
 * MFA device and where its STS is, then each role with its external id, session name, source
 * identity and duration. Changing any of them in the config makes a new key instead of reusing a
 * stale session. The long-term key is not part of it (reading it would open the keychain on every
 * cache hit); `add` and `remove` forget a profile's sessions instead.
 *
 * Keys are plain JSON text, not hashes, so the cached path needs no crypto module; each key lists
 * the chain up to its own hop, flat, so it grows with the chain's length and no faster.
 */
export function chainKeys(plan: ChainPlan, env: Record<string, string | undefined>): ChainKeys {
  // Only STS_ENV reaches the keys: the cached path checks exactly those (cache/route.ts).
  const sourceTarget = stsTarget(merge(plan.source.sts, plan.roles[0]?.sts), stsEnv(env));
  const mfa = ['mfa-session', plan.source.profile, plan.mfaSerial ?? null, place(sourceTarget)];
  const roleSessionNames = plan.roles.map((r) => r.roleSessionName ?? defaultSessionName(plan));
  const hops = plan.roles.map((r, i) => [r.roleArn, r.externalId ?? null, roleSessionNames[i]!, r.sourceIdentity ?? null, r.durationSeconds ?? null]);
  return {
    sourceTarget,
    mfaKey: JSON.stringify(mfa),
    roleKeys: hops.map((_, i) => JSON.stringify([...mfa, ...hops.slice(0, i + 1)])),
    roleSessionNames,
  };
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
