import type { ChainPlan } from '../config/chain.js';
import type { Deps } from '../deps.js';
import { chooseCodeSource, commandName, type CodeSource, type NoTerminalAdvice } from '../mfa/code-source.js';
import { desktopPrompt, findDesktopPrompt } from '../mfa/desktop-prompt.js';

/**
 * The code source for a run: --mfa-token, then the chain's mfa_process, then the terminal. `byHand`
 * is the command to run in a terminal first, or, when a plain session would not do (--ensure), why
 * a code is needed and what to run.
 */
export function codeSourceFor(deps: Deps, plan: ChainPlan, flagToken: string | undefined, byHand: string | NoTerminalAdvice): CodeSource {
  const source = chooseCodeSource({
    flagToken,
    envToken: deps.settings.mfaToken,
    mfaProcess: plan.mfaProcess,
    terminal: deps.terminal,
    runProcess: deps.runProcess,
    env: deps.env,
    processTimeoutMs: deps.settings.mfaProcessTimeoutMs,
    whenNoTerminal: typeof byHand === 'string' ? `run "${byHand}" in a terminal first, pass --mfa-token, or set mfa_process in the profile` : byHand,
    prompt: deps.settings.prompt,
    desktop: (kind) => {
      const k = kind ?? findDesktopPrompt(deps.env);
      return k === undefined ? undefined : desktopPrompt(k, deps.env);
    },
    dialogTimeoutMs: deps.settings.lockTimeoutMs,
  });
  deps.debug(`MFA code from ${source.kind === 'flag' ? '--mfa-token' : source.kind === 'environment' ? 'MFA_LOGIN_MFA_TOKEN' : source.kind === 'mfa_process' ? `mfa_process (${commandName(plan.mfaProcess ?? '')})` : `a prompt (MFA_LOGIN_PROMPT=${deps.settings.prompt})`}`);
  return source;
}
