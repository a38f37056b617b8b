import { MfaLoginError } from '../errors.js';
import type { Terminal } from '../terminal/terminal.js';
import type { PromptChoice } from '../settings.js';
import type { DesktopKind, DesktopPrompt } from './desktop-prompt.js';

export interface CodeRequest {
  profile: string;
  serial: string;
  /** 1 for the first ask; more when STS refused the previous code. */
  attempt: number;
}

/** Where a TOTP code comes from. Picked once; the rest of the code asks for "a code". */
export interface CodeSource {
  /** `--mfa-token`, MFA_LOGIN_MFA_TOKEN, `mfa_process`, or a prompt (terminal or desktop), for --debug. */
  readonly kind: 'flag' | 'environment' | 'mfa_process' | 'terminal';
  /** Whether asking again can give a different answer (only a person can). */
  readonly canRetry: boolean;
  get(request: CodeRequest): Promise<string>;
}

/** Runs a command and returns the first line it printed on stdout. */
export type ProcessRunner = (command: string, timeoutMs: number, env?: Record<string, string | undefined>) => Promise<string>;

/**
 * What mfa_process is called when we speak of it: the program's name alone. Its arguments may be
 * the secret itself (`oathtool --totp -b SEED`), and so may a leading `SEED=... cmd` assignment.
 */
export function commandName(command: string): string {
  const word = command.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
  const base = word.replace(/^['"]|['"]$/g, '').replace(/^.*\//, '');
  return /^[\w.+-]{1,64}$/.test(base) ? base : 'the command';
}

const CODE = /^\d{6}$/;

/** STS wants exactly six digits; anything else is refused here, before a request is spent. */
export function checkCode(code: string, from: string): string {
  const c = code.trim();
  if (!CODE.test(c)) {
    throw new MfaLoginError('E_MFA_CODE', `${from} is not a 6-digit code`, { hint: 'use the 6-digit code your MFA app shows now' });
  }
  return c;
}

/** Why a code is needed, when it is not the plain lack of a session, and the command that gets one. */
export interface NoTerminalAdvice {
  why: string;
  hint: string;
}

function noSource(profile: string, lack: string, advice: string | NoTerminalAdvice): MfaLoginError {
  if (typeof advice === 'string') return new MfaLoginError('E_MFA_NO_SOURCE', `an MFA code is needed for ${profile} and ${lack}; ${advice}`);
  return new MfaLoginError('E_MFA_NO_SOURCE', `an MFA code is needed for ${profile} (${advice.why}) and ${lack}`, { hint: advice.hint });
}

/**
 * The order aws-vault uses: a code given on the command line (or in MFA_LOGIN_MFA_TOKEN), then the profile's mfa_process,
 * then a prompt on the controlling terminal. With none of them, fail at once instead of hanging
 * on a prompt nobody can see; `whenNoTerminal` says what to run by hand.
 */
export function chooseCodeSource(options: {
  flagToken?: string | undefined;
  /** MFA_LOGIN_MFA_TOKEN: the same code kept out of argv, where any local user can read it. */
  envToken?: string | undefined;
  mfaProcess?: string | undefined;
  terminal: Terminal;
  runProcess: ProcessRunner;
  processTimeoutMs: number;
  /** Our environment: mfa_process gets it without our own secrets. */
  env?: Record<string, string | undefined>;
  whenNoTerminal: string | NoTerminalAdvice;
  /** MFA_LOGIN_PROMPT; `auto` when absent. */
  prompt?: PromptChoice;
  /** The desktop dialog of that kind, or (no kind) the one this session can show, if any. */
  desktop?: (kind?: DesktopKind) => DesktopPrompt | undefined;
  /** How long a dialog waits for an answer: the lease timeout, as for anyone waiting on us. */
  dialogTimeoutMs?: number;
}): CodeSource {
  if (options.flagToken !== undefined) {
    const code = checkCode(options.flagToken, '--mfa-token');
    return { kind: 'flag', canRetry: false, get: async () => code };
  }
  if (options.envToken !== undefined) {
    const code = checkCode(options.envToken, 'MFA_LOGIN_MFA_TOKEN');
    return { kind: 'environment', canRetry: false, get: async () => code };
  }
  if (options.mfaProcess !== undefined) {
    const command = options.mfaProcess;
    const name = commandName(command);
    return {
      kind: 'mfa_process',
      canRetry: false,
      async get() {
        const out = await options.runProcess(command, options.processTimeoutMs, options.env);
        const first = out.trim().split(/\r?\n/)[0] ?? '';
        if (first.trim() === '') throw new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} printed nothing`, { hint: 'run the command by hand to see what it does' });
        // The output is never shown: it may be a valid code, or something else the user keeps secret.
        if (!CODE.test(first.trim())) throw new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} did not print a 6-digit code`, { hint: 'the first line it prints must be the code' });
        return first.trim();
      },
    };
  }
  const terminal = options.terminal;
  const choice = options.prompt ?? 'auto';
  return {
    kind: 'terminal',
    canRetry: true,
    async get(req) {
      if (choice === 'none') {
        throw noSource(req.profile, 'MFA_LOGIN_PROMPT=none allows no prompt', options.whenNoTerminal);
      }
      const useTerminal = choice === 'terminal' || (choice === 'auto' && terminal.available());
      const desktop = useTerminal ? undefined : choice === 'auto' ? options.desktop?.() : options.desktop?.(choice as DesktopKind);
      if (desktop !== undefined) return askDesktop(desktop, req, options.dialogTimeoutMs ?? 300_000);
      if (!terminal.available()) {
        // One line: under credential_process it is all the AWS CLI shows of us.
        throw noSource(req.profile, 'there is no terminal to ask on', options.whenNoTerminal);
      }
      const answer = await terminal.ask(`MFA code for ${req.serial}:`, {
        validate: (v) => (CODE.test(v.trim()) ? true : 'Enter the 6 digits your MFA app shows'),
        // STS judges the code: no ✔ beside one it may yet refuse.
        judgedLater: true,
      });
      return checkCode(answer, 'the code');
    },
  };
}

/**
 * Asks through a dialog until it gets 6 digits, Cancel, or the time is up. The deadline covers
 * every re-ask, so a dialog can never keep a caller (and those waiting on its lease) longer.
 */
async function askDesktop(desktop: DesktopPrompt, req: CodeRequest, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const title = `mfa-login: MFA code for ${req.profile} (${req.serial})`;
  let note = req.attempt > 1 ? 'STS refused the previous code; wait for the next one.\n' : '';
  for (;;) {
    const answer = await desktop.ask({ title, text: `${note}Enter the 6-digit MFA code for profile ${req.profile}\nMFA device: ${req.serial}` }, Math.max(1, deadline - Date.now()));
    if (answer.kind === 'cancel') {
      throw new MfaLoginError('E_MFA_CANCELLED', `the MFA code for ${req.profile} was not given: the dialog was cancelled`);
    }
    if (CODE.test(answer.text)) return answer.text;
    note = 'That was not a 6-digit code.\n';
  }
}
