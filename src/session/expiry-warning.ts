/**
 * While `serve` or `exec --server` runs, the role sessions it hands out are renewed from the MFA
 * session without a code, until the MFA session itself ends; then the next renewal needs a code,
 * and a tool that is not at a terminal fails. So the user is told once, EXPIRY_WARNING_LEAD_MS
 * before the end, with the command that renews it: a line on stderr (always: it is where serve's
 * log goes) and a desktop notification where there is a desktop.
 */
import type { ChainPlan } from '../config/chain.js';
import type { Deps } from '../deps.js';
import { codeSessionOf } from '../providers/chain-runner.js';
import { notify } from '../terminal/notify.js';
import { shellWord } from '../output/shell-word.js';

/** Long enough to find the terminal and type a code; short enough to be about this session. */
export const EXPIRY_WARNING_LEAD_MS = 10 * 60 * 1000;
/**
 * Timers run on a clock that stops while a laptop sleeps: the wall clock is looked at again at
 * least this often, so a warning is not hours late after a lid was closed.
 */
const RECHECK_MS = 60_000;

export interface ExpiryWarning {
  stop(): void;
}

/**
 * Schedules the warning for the session a code is spent on behind `plan` (the MFA session, or a
 * role assumed with a code), as the cache holds it now. At the moment, the cache is read again: a
 * session renewed meanwhile (by `mfa-login session` in another terminal, or by a request that asked
 * for a code) moves the warning to the new one's end; a session that is gone (logout) is not warned
 * about. Without a cached session (MFA_LOGIN_CACHE=none) there is nothing to warn about.
 */
export async function warnBeforeExpiry(deps: Deps, plan: ChainPlan): Promise<ExpiryWarning> {
  const code = codeSessionOf(plan, deps.env);
  const leadMs = deps.settings.testHooks.warningLeadMs ?? EXPIRY_WARNING_LEAD_MS;
  const renew = `mfa-login session ${shellWord(code.profile)}`;
  const cache = deps.cache();
  const ending = async (): Promise<Date | undefined> => (await cache.read(code.key, deps.now()).catch(() => undefined))?.credentials.expiration;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let end = await ending();
  if (end === undefined) {
    deps.debug(`no cached session of ${code.profile}: no warning before it ends`);
    return { stop: () => {} };
  }

  const wait = () => {
    if (stopped || end === undefined) return;
    const left = end.getTime() - leadMs - deps.now().getTime();
    if (left <= 0) {
      void due();
      return;
    }
    deps.debug(`the session of ${code.profile} ends at ${end.toISOString()}; warning ${Math.round(leadMs / 1000)} s before`);
    timer = setTimeout(wait, Math.min(left, RECHECK_MS));
    // The warning alone must not keep the process alive.
    timer.unref();
  };

  const due = async () => {
    const now = await ending();
    if (stopped) return;
    if (now === undefined) {
      deps.debug(`the session of ${code.profile} is no longer cached: no warning`);
      end = undefined;
      return;
    }
    if (now.getTime() > end!.getTime()) {
      deps.debug(`the session of ${code.profile} was renewed; the warning moves to its end`);
      end = now;
      wait();
      return;
    }
    end = undefined;
    const minutes = Math.max(0, Math.round((now.getTime() - deps.now().getTime()) / 60_000));
    const at = now.toTimeString().slice(0, 5);
    const session = code.profile === plan.source.profile ? 'the MFA session' : `the session of ${code.profile}`;
    const what = code.profile === plan.target ? `${session} of ${plan.target}` : `${session} behind ${plan.target}`;
    deps.stderr(`mfa-login: warning: ${what} ends at ${at} (in ${minutes} min); after that, renewing its credentials needs a code. Renew it now: ${renew}\n`);
    const shown = await notify({ title: `mfa-login: ${plan.target} needs a code in ${minutes} min`, body: `${what} ends at ${at}. Renew it now: ${renew}` }, deps.env);
    if (shown.error !== undefined) deps.debug(`no desktop notification: ${shown.error}`);
  };

  wait();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
