import type { Deps } from '../../deps.js';
import { withoutCoreDumps } from '../../endpoint/no-core-dumps.js';
import { NESTED_MARKER, signalRelay, type ExecInput } from './exec.js';
import { childEnvironment } from '../../child-env.js';
import { handRegion } from '../../settings.js';
import { ENDPOINT_VARS, HIDING_VARS, startProfileEndpoint } from './serve.js';

/**
 * `mfa-login exec --server <profile> -- <command>`: the command finds its credentials at a local
 * endpoint instead of in its environment, so they are renewed while it runs, for as long as the
 * MFA session lasts. The endpoint lives in this process and ends with the command.
 */
export async function execWithServer(deps: Deps, input: ExecInput): Promise<number> {
  const reran = await withoutCoreDumps(deps);
  if (reran !== undefined) return reran;
  // As plain exec: no signal finds the default action once we have begun.
  const relay = signalRelay();
  const { endpoint, plan, region } = await startProfileEndpoint(deps, input).catch((e: unknown) => {
    relay.close();
    throw e;
  });
  // Without our own secrets (the key file's passphrase, a code), as for every child.
  const childEnv: Record<string, string | undefined> = childEnvironment(deps.env);
  for (const k of HIDING_VARS) delete childEnv[k];
  Object.assign(childEnv, { [ENDPOINT_VARS.uri]: endpoint.url, [ENDPOINT_VARS.token]: endpoint.token, [NESTED_MARKER]: plan.target });
  handRegion(childEnv, region);

  const [cmd, ...args] = input.command;
  deps.debug(`running ${cmd} with the endpoint for ${plan.target} at ${endpoint.url}`);
  try {
    return await relay.run(deps, cmd!, args, childEnv);
  } finally {
    await endpoint.close();
  }
}
