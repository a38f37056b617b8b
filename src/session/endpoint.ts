import type { ChainPlan } from '../config/chain.js';
import type { Deps } from '../deps.js';
import { isMfaLoginError } from '../errors.js';
import { startEndpoint, type Endpoint, type EndpointFailure } from '../endpoint/server.js';
import type { RegionHandover } from '../settings.js';
import { warnBeforeExpiry } from './expiry-warning.js';
import { sessionFor, type SessionInput } from './session.js';

export interface EndpointInput extends SessionInput {
  /** --port; a free one when absent. */
  port?: number;
}

/** What the endpoint's consumers need in their environment, and what must not be there with it. */
export const ENDPOINT_VARS = { uri: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', token: 'AWS_CONTAINER_AUTHORIZATION_TOKEN' } as const;
/**
 * Keys in the environment win over the endpoint in every SDK's chain, and a profile name makes
 * them look in the config instead; the ECS-only forms would compete with ours.
 */
export const HIDING_VARS = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/**
 * An endpoint serving one profile. The session is obtained once before it listens, so an unknown
 * profile or a code that is needed shows up here, at the start, not in some tool's retries later.
 */
export async function startProfileEndpoint(deps: Deps, input: EndpointInput): Promise<{ endpoint: Endpoint; plan: ChainPlan; region: RegionHandover }> {
  const { plan, region } = await sessionFor(deps, input);
  // Requests go through the same path as every other command: the session cache and its leases.
  // A warning about the config was said once above; it is not repeated for every request.
  // A --mfa-token code is spent by the first call; a later one needing a code must ask again.
  // --ensure is about the start: later requests take whatever the MFA session has left.
  const { mfaToken: _spent, ensure: _ensured, ...later } = input;
  const quiet: Deps = { ...deps, stderr: (t) => (t.startsWith('mfa-login: warning: ') ? undefined : deps.stderr(t)) };
  const endpoint = await startEndpoint({
    ...(input.port !== undefined ? { port: input.port } : {}),
    credentials: async () => (await sessionFor(quiet, { ...later, profile: plan.target })).got.credentials,
    explain: explainFailure,
    log: (line) => deps.stderr(`mfa-login: endpoint for ${plan.target}: ${line}\n`),
  });
  const warning = await warnBeforeExpiry(deps, plan);
  const close = endpoint.close.bind(endpoint);
  return { endpoint: { ...endpoint, close: () => (warning.stop(), close()) }, plan, region };
}

/**
 * Errors the clients retry and then show: the user-facing message (which never holds a secret) and
 * our stable code. A code that is needed or refused is 503 (it may work once the user answers),
 * an STS refusal 502, anything else 500.
 */
export function explainFailure(e: unknown): EndpointFailure {
  if (isMfaLoginError(e)) {
    const status = e.code.startsWith('E_MFA') || e.code === 'E_BUSY' ? 503 : e.code.startsWith('E_STS') ? 502 : 500;
    return { status, code: e.code, message: e.hint ? `${e.message} (${e.hint})` : e.message };
  }
  return { status: 500, code: 'InternalError', message: `unexpected error: ${(e as Error)?.message ?? String(e)}` };
}
