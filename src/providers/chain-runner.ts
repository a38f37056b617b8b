import { MAX_MFA_SESSION_SECONDS, type ChainPlan } from '../config/chain.js';
import type { LongTermKeys, SessionCredentials } from '../credentials.js';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import type { CodeSource } from '../mfa/code-source.js';
import { StsError, type Sts } from '../sts/sts.js';
import { assumedDirectly, assumeRoleFrom, assumeRoleWithMfa, chainedSeconds, CHAINED_ROLE_MAX_SECONDS, type RoleHop } from './assume-role.js';
import { cachedSession, type Got } from './cached.js';
import { chainKeys, targetKey } from './chain-keys.js';
import { MIN_VALIDITY_MS } from './validity.js';
import { longTermKeys, mfaDevice } from './iam-user.js';
import { mfaSessionSeconds, sessionToken } from './session-token.js';

/**
 * A session that is only used to call AssumeRole for the next hop need not last: a few minutes
 * cover the call. Refreshing parents 15 minutes early would cost an extra AssumeRole (or, for the
 * MFA session, an extra code) for nothing.
 */
export const PARENT_MIN_VALIDITY_MS = 2 * 60 * 1000;

/** The parts of Deps the chain uses. */
/** What the providers use: of STS only the two calls that make sessions. */
export type ChainDeps = Pick<Deps, 'env' | 'secrets' | 'cache' | 'now' | 'debug'> & { sts: () => Pick<Sts, 'getSessionToken' | 'assumeRole'>; terminal: Pick<Deps['terminal'], 'say'> };

export interface ChainOptions {
  /** Chosen at the edge, called at most once and only when a code is needed: a cache hit must not run mfa_process or open the terminal. */
  codeSource: () => CodeSource;
  /** --duration: the MFA session's length. */
  sessionDurationSeconds?: number;
  /** How long the target must still last (default MIN_VALIDITY_MS); only tests shrink it (settings.testHooks.minValidityMs). */
  minValidityMs?: number;
  /**
   * --ensure: how long a session must still last. `code-session`: the session a code is spent on
   * (codeSessionOf), whose length grows to cover it when a new one is needed; `target`: the
   * credentials handed out (keys that nobody renews). They are one when the target is the code session.
   */
  ensure?: { ms: number; of: 'code-session' | 'target' };
}

/** The target's credentials, and the key they are cached under (what a route notes). */
export interface Obtained extends Got {
  key: string;
  /** With `ensure`: when the session it was about ends. */
  ensuredUntil?: Date;
}

/**
 * The session a code is spent on, which role sessions are renewed from without one: the MFA
 * session, or the first role when it is assumed straight from the IAM user with a code (its
 * duration_seconds is over the hour chaining allows). `maxSeconds`: the most it can last (an IAM
 * user's MFA session; the account's root user gets less, which STS tells only by giving less).
 */
