import type { ChainPlan, RoleStep } from '../config/chain.js';
import type { LongTermKeys, SessionCredentials } from '../credentials.js';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import type { CachedSession } from '../cache/session-cache.js';
import { chainKeys, merge, MIN_VALIDITY_MS } from './chain-keys.js';
export { MIN_VALIDITY_MS } from './chain-keys.js';
export { defaultSessionName } from './chain-keys.js';
import type { CodeSource } from '../mfa/code-source.js';
import { StsError, stsTarget } from '../sts/sts.js';
import { explainStsError } from './sts-errors.js';
import { testMinValidityMs } from '../settings.js';

/**
 * A session that is only used to call AssumeRole for the next hop need not last: a few minutes
 * cover the call. Refreshing parents 15 minutes early would cost an extra AssumeRole (or, for the
 * MFA session, an extra code) for nothing.
 */
export const PARENT_MIN_VALIDITY_MS = 2 * 60 * 1000;
/** AssumeRole made with session credentials is role chaining, which STS caps at one hour. */
export const CHAINED_ROLE_MAX_SECONDS = 3600;
export const DEFAULT_SESSION_SECONDS = 43200;
export const SESSION_MIN_SECONDS = 900;
export const SESSION_MAX_SECONDS = 129600;
const MAX_CODE_ATTEMPTS = 3;

export interface ObtainOptions {
  /** Picked lazily: a cache hit must not run mfa_process or open the terminal. */
  codeSource: () => CodeSource;
  /** --duration: the MFA session's length. */
  sessionDurationSeconds?: number;
}

export interface Obtained {
  credentials: SessionCredentials;
  /** True when nothing was asked of STS. */
  fromCache: boolean;
}

/**
 * Credentials for the target of a chain plan: the MFA session of the IAM user at its root
 * (GetSessionToken with one code), then each role in turn. Every step is cached, so a role that
 * expires hourly is refreshed from the still-valid MFA session without a new code.
 */
