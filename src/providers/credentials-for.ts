import type { ChainPlan } from '../config/chain.js';
import type { Deps } from '../deps.js';
import type { Got } from './cached.js';
import { runChain, type ChainOptions } from './chain-runner.js';

export { MIN_VALIDITY_MS, defaultSessionName } from './chain-keys.js';
export { PARENT_MIN_VALIDITY_MS } from './chain-runner.js';
export { CHAINED_ROLE_MAX_SECONDS } from './assume-role.js';
export { DEFAULT_SESSION_SECONDS } from './session-token.js';

export type ObtainOptions = ChainOptions;
/** The target's credentials; `fromCache` is true when nothing was asked of STS. */
export type Obtained = Got;

/**
 * Credentials for the target of a chain plan, for the commands: the chain runner over the session
 * token, assume role and caching providers, with the parts of Deps they use.
 */
export function credentialsFor(deps: Deps, plan: ChainPlan, options: ObtainOptions): Promise<Obtained> {
  return runChain(deps, plan, options);
}