export function codeSessionOf(plan: ChainPlan, env: Deps['env']): { key: string; profile: string; maxSeconds: number; isTarget: boolean } {
  const keys = chainKeys(plan, env);
  const first = plan.roles[0];
  if (first !== undefined && (first.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS) {
    return { key: keys.roleKeys[0]!, profile: first.profile, maxSeconds: first.durationSeconds!, isTarget: plan.roles.length === 1 };
  }
  return { key: keys.mfaKey, profile: plan.source.profile, maxSeconds: MAX_MFA_SESSION_SECONDS, isTarget: plan.roles.length === 0 };
}

/** The most the target's credentials can last: the code session's, or a chained role's hour at most. */
export function targetMaxSeconds(plan: ChainPlan, env: Deps['env']): number {
  const code = codeSessionOf(plan, env);
  if (code.isTarget) return code.maxSeconds;
  return Math.min(plan.roles[plan.roles.length - 1]!.durationSeconds ?? CHAINED_ROLE_MAX_SECONDS, CHAINED_ROLE_MAX_SECONDS);
}

/**
 * Credentials for the target of a chain plan: the MFA session of the IAM user at its root
 * (GetSessionToken with one code), then each role in turn. Every step goes through the cache, so a
 * role that expires hourly is refreshed from the still-valid MFA session without a new code.
 */
export async function runChain(deps: ChainDeps, plan: ChainPlan, options: ChainOptions): Promise<Obtained> {
  const cache = deps.cache();
  const wrapper = { cache, now: () => deps.now(), debug: (m: string) => deps.debug(m) };
  let chosen: CodeSource | undefined;
  const code = { source: () => (chosen ??= options.codeSource()), profile: plan.target };
  let longTerm: LongTermKeys | undefined;
  const keys = async () => (longTerm ??= await longTermKeys(deps, plan.source.profile));
  const chain = chainKeys(plan, deps.env);
  const { sourceTarget, mfaKey, roleKeys, roleSessionNames, roleTargets } = chain;

  const ensure = options.ensure;
  const codeSession = codeSessionOf(plan, deps.env);
  // --ensure about the MFA session: a new one is made long enough to cover it, with the margin a
  // consumer needs at its end, within what GetSessionToken allows.
  const ensuredMfaSeconds = ensure !== undefined && (ensure.of === 'code-session' || plan.roles.length === 0) ? Math.min(Math.ceil(ensure.ms / 1000) + MIN_VALIDITY_MS / 1000, MAX_MFA_SESSION_SECONDS) : 0;
  const mfaSession = (marginMs: number): Promise<Got> =>
    cachedSession(wrapper, { key: mfaKey, marginMs, what: `MFA session of ${plan.source.profile}`, asker: plan.target }, async () => {
      const k = await keys();
      const durationSeconds = Math.max(mfaSessionSeconds(plan.source.profile, options.sessionDurationSeconds ?? plan.source.durationSeconds), ensuredMfaSeconds);
      return sessionToken(deps, { profile: plan.source.profile, keys: k, serial: mfaDevice(plan), durationSeconds, target: sourceTarget, code });
    });

  /** The session a hop is assumed from; it only has to last for that one call. */
  const parentOf = (i: number) =>
    i === 0
      ? { get: () => mfaSession(PARENT_MIN_VALIDITY_MS), profile: plan.source.profile, name: 'MFA session' }
      : { get: () => roleSession(i - 1, PARENT_MIN_VALIDITY_MS), profile: plan.roles[i - 1]!.profile, name: `session of ${plan.roles[i - 1]!.roleArn}` };

  const fromParent = async (i: number, hop: RoleHop): Promise<SessionCredentials> => {
    const seconds = chainedSeconds(deps, hop.role);
    const parent = parentOf(i);
    const first = await parent.get();
    try {
      return await assumeRoleFrom(deps, hop, { credentials: first.credentials, name: parent.name }, seconds);
    } catch (e) {
      // A cached session that STS no longer honours (revoked, or the clock moved): forget it and
      // go once more from a fresh one, rather than failing until it would have expired.
      const refusal = first.fromCache ? staleRefusal(e) : undefined;
      if (refusal === undefined) throw e;
      deps.debug(`${hop.role.profile}: the cached parent session was refused (${refusal}); getting a new one`);
      await cache.forget(parent.profile);
      const fresh = await parent.get();
      return assumeRoleFrom(deps, hop, { credentials: fresh.credentials, name: parent.name }, seconds);
    }
  };

  const roleSession = (i: number, marginMs: number): Promise<Got> => {
    const role = plan.roles[i]!;
    return cachedSession(wrapper, { key: roleKeys[i]!, marginMs, what: `session of ${role.roleArn}`, asker: plan.target }, async () => {
      const hop: RoleHop = {
        role,
        roleSessionName: roleSessionNames[i]!,
        target: roleTargets[i]!,
        ...(plan.mfaSerial ? { serial: plan.mfaSerial } : {}),
      };
      const credentials = assumedDirectly(deps, role, i) ? await assumeRoleWithMfa(deps, hop, { keys: await keys(), serial: mfaDevice(plan), code }) : await fromParent(i, hop);
      const profiles = [plan.source.profile, ...plan.roles.slice(0, i + 1).map((r) => r.profile)];
      return { kind: 'role', credentials, profiles, subject: role.roleArn, ...(longTerm ? { sourceKeyId: longTerm.accessKeyId } : {}) };
    });
  };

  // Only the target must last the 15 minutes a consumer expects; the hops before it need only PARENT_MIN_VALIDITY_MS.
  let margin = options.minValidityMs ?? MIN_VALIDITY_MS;
  let ensured: Got | undefined;
  if (ensure !== undefined && (ensure.of === 'target' || codeSession.isTarget)) margin = Math.max(margin, ensure.ms);
  // Asked for first, while the user is at the terminal: the roles are renewed from it later.
  else if (ensure !== undefined) ensured = await (codeSession.key === mfaKey ? mfaSession(Math.max(ensure.ms, PARENT_MIN_VALIDITY_MS)) : roleSession(0, Math.max(ensure.ms, PARENT_MIN_VALIDITY_MS)));
  const got = await (plan.roles.length === 0 ? mfaSession(margin) : roleSession(plan.roles.length - 1, margin));
  return { ...got, key: targetKey(chain), ...(ensure !== undefined ? { ensuredUntil: (ensured ?? got).credentials.expiration } : {}) };
}

/** The STS code when a call was refused for the credentials it was made with (expired or revoked), else undefined. */
function staleRefusal(e: unknown): string | undefined {
  const refusal = e instanceof MfaLoginError ? e.cause : e;
  return refusal instanceof StsError && (refusal.code === 'ExpiredToken' || refusal.code === 'InvalidClientTokenId') ? refusal.code : undefined;
}
