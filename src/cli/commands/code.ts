import type { ChainPlan } from '../../config/chain.js';
import type { Deps } from '../../deps.js';
import { settingsFrom } from '../../settings.js';
import { chooseCodeSource, commandName, type CodeSource } from '../../mfa/code-source.js';

const DEFAULT_PROCESS_TIMEOUT_S = 60;

/** The code source for a run: --mfa-token, then the chain's mfa_process, then the terminal. */
export function codeSourceFor(deps: Deps, plan: ChainPlan, flagToken: string | undefined, byHand: string): CodeSource {
  const t = Number(deps.env.MFA_LOGIN_MFA_PROCESS_TIMEOUT);
  const source = chooseCodeSource({
    flagToken,
    envToken: settingsFrom(deps.env, deps.homeDir).mfaToken,
    mfaProcess: plan.mfaProcess,
    terminal: deps.terminal,
    runProcess: deps.runProcess,
    env: deps.env,
    processTimeoutMs: (Number.isFinite(t) && t > 0 ? t : DEFAULT_PROCESS_TIMEOUT_S) * 1000,
    whenNoTerminal: `run "${byHand}" in a terminal first, pass --mfa-token, or set mfa_process in the profile`,
  });
  deps.debug(`MFA code from ${source.kind === 'flag' ? '--mfa-token' : source.kind === 'environment' ? 'MFA_LOGIN_MFA_TOKEN' : source.kind === 'mfa_process' ? `mfa_process (${commandName(plan.mfaProcess ?? '')})` : 'a prompt on the terminal'}`);
  return source;
}
