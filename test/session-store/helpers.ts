import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CachedSession } from '../../src/session-store/store.js';

/** Shared by the session store tests. Not a test file: it only defines helpers. */

export const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const AGENT_MAIN = fileURLToPath(new URL('../../src/session-store/agent/main.js', import.meta.url));

export function session(id: string, expiresInMs = 3600_000, profiles = ['alice']): CachedSession {
  return {
    kind: 'mfa-session',
    profiles,
    subject: 'arn:aws:iam::111111111111:mfa/alice',
    credentials: { accessKeyId: id, secretAccessKey: `secret-${id}`, sessionToken: `token-${id}`, expiration: new Date(Date.now() + expiresInMs) },
    sourceKeyId: 'AKIAALICE000000001',
  };
}

export const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether a promise has settled within `ms`. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

export interface ChildEvent {
  event: 'acquired' | 'done' | 'released' | 'error';
  got?: 'lease' | 'session';
  id?: string;
  code?: string;
  message?: string;
  at: number;
}

/** A child process running test/session-store/child.ts; its stdout is one JSON event per line. */
export class Child {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [CHILD, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.events.push(JSON.parse(buf.slice(0, nl)) as ChildEvent);
        buf = buf.slice(nl + 1);
        for (const w of this.waiters.splice(0)) w();
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.on('close', (status) => resolve(status)));
  }

  /** The first event of this kind, waiting up to `timeoutMs`. */
  async next(event: ChildEvent['event'], timeoutMs = 10_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.event === event || x.event === 'error');
      if (e !== undefined) {
        if (e.event === 'error' && event !== 'error') throw new Error(`child failed: ${e.code} ${e.message}`);
        return e;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${event} event from the child within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.min(left, 100))]);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(signal);
  }
}

/** Pids of agent processes serving this socket, found through /proc. */
export function agentPids(socket: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmd: string[];
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (cmd.includes(AGENT_MAIN) && cmd.includes(socket)) out.push(Number(name));
  }
  return out;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
