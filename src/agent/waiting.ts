import { MfaLoginError } from '../errors.js';

/**
 * How long one caller may hold the lease for a session before others stop waiting for it and take
 * over. Long, because the holder may be a person reading a code off a phone; a holder that dies
 * is noticed much sooner (its pid is gone, or its agent connection closes).
 */
export const LEASE_MAX_MS = 10 * 60 * 1000;

/** How long a caller waits for another one's lease before giving up: MFA_LOGIN_LOCK_TIMEOUT. */
export const DEFAULT_WAIT_SECONDS = 300;

/** How long an agent with nothing to hold and nobody connected stays: MFA_LOGIN_AGENT_IDLE. */
export const DEFAULT_AGENT_IDLE_SECONDS = 60;

/** A duration setting in (possibly fractional) seconds from the environment, in milliseconds. */
export function secondsSetting(env: Record<string, string | undefined>, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackSeconds * 1000;
  const s = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(s) || s <= 0) {
    throw new MfaLoginError('E_USAGE', `${name}=${raw} is not a number of seconds`, { hint: `set ${name} to a positive number of seconds, or unset it (default ${fallbackSeconds})` });
  }
  return Math.round(s * 1000);
}

export function waitTimeoutMs(env: Record<string, string | undefined>): number {
  return secondsSetting(env, 'MFA_LOGIN_LOCK_TIMEOUT', DEFAULT_WAIT_SECONDS);
}

/**
 * Another process holds the lease for longer than this one is willing to wait.
 * The code is provisional: none of the existing codes says "busy" (see the report to the lead).
 */
export function busyError(holderPid: number | undefined, profile: string, heldMs: number): MfaLoginError {
  const who = holderPid === undefined ? 'another mfa-login process' : `another mfa-login process (pid ${holderPid})`;
  return new MfaLoginError('E_BUSY', `${who} has been getting the session for ${profile} for ${Math.max(0, Math.round(heldMs / 1000))}s; gave up waiting`, {
    hint: holderPid === undefined ? 'if it is stuck, end it and run the command again' : `if it is stuck, end it (kill ${holderPid}) and run the command again`,
  });
}
