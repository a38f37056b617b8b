/**
 * The one way this program starts another: every child (a command under exec, mfa_process, the
 * browser, a dialog, the agent, prlimit) gets the environment it is given less our own secrets
 * (child-env.ts), whatever the caller built. A browser or a dialog lives on after us and starts
 * helpers of its own; none of them has a use for the key file's passphrase or a live code.
 * test/child-process.test.ts walks src/ and fails on any other way into node:child_process.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { childEnvironment } from './child-env.js';

export interface ChildOptions extends Omit<SpawnOptions, 'env' | 'shell'> {
  /** The environment to start from: our own secrets are taken out of it here. */
  env: Record<string, string | undefined>;
  /**
   * Only where the secrets in `env` were put there for this child: the re-run of this same
   * command under `ulimit -c 0` (no-core-dumps.ts), which needs the passphrase and the code it
   * was given, and demo's steps, given the demo's own throw-away key file and its passphrase.
   */
  keepSecrets?: true;
}

/** Starts `command` (never through a shell unless `command` is one) with the child environment. */
export function startChild(command: string, args: readonly string[], options: ChildOptions): ChildProcess {
  const { keepSecrets, env, ...rest } = options;
  return spawn(command, args, { ...rest, env: keepSecrets ? withoutUndefined(env) : childEnvironment(env) });
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ChildRun {
  /** The exit status, or null when a signal ended it (or it never started). */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not start, or 'timeout' when it was killed at the bound. */
  error?: string;
}

/** Signals whose default action ends us: a short child must not outlive us through them. */
const ENDING: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

/**
 * A short command run to its end, with its output collected (at most 64 KiB of each) and a bound
 * on the wait: it is killed at `timeoutMs`. A signal that would end us (no one else handles it)
 * ends it first, then us, by that signal, as it would have without it.
 */
export function runChild(command: string, args: readonly string[], options: { env: Record<string, string | undefined>; timeoutMs: number }): Promise<ChildRun> {
  return new Promise((resolve) => {
    let exited = false;
    const onSignal = (sig: NodeJS.Signals) => {
      const end = () => {
        for (const [s, h] of handlers) process.off(s, h);
        process.kill(process.pid, sig);
      };
      if (exited) return end();
      child.once('exit', end);
      child.kill('SIGKILL');
    };
    // In place before the child exists: a signal during the spawn itself must not end us with it
    // running. A listener runs from the event loop, so never before `child` is set below.
    const handlers = ENDING.filter((s) => process.listenerCount(s) === 0).map((s) => [s, () => onSignal(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const child = startChild(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    for (const k of ['stdout', 'stderr'] as const) {
      child[k]!.setEncoding('utf8').on('data', (d: string) => {
        if (out[k].length < 65536) out[k] += d;
      });
    }
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = 'timeout';
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('exit', () => (exited = true));
    child.on('error', (e) => {
      error ??= e.message;
      // Never started (or cannot be signalled): there is nothing to wait for.
      exited = true;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      for (const [s, h] of handlers) process.off(s, h);
      // A command that never started closes with a negative errno as its status.
      resolve({ status: error !== undefined ? null : status, ...out, ...(error !== undefined ? { error } : {}) });
    });
  });
}
