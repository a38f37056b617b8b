/**
 * The endpoint holds session credentials for hours: a crash must not write them to a core file.
 * Node has no setrlimit, so the limit is lowered from outside: `prlimit` on our own pid where it
 * exists (util-linux, on every Linux), else by running the same command again through
 * `sh -c 'ulimit -c 0 && exec "$@"'`, once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Deps } from '../deps.js';

/** Set for the re-run only, so that it does not run itself again; removed before anything else sees it. */
export const REEXEC_MARKER = 'MFA_LOGIN_INTERNAL_NO_CORE';

/** The soft core-file limit from /proc, or undefined where there is no /proc (macOS). */
export function coreLimit(pid: number | 'self' = 'self'): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max core file size'));
    return line?.slice('Max core file size'.length).trim().split(/\s+/)[0];
  } catch {
    return undefined;
  }
}

/**
 * Makes sure this process (and so the endpoint in it) cannot dump core. Returns undefined when
 * it may go on, or the exit status of the re-run when it ran itself again through the shell.
 */
export async function withoutCoreDumps(deps: Deps): Promise<number | undefined> {
  const reran = deps.env[REEXEC_MARKER] !== undefined;
  delete deps.env[REEXEC_MARKER];
  if (coreLimit() === '0') return undefined;
  if (coreLimit() !== undefined) {
    // `--core=0:` lowers the soft limit only: the command under exec --server may raise it again.
    const r = spawnSync('prlimit', ['--pid', String(process.pid), '--core=0:'], { stdio: 'ignore', timeout: 5000 });
    if (r.status === 0 && coreLimit() === '0') {
      deps.debug('core dumps disabled with prlimit');
      return undefined;
    }
  }
  if (reran) {
    // The shell could not lower it either (a hard limit we cannot change does not exist for 0): say so.
    deps.stderr('mfa-login: warning: could not disable core dumps for the endpoint\n');
    return undefined;
  }
  deps.debug('disabling core dumps: running again under ulimit -c 0');
  return rerun(deps);
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
/** Sent by the terminal to the whole group: the re-run gets them already. */
const TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

function rerun(deps: Deps): Promise<number> {
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'ulimit -c 0 && exec "$@"', 'sh', ...argv], { stdio: 'inherit', env: { ...deps.env, [REEXEC_MARKER]: '1' } });
    const handlers = [...FORWARDED.map((s) => [s, () => void child.kill(s)] as const), ...TERMINAL.map((s) => [s, () => {}] as const)];
    const previous = [...FORWARDED, ...TERMINAL].map((s) => [s, process.listeners(s)] as const);
    for (const [s] of previous) process.removeAllListeners(s);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (status: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      for (const [s, ls] of previous) for (const l of ls) process.on(s, l as NodeJS.SignalsListener);
      resolve(status);
    };
    child.on('error', (e) => {
      deps.stderr(`mfa-login: cannot run /bin/sh to disable core dumps: ${e.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}
