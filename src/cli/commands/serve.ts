import type { Deps } from '../../deps.js';
import { withoutCoreDumps } from '../../endpoint/no-core-dumps.js';
import { detectShell, formatVariables, type Shell } from '../../output/exports.js';
import { parentProcessName } from '../../terminal/parent-process.js';
import { ENDPOINT_VARS, HIDING_VARS, startProfileEndpoint, type EndpointInput } from '../../session/endpoint.js';
import { regionVariables } from '../../settings.js';

export interface ServeInput extends EndpointInput {
  shell?: Shell;
}

/**
 * `mfa-login serve <profile>`: the endpoint in the foreground, for whatever starts later (an IDE,
 * a desktop app, a container on the host network). Prints the variables to set, in the shell's
 * syntax, on stdout; serves until stopped (Ctrl-C, SIGTERM, SIGHUP).
 */
export async function serve(deps: Deps, input: ServeInput): Promise<number> {
  const reran = await withoutCoreDumps(deps);
  if (reran !== undefined) return reran;
  const { endpoint, plan, region } = await startProfileEndpoint(deps, input);
  const shell = input.shell ?? detectShell(deps.env, parentProcessName());
  const vars = regionVariables(region);
  const set = vars.filter((v): v is [string, string] => v[1] !== undefined);
  const unset = vars.flatMap(([name, value]) => (value === undefined ? [name] : []));
  deps.stdout(formatVariables(shell, [[ENDPOINT_VARS.uri, endpoint.url], [ENDPOINT_VARS.token, endpoint.token], ...set], [...HIDING_VARS, ...unset]));
  deps.stderr(`mfa-login: serving ${plan.target} on ${endpoint.url} (pid ${process.pid}); set the variables above where it is needed; Ctrl-C stops it\n`);
  const stops: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const previous = stops.map((s) => [s, process.listeners(s)] as const);
  for (const s of stops) process.removeAllListeners(s);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of stops) process.once(s, () => resolve(s));
  });
  for (const s of stops) process.removeAllListeners(s);
  for (const [s, ls] of previous) for (const l of ls) process.on(s, l as NodeJS.SignalsListener);
  deps.stderr(`mfa-login: endpoint for ${plan.target} stopped (${signal})\n`);
  await endpoint.close();
  return 0;
}
