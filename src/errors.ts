/**
 * One error type for everything a user can be told about. The CLI edge prints
 * `mfa-login: <message>` plus the hint, and exits with the status for the code.
 * Anything that is not a MfaLoginError is a bug and exits with 1.
 */

/** Exit statuses are part of the interface: scripts branch on them. Documented in README.md. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  missingKeys: 4,
  mfa: 5,
  sts: 6,
  keychain: 7,
  cache: 8,
  interrupted: 130,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** Stable error codes, grouped by the exit status they lead to. */
const STATUS_OF = {
  E_USAGE: EXIT.usage,
  E_CONFIG: EXIT.config,
  E_CONFIG_SYNTAX: EXIT.config,
  E_PROFILE_UNKNOWN: EXIT.config,
  E_PROFILE_LOOP: EXIT.config,
  E_PROFILE_CONFLICT: EXIT.config,
  E_NOT_A_ROLE: EXIT.config,
  E_FILE: EXIT.config,
  E_NO_KEYS: EXIT.missingKeys,
  E_MFA_CODE: EXIT.mfa,
  E_MFA_NO_SOURCE: EXIT.mfa,
  E_MFA_PROCESS: EXIT.mfa,
  E_MFA_REJECTED: EXIT.mfa,
  E_MFA_CANCELLED: EXIT.mfa,
  E_NO_MFA_SERIAL: EXIT.mfa,
  E_STS: EXIT.sts,
  E_STS_ACCESS_DENIED: EXIT.sts,
  E_STS_UNREACHABLE: EXIT.sts,
  E_KEYCHAIN: EXIT.keychain,
  E_KEYCHAIN_NO_DBUS: EXIT.keychain,
  E_KEYCHAIN_NO_DAEMON: EXIT.keychain,
  E_KEYCHAIN_LOCKED: EXIT.keychain,
  E_FILE_STORE_PASSPHRASE: EXIT.keychain,
  E_AGENT: EXIT.cache,
  E_CACHE: EXIT.cache,
  E_BUSY: EXIT.cache,
  E_INTERRUPTED: EXIT.interrupted,
} as const;

export type ErrorCode = keyof typeof STATUS_OF;

export class MfaLoginError extends Error {
  readonly code: ErrorCode;
  /** The next thing to try, usually a command. Printed on its own line after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MfaLoginError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitStatus(): ExitStatus {
    return STATUS_OF[this.code];
  }
}

export function isMfaLoginError(e: unknown): e is MfaLoginError {
  return e instanceof MfaLoginError;
}
