import { MfaLoginError } from '../errors.js';
import type { Terminal } from '../terminal/terminal.js';

export interface CodeRequest {
  profile: string;
  serial: string;
  /** 1 for the first ask; more when STS refused the previous code. */
  attempt: number;
}

/** Where a TOTP code comes from. Picked once; the rest of the code asks for "a code". */
export interface CodeSource {
  /** `--mfa-token`, `mfa_process` or `terminal`, for --debug. */
  readonly kind: 'flag' | 'mfa_process' | 'terminal';
  /** Whether asking again can give a different answer (only a person can). */
  readonly canRetry: boolean;
  get(request: CodeRequest): Promise<string>;
}

/** Runs a command and returns what it printed on stdout. */
export type ProcessRunner = (command: string, timeoutMs: number) => Promise<string>;

const CODE = /^\d{6}$/;

/** STS wants exactly six digits; anything else is refused here, before a request is spent. */
export function checkCode(code: string, from: string): string {
  const c = code.trim();
  if (!CODE.test(c)) {
    throw new MfaLoginError('E_MFA_CODE', `${from} is not a 6-digit code`, { hint: 'use the 6-digit code your MFA app shows now' });
  }
  return c;
}

/**
 * The order aws-vault uses: a code given on the command line, then the profile's mfa_process,
 * then a prompt on the controlling terminal. With none of them, fail at once instead of hanging
 * on a prompt nobody can see; `whenNoTerminal` says what to run by hand.
 */
export function chooseCodeSource(options: {
  flagToken?: string | undefined;
  mfaProcess?: string | undefined;
  terminal: Terminal;
  runProcess: ProcessRunner;
  processTimeoutMs: number;
  whenNoTerminal: string;
}): CodeSource {
  if (options.flagToken !== undefined) {
    const code = checkCode(options.flagToken, '--mfa-token');
    return { kind: 'flag', canRetry: false, get: async () => code };
  }
  if (options.mfaProcess !== undefined) {
    const command = options.mfaProcess;
    return {
      kind: 'mfa_process',
      canRetry: false,
      async get() {
        const out = await options.runProcess(command, options.processTimeoutMs);
        const lines = out.trim().split(/\r?\n/);
        const last = lines[lines.length - 1] ?? '';
        if (last.trim() === '') throw new MfaLoginError('E_MFA_PROCESS', `mfa_process printed nothing: ${command}`, { hint: 'run the command by hand to see what it does' });
        // The output is never shown: it may be a valid code, or something else the user keeps secret.
        if (!CODE.test(last.trim())) throw new MfaLoginError('E_MFA_PROCESS', `mfa_process did not print a 6-digit code: ${command}`, { hint: 'the last line it prints must be the code' });
        return last.trim();
      },
    };
  }
  const terminal = options.terminal;
  return {
    kind: 'terminal',
    canRetry: true,
    async get(req) {
      if (!terminal.available()) {
        // One line: under credential_process it is all the AWS CLI shows of us.
        throw new MfaLoginError('E_MFA_NO_SOURCE', `an MFA code is needed for ${req.profile} and there is no terminal to ask on; ${options.whenNoTerminal}`);
      }
      const answer = await terminal.ask(`MFA code for ${req.serial}:`, {
        validate: (v) => (CODE.test(v.trim()) ? true : 'Enter the 6 digits your MFA app shows'),
      });
      return checkCode(answer, 'the code');
    },
  };
}
