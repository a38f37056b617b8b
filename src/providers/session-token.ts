import type { CachedSession } from '../session-store/store.js';
import type { LongTermKeys } from '../credentials.js';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { MAX_MFA_SESSION_SECONDS, MIN_SESSION_SECONDS } from '../config/chain.js';
import type { Sts, StsTarget } from '../sts/sts.js';
import { withCode, type CodeAsk } from './mfa-code.js';
import { explainStsError } from './sts-errors.js';

/**
 * 12 hours when no length is asked for. The range is the config's (config/chain.ts): what
 * GetSessionToken allows an IAM user, but at least 30 minutes, so a session outlasts the 15 minutes
 * every answer must still have left.
 */
export const DEFAULT_SESSION_SECONDS = 43200;

/** The MFA session's length: --duration, else the profile's duration_seconds, else 12 hours. */
export function mfaSessionSeconds(profile: string, requested: number | undefined): number {
  const s = requested ?? DEFAULT_SESSION_SECONDS;
  if (s < MIN_SESSION_SECONDS || s > MAX_MFA_SESSION_SECONDS) {
    throw new MfaLoginError('E_CONFIG', `duration_seconds ${s} of profile ${profile} is out of range for an MFA session (${MIN_SESSION_SECONDS} to ${MAX_MFA_SESSION_SECONDS} seconds)`, {
      hint: `use a value from ${MIN_SESSION_SECONDS} (30 minutes) to ${MAX_MFA_SESSION_SECONDS} (36 hours)`,
    });
  }
  return s;
}

export interface SessionTokenRequest {
  /** The IAM user's profile. */
  profile: string;
  keys: LongTermKeys;
  serial: string;
  /** Already checked by mfaSessionSeconds. */
  durationSeconds: number;
  target: StsTarget;
  code: Omit<CodeAsk, 'serial'>;
}

/** The MFA session: GetSessionToken with the IAM user's long-term key and one code. */
export async function sessionToken(deps: { sts: () => Pick<Sts, 'getSessionToken'>; terminal: Pick<Deps['terminal'], 'say'> }, req: SessionTokenRequest): Promise<CachedSession> {
  const { profile, keys, serial } = req;
  const credentials = await withCode(deps, { ...req.code, serial }, (tokenCode) =>
    deps
      .sts()
      .getSessionToken({ keys, durationSeconds: req.durationSeconds, serialNumber: serial, tokenCode, target: req.target })
      .catch((e) => {
        throw explainStsError(e, { action: 'GetSessionToken', profile, serial, accessKeyId: keys.accessKeyId });
      }),
  );
  return { kind: 'mfa-session', credentials, profiles: [profile], subject: serial, sourceKeyId: keys.accessKeyId };
}
