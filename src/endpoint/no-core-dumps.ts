/**
 * No core file may hold what this process holds: the full CLI decrypts the long-term keys (and
 * has the key file's passphrase in its environment), and the endpoint keeps session credentials
 * for hours. Node has no setrlimit, so the limit is lowered from outside, soft and hard, before
 * anything secret is read; the children we start inherit it:
 * - Linux: `prlimit` on our own pid (util-linux, on every Linux), a few milliseconds, and only when
 *   /proc says the limit is not 0 already;
 * - elsewhere (macOS, the BSDs), or without prlimit: the shell says what the limit is, and when it
 *   is not 0 (macOS starts programs with 0 unless `ulimit -c` raised it) the same command runs
 *   again through `sh -c 'ulimit -c 0 && exec "$@"'`, once;
 * - Windows writes no core files: a crash leaves a minidump only where an administrator turned on
 *   Windows Error Reporting's LocalDumps, which is not ours to change.
 * The cached path (fast-path.ts) holds no long-term secret and does not pay for this.
 *
 * Those few milliseconds come before any signal handling of ours: a signal then ends us at once,
 * with no time to stop the helper first (it ends by itself a moment later). It runs in a process
 * group of its own, so it is never taken for a command of ours left running by whoever looks at
 * our group (job control, `kill -- -PGID`). Handlers held just for that moment would not do: a
 * signal caught as they are removed is lost, and the command would go on, deaf to that kill.
 */
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Deps } from '../deps.js';
import { runChild, startChild } from '../child-process.js';

/** Set for the re-run only, so that it does not run itself again; removed before anything else sees it. */
export const REEXEC_MARKER = 'MFA_LOGIN_INTERNAL_NO_CORE';

/** The soft and hard core-file limits from /proc, or undefined where there is no /proc (macOS). */
export function coreLimits(pid: number | 'self' = 'self'): { soft: string; hard: string } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max core file size'));
    const [soft, hard] = line?.slice('Max core file size'.length).trim().split(/\s+/) ?? [];
    return soft !== undefined && hard !== undefined ? { soft, hard } : undefined;
  } catch {
    return undefined;
  }
}

type Needs = Pick<Deps, 'env' | 'debug' | 'stderr'>;

/**
 * Makes sure this process cannot dump core. Returns undefined when it may go on, or the exit
 * status of the re-run when it ran itself again through the shell.
 */
export async function withoutCoreDumps(deps: Needs): Promise<number | undefined> {
  if (process.platform === 'win32') return undefined;
  const reran = deps.env[REEXEC_MARKER] !== undefined;
  delete deps.env[REEXEC_MARKER];
  // The shell ran `ulimit -c 0 &&` (soft and hard) before running us again.
  if (reran) return undefined;
  const limits = coreLimits();
  if (limits?.soft === '0' && limits.hard === '0') return undefined;
  if (limits !== undefined) {
    const r = await runChild('prlimit', ['--pid', String(process.pid), '--core=0:0'], { env: deps.env, timeoutMs: 5000, detached: true });
    const now = coreLimits();
    if (r.status === 0 && now?.soft === '0' && now.hard === '0') {
      deps.debug('core dumps disabled with prlimit');
      return undefined;
    }
  } else {
    // No /proc: the soft limit is what decides whether this process dumps core.
    const r = await runChild('/bin/sh', ['-c', 'ulimit -c'], { env: deps.env, timeoutMs: 5000, detached: true });
    if (r.status === 0 && r.stdout.trim() === '0') return undefined;
  }
  deps.debug('disabling core dumps: running again under ulimit -c 0');
  return rerun(deps);
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
/** Sent by the terminal to the whole group: the re-run gets them already. */
const TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

function rerun(deps: Needs): Promise<number> {
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  return new Promise((resolve) => {
    // The same program again: it needs what we were given, our own secrets included.
    const child = startChild('/bin/sh', ['-c', 'ulimit -c 0 && exec "$@"', 'sh', ...argv], { stdio: 'inherit', env: { ...deps.env, [REEXEC_MARKER]: '1' }, keepSecrets: true });
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
