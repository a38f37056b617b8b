import { spawn, type ChildProcess } from 'node:child_process';
import { MFA_LOGIN } from './harness.js';

/** A command that says when its TERM trap is in place and answers TERM with status 42. */
export const TRAPPING = ['sh', '-c', 'trap "echo got TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done'];

export interface SignalledRun {
  /** mfa-login's exit status, or null when a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Whether any process of the run (the command, its children) was still there after mfa-login ended. */
  leftBehind: boolean;
}

/**
 * Runs `mfa-login exec PROFILE -- COMMAND` in a process group of its own, sends it SIGTERM when
 * `when` says so (on the command's "ready", or after a delay in ms), and waits at most `boundMs`.
 * Whatever happens, every process of the group is killed before this returns: a command left
 * running by a failed run must not outlive the test.
 */
export async function execAndSignal(env: Record<string, string>, profile: string, when: 'ready' | number, boundMs = 30_000, command = TRAPPING): Promise<SignalledRun> {
  const child = spawn(process.execPath, [MFA_LOGIN, 'exec', profile, '--', ...command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = child.pid!;
  let stdout = '';
  let stderr = '';
  let sent = false;
  let timer: NodeJS.Timeout | undefined;
  let bound: NodeJS.Timeout | undefined;
  const term = () => {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  };
  try {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (when === 'ready' && stdout.includes('ready') && !sent) {
        sent = true;
        term();
      }
    });
    if (typeof when === 'number') timer = setTimeout(term, when);
    const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      bound = setTimeout(() => reject(new Error(`mfa-login exec did not end within ${boundMs} ms (stdout: ${JSON.stringify(stdout)}, stderr: ${JSON.stringify(stderr)})`)), boundMs);
      child.on('exit', (code, sig) => resolve([code, sig]));
    });
    // Read now, before the kill below: anything still in the group is what mfa-login left behind.
    const leftBehind = groupAlive(group);
    await closed(child);
    return { status, signal, stdout, stderr, leftBehind };
  } finally {
    clearTimeout(timer);
    clearTimeout(bound);
    killGroup(group);
  }
}

export function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // nothing left
  }
}

/** Output pipes drained (bounded: an orphan holding them open must not hang the test). */
function closed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.stdout!.closed && child.stderr!.closed) return resolve();
    const t = setTimeout(resolve, 2000);
    child.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Processes that keep both cores busy, the way other work on a build machine does. */
export function cpuBurners(n = 2): { stop(): void } {
  const burners = Array.from({ length: n }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }));
  return {
    stop() {
      for (const b of burners) killGroup(b.pid!);
    },
  };
}
