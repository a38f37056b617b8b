import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Deps } from '../../deps.js';
import { withoutCoreDumps } from '../../endpoint/no-core-dumps.js';
import { NESTED_MARKER, type ExecInput } from './exec.js';
import { ENDPOINT_VARS, HIDING_VARS, startProfileEndpoint } from './serve.js';

/** Signals sent to us (kill PID) are passed on to the command, as plain exec does. */
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
/** The terminal sends these to the whole foreground group: the command has them already. */
const TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/**
 * `mfa-login exec --server <profile> -- <command>`: the command finds its credentials at a local
 * endpoint instead of in its environment, so they are renewed while it runs, for as long as the
 * MFA session lasts. The endpoint lives in this process and ends with the command.
 */
export async function execWithServer(deps: Deps, input: ExecInput): Promise<number> {
  const reran = await withoutCoreDumps(deps);
  if (reran !== undefined) return reran;
  const { endpoint, plan } = await startProfileEndpoint(deps, input);
  const childEnv: Record<string, string | undefined> = { ...deps.env };
  for (const k of [...HIDING_VARS, 'MFA_LOGIN_FILE_PASSPHRASE']) delete childEnv[k];
  Object.assign(childEnv, { [ENDPOINT_VARS.uri]: endpoint.url, [ENDPOINT_VARS.token]: endpoint.token, [NESTED_MARKER]: plan.target });
  if (plan.region !== undefined) Object.assign(childEnv, { AWS_REGION: plan.region, AWS_DEFAULT_REGION: plan.region });

  const [cmd, ...args] = input.command;
  deps.debug(`running ${cmd} with the endpoint for ${plan.target} at ${endpoint.url}`);
  try {
    return await new Promise<number>((resolve, reject) => {
      const all = [...FORWARDED, ...TERMINAL];
      const previous = all.map((sig) => [sig, process.listeners(sig)] as const);
      for (const sig of all) process.removeAllListeners(sig);
      // Handlers exist before the child does: a signal in between is not lost.
      let child: ReturnType<typeof spawn> | undefined;
      const handlers = [...FORWARDED.map((sig) => [sig, () => void child?.kill(sig)] as const), ...TERMINAL.map((sig) => [sig, () => {}] as const)];
      for (const [sig, h] of handlers) process.on(sig, h);
      const done = () => {
        for (const [sig, h] of handlers) process.off(sig, h);
        for (const [sig, listeners] of previous) for (const l of listeners) process.on(sig, l as NodeJS.SignalsListener);
      };
      child = spawn(cmd!, args, { stdio: 'inherit', env: childEnv });
      child.on('error', (e: NodeJS.ErrnoException) => {
        done();
        if (e.code === 'ENOENT' || e.code === 'EACCES') {
          deps.stderr(`mfa-login: ${cmd}: ${e.code === 'ENOENT' ? 'command not found' : 'permission denied'}\n`);
          resolve(e.code === 'ENOENT' ? 127 : 126);
        } else reject(e);
      });
      child.on('exit', (code, signal) => {
        done();
        resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
      });
    });
  } finally {
    await endpoint.close();
  }
}