export async function credentialsFor(deps: Deps, plan: ChainPlan, options: ObtainOptions): Promise<Obtained> {
  const cache = deps.cache();
  const now = () => deps.now().getTime();
  let asked = false;
  let longTerm: LongTermKeys | undefined;

  const keys = async (): Promise<LongTermKeys> => {
    longTerm ??= await loadKeys(deps, plan.source.profile);
    return longTerm;
  };

  const serial = (): string => {
    if (plan.mfaSerial === undefined) {
      throw new MfaLoginError('E_NO_MFA_SERIAL', `profile ${plan.source.profile} has no mfa_serial, so there is no MFA device to ask a code for`, {
        hint: `run: mfa-login add ${plan.source.profile}  (it finds your MFA device and records it), or add mfa_serial = arn:aws:iam::ACCOUNT:mfa/NAME to [profile ${plan.source.profile}]`,
      });
    }
    return plan.mfaSerial;
  };

  /** Runs an STS call that needs a code, asking again (a person only) when STS refuses it. */
  const withCode = async <T>(call: (code: string) => Promise<T>): Promise<T> => {
    const source = options.codeSource();
    for (let attempt = 1; ; attempt++) {
      const code = await source.get({ profile: plan.target, serial: serial(), attempt });
      try {
        return await call(code);
      } catch (e) {
        if (!(e instanceof MfaLoginError) || e.code !== 'E_MFA_REJECTED' || !source.canRetry || attempt >= MAX_CODE_ATTEMPTS) throw e;
        deps.terminal.say('STS refused that code. If you just used it, wait for the next one.');
      }
    }
  };

  const { sourceTarget, mfaKey, roleKeys, roleSessionNames } = chainKeys(plan, deps.env);

  /**
   * The session for one cache key: from the cache when it lasts long enough, else made by `make`
   * under the cache's lease, so that parallel callers wait for this one instead of each spending
   * a code and an STS call. Whoever waited receives what `make` produced.
   */
  const through = async (key: string, margin: number, what: string, make: () => Promise<CachedSession>): Promise<{ creds: SessionCredentials; cached: boolean }> => {
    const got = await cache.acquire(key, new Date(now() + margin), plan.target);
    if (got.session !== undefined) {
      deps.debug(`using the cached ${what} (expires ${got.session.credentials.expiration.toISOString()})`);
      return { creds: got.session.credentials, cached: true };
    }
    let made: CachedSession;
    try {
      made = await make();
    } catch (e) {
      await got.lease.release().catch(() => {});
      throw e;
    }
    await got.lease.put(made);
    return { creds: made.credentials, cached: false };
  };

  const mfaSession = (margin: number) =>
    through(mfaKey, margin, `MFA session of ${plan.source.profile}`, async () => {
      const k = await keys();
      const seconds = sessionSeconds(plan, options);
      const ser = serial();
      asked = true;
      const creds = await withCode((tokenCode) =>
        deps
          .sts()
          .getSessionToken({ keys: k, durationSeconds: seconds, serialNumber: ser, tokenCode, target: sourceTarget })
          .catch((e) => {
            throw explainStsError(e, { action: 'GetSessionToken', profile: plan.source.profile, serial: ser, accessKeyId: k.accessKeyId });
          }),
      );
      return { kind: 'mfa-session', credentials: creds, profiles: [plan.source.profile], subject: ser, sourceKeyId: k.accessKeyId };
    });

  const roleSession = (i: number, margin: number) => {
    const role = plan.roles[i]!;
    return through(roleKeys[i]!, margin, `session of ${role.roleArn}`, async () => {
      const target = stsTarget(merge(role.sts, plan.source.sts), deps.env);
      const profiles = [plan.source.profile, ...plan.roles.slice(0, i + 1).map((r) => r.profile)];
      const explain = (e: unknown) => explainStsError(e, { action: 'AssumeRole', profile: role.profile, roleArn: role.roleArn, ...(plan.mfaSerial ? { serial: plan.mfaSerial } : {}) });
      const base = { roleArn: role.roleArn, roleSessionName: roleSessionNames[i]!, target, ...pick(role) };

      let creds: SessionCredentials;
      if (i === 0 && (role.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS) {
        // Longer than chaining allows: assume the role straight from the IAM user with the code,
        // so the role's own maximum applies instead of the one-hour cap.
        deps.debug(`${role.profile}: duration_seconds ${role.durationSeconds} exceeds the 1-hour chaining cap; calling AssumeRole directly with the long-term key and an MFA code`);
        const k = await keys();
        const ser = serial();
        asked = true;
        creds = await withCode((tokenCode) =>
          deps.sts().assumeRole({ ...base, credentials: k, durationSeconds: role.durationSeconds!, serialNumber: ser, tokenCode }).then(
            (r) => r.credentials,
            (e) => {
              throw explain(e);
            },
          ),
        );
      } else {
        const duration = Math.min(role.durationSeconds ?? CHAINED_ROLE_MAX_SECONDS, CHAINED_ROLE_MAX_SECONDS);
        if ((role.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS) {
          deps.debug(`${role.profile}: duration_seconds ${role.durationSeconds} capped to ${CHAINED_ROLE_MAX_SECONDS}: this hop is reached through another role (role chaining)`);
        }
        const assume = async (parent: { creds: SessionCredentials }) => {
          deps.debug(`${role.profile}: AssumeRole from the ${i === 0 ? 'MFA session' : `session of ${plan.roles[i - 1]!.roleArn}`} (role chaining, at most ${CHAINED_ROLE_MAX_SECONDS}s)`);
          asked = true;
          return deps.sts().assumeRole({ ...base, credentials: parent.creds, durationSeconds: duration });
        };
        const parentOf = () => (i === 0 ? mfaSession(PARENT_MIN_VALIDITY_MS) : roleSession(i - 1, PARENT_MIN_VALIDITY_MS));
        const parent = await parentOf();
        try {
          creds = (await assume(parent)).credentials;
        } catch (e) {
          // A cached session that STS no longer honours (revoked, or the clock moved): forget it and
          // go once more from a fresh one, rather than failing until it would have expired.
          const stale = e instanceof StsError && (e.code === 'ExpiredToken' || e.code === 'InvalidClientTokenId') && parent.cached;
          if (!stale) throw explain(e);
          deps.debug(`${role.profile}: the cached parent session was refused (${(e as StsError).code}); getting a new one`);
          await cache.forget(i === 0 ? plan.source.profile : plan.roles[i - 1]!.profile);
          try {
            creds = (await assume(await parentOf())).credentials;
          } catch (e2) {
            throw explain(e2);
          }
        }
      }
      return { kind: 'role', credentials: creds, profiles, subject: role.roleArn, ...(longTerm ? { sourceKeyId: longTerm.accessKeyId } : {}) };
    });
  };

  const margin = testMinValidityMs(deps.env) ?? MIN_VALIDITY_MS;
  if (plan.roles.length === 0) {
    const s = await mfaSession(margin);
    return { credentials: s.creds, fromCache: s.cached };
  }
  const r = await roleSession(plan.roles.length - 1, margin);
  return { credentials: r.creds, fromCache: !asked };
}

async function loadKeys(deps: Deps, profile: string): Promise<LongTermKeys> {
  const store = deps.secrets();
  const k = await store.get(profile);
  if (k === undefined) {
    throw new MfaLoginError('E_NO_KEYS', `no keys stored for profile ${profile} in ${store.location}`, { hint: `store them with: mfa-login add ${profile}` });
  }
  return k;
}

function sessionSeconds(plan: ChainPlan, options: ObtainOptions): number {
  const s = options.sessionDurationSeconds ?? plan.source.durationSeconds ?? DEFAULT_SESSION_SECONDS;
  if (s < SESSION_MIN_SECONDS || s > SESSION_MAX_SECONDS) {
    throw new MfaLoginError('E_CONFIG', `duration_seconds ${s} of profile ${plan.source.profile} is out of range for an MFA session (900 to 129600 seconds)`, {
      hint: 'use a value from 900 (15 minutes) to 129600 (36 hours)',
    });
  }
  return s;
}

function pick(role: RoleStep) {
  return {
    ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
    ...(role.sourceIdentity !== undefined ? { sourceIdentity: role.sourceIdentity } : {}),
  };
}
