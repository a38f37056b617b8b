/**
 * The one way this program starts another: every child (a command under exec, mfa_process, the
 * browser, a dialog, the agent, prlimit) gets the environment it is given less our own secrets
 * (child-env.ts), whatever the caller built. A browser or a dialog lives on after us and starts
 * helpers of its own; none of them has a use for the key file's passphrase or a live code.
 * test/child-process.test.ts walks src/ and fails on any other way into node:child_process.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
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

/**
 * A short command run to its end, with its output collected (at most 64 KiB of each) and a bound
 * on the wait: it is killed at `timeoutMs`. `detached` puts it in a process group of its own.
 */
export function runChild(command: string, args: readonly string[], options: { env: Record<string, string | undefined>; timeoutMs: number; detached?: boolean }): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = startChild(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
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
    child.on('error', (e) => {
      error ??= e.message;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      // A command that never started closes with a negative errno as its status.
      resolve({ status: error !== undefined ? null : status, ...out, ...(error !== undefined ? { error } : {}) });
    });
  });
}

/** The command on PATH, as a shell would find it. */
export function onPath(command: string, env: { PATH?: string | undefined }): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
