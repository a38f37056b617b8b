import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import type { CodeSource } from '../mfa/code-source.js';

const MAX_CODE_ATTEMPTS = 3;

/** Where the code for one STS call comes from, and what to tell the source it is for. */
export interface CodeAsk {
  /** Chosen once at the edge; called only when a code is really needed (a cache hit asks nothing). */
  source: () => CodeSource;
  /** The profile the user asked for, for the prompt. */
  profile: string;
  serial: string;
}

/**
 * Runs an STS call that needs a code. When STS refuses the code (E_MFA_REJECTED) and the source is
 * a person, asks again, three codes in all: the previous code may have been mistyped or already
 * used. A flag or mfa_process would hand over the same code again, so their refusal stands at once.
 */
export async function withCode<T>(deps: { terminal: Pick<Deps['terminal'], 'say'> }, ask: CodeAsk, call: (code: string) => Promise<T>): Promise<T> {
  const source = ask.source();
  for (let attempt = 1; ; attempt++) {
    const code = await source.get({ profile: ask.profile, serial: ask.serial, attempt });
    try {
      return await call(code);
    } catch (e) {
      if (!(e instanceof MfaLoginError) || e.code !== 'E_MFA_REJECTED' || !source.canRetry || attempt >= MAX_CODE_ATTEMPTS) throw e;
      deps.terminal.say('✘ STS refused that code. If you just used it, wait for the next one.');
    }
  }
}
