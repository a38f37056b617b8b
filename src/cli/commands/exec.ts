import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { EXEC_PROFILE_VAR } from '../../output/exports.js';
import { childEnvironment } from '../../child-env.js';
import { handRegion } from '../../settings.js';
import { startChild } from '../../child-process.js';
import { withoutCoreDumps } from '../../endpoint/no-core-dumps.js';
import { sessionFor, type SessionInput } from '../../session/session.js';

export interface ExecInput extends SessionInput {
  command: string[];
  allowNested: boolean;
  /** --server [--port N]: a local credential endpoint instead of keys in the environment. */
  server?: boolean;
  port?: number;
}

/** Signals sent to us (kill PID) are passed on to the command. */
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
/**
 * Signals the terminal sends to the whole foreground group (Ctrl-C, Ctrl-\) already reach the
 * command: passing them on would deliver them twice, and a second Ctrl-C makes Terraform abort
 * hard. We only stay alive through them and wait for the command.
 */
const TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/**
 * `mfa-login exec <profile> -- <command>`: runs the command with the credentials in its
 * environment. Returns the exit status to leave with: the command's own, or 128 + the signal
 * that ended it, as a shell reports it.
 */
export async function exec(deps: Deps, input: ExecInput): Promise<number> {
  if (input.command.length === 0) {
    throw new MfaLoginError('E_USAGE', 'no command to run', { hint: 'mfa-login exec PROFILE -- COMMAND [ARGS...]' });
  }
  const outer = deps.env[EXEC_PROFILE_VAR];
  if (outer && !input.allowNested) {
    // The inner credentials would silently replace the outer ones: almost always a mistake.
    throw new MfaLoginError('E_USAGE', `already inside "mfa-login exec ${outer}"; running exec in it would replace those credentials`, {
      hint: 'exit that shell first, or pass --allow-nested',
    });
  }
  if (input.server) return execWithServer(deps, input);
  // Installed before anything slow: from here on no signal finds the default action (dying), which
  // between starting the command and installing handlers would leave it running without us.
  const relay = signalRelay();
  const { plan, got, region } = await sessionFor(deps, { ...input, calledAs: 'mfa-login exec' }).catch((e: unknown) => {
    relay.close();
    throw e;
  });
  const c = got.credentials;
  const childEnv: Record<string, string | undefined> = childEnvironment(deps.env);
  // A profile name left in the environment makes the SDKs look it up instead of using the keys.
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION']) delete childEnv[k];
  Object.assign(childEnv, {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: toRfc3339(c.expiration),
    [EXEC_PROFILE_VAR]: plan.target,
  });
  handRegion(childEnv, region);

  const [cmd, ...args] = input.command;
  deps.debug(`running ${cmd} as ${plan.target}`);
  return relay.run(deps, cmd!, args, childEnv);
}

/**
 * `mfa-login exec --server <profile> -- <command>`: the command finds its credentials at a local
 * endpoint instead of in its environment, so they are renewed while it runs, for as long as the
 * MFA session lasts. The endpoint lives in this process and ends with the command.
 */
async function execWithServer(deps: Deps, input: ExecInput): Promise<number> {
  // Loaded only here: plain exec runs no server.
  const { ENDPOINT_VARS, HIDING_VARS, startProfileEndpoint } = await import('../../session/endpoint.js');
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
  Object.assign(childEnv, { [ENDPOINT_VARS.uri]: endpoint.url, [ENDPOINT_VARS.token]: endpoint.token, [EXEC_PROFILE_VAR]: plan.target });
  handRegion(childEnv, region);

  const [cmd, ...args] = input.command;
  deps.debug(`running ${cmd} with the endpoint for ${plan.target} at ${endpoint.url}`);
  try {
    return await relay.run(deps, cmd!, args, childEnv);
  } finally {
    await endpoint.close();
  }
}

export interface SignalRelay {
  /** Runs the command, passing signals on to it; resolves with the status to exit with. */
  run(deps: Deps, cmd: string, args: string[], env: Record<string, string | undefined>): Promise<number>;
  /** Puts back the handlers that were there before. */
  close(): void;
}

/**
 * Takes over the signals exec cares about for as long as it runs. Before the command exists, a
 * signal ends exec at once, with the status a shell gives a process killed by it, and the command
 * is never started (nothing could pass the signal on to it in time). Once it exists, a forwarded
 * signal is passed on and a terminal one is left to reach it from the terminal. Whatever ends this
 * process while the command runs (an unexpected error, process.exit) ends the command too.
 */
export function signalRelay(): SignalRelay {
  let child: ChildProcess | undefined;
  let exited = false;
  const all = [...FORWARDED, ...TERMINAL];
  const previous = all.map((sig) => [sig, process.listeners(sig)] as const);
  for (const sig of all) process.removeAllListeners(sig);
  const handlers = all.map((sig) => {
    const h = () => {
      if (child === undefined) process.exit(128 + (constants.signals[sig] ?? 0));
      else if (!exited && FORWARDED.includes(sig)) child.kill(sig);
    };
    return [sig, h] as const;
  });
  for (const [sig, h] of handlers) process.on(sig, h);
  const endChild = () => {
    if (child !== undefined && !exited) child.kill('SIGTERM');
  };
  process.on('exit', endChild);
  let closed = false;
  return {
    run: (deps, cmd, args, env) =>
      new Promise<number>((resolve, reject) => {
        // Signals are handled by JavaScript between events, never inside this call: one that
        // arrives while the command starts is handled after `child` is set, and passed on.
        child = startChild(cmd, args, { stdio: 'inherit', env });
        child.on('error', (e: NodeJS.ErrnoException) => {
          exited = true;
          // The statuses a shell uses, so scripts cannot tell us apart from running it directly.
          if (e.code === 'ENOENT' || e.code === 'EACCES') {
            deps.stderr(`mfa-login: ${cmd}: ${e.code === 'ENOENT' ? 'command not found' : 'permission denied'}\n`);
            resolve(e.code === 'ENOENT' ? 127 : 126);
          } else reject(e);
        });
        child.on('exit', (code, signal) => {
          exited = true;
          resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
        });
      }).finally(() => close()),
    close,
  };

  function close(): void {
    if (closed) return;
    closed = true;
    for (const [sig, h] of handlers) process.off(sig, h);
    for (const [sig, listeners] of previous) for (const l of listeners) process.on(sig, l as NodeJS.SignalsListener);
    process.off('exit', endChild);
  }
}
