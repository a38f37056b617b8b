/**
 * The agent's client: a SessionCache backed by the agent process. It runs on every AWS call made
 * through credential_process, so it loads nothing beyond Node's own net/fs/path/child_process
 * and this project's small protocol modules.
 */
import net from 'node:net';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Acquired, Lease, SessionCache } from '../cache/session-cache.js';
import { MfaLoginError } from '../errors.js';
import { agentSocketPath, checkSocketPathLength, LineSplitter, prepareSocketDir, type Holder, type RequestBody, type SessionSummary } from './protocol.js';
import { sessionFromJson, sessionToJson } from './session-json.js';
import { busyError, DEFAULT_AGENT_IDLE_SECONDS, DEFAULT_WAIT_SECONDS, secondsSetting, waitTimeoutMs } from './waiting.js';

export interface AgentOptions {
  /** The agent's socket: agentSocketPath(env, cacheDir). */
  socket: string;
  /** How long an agent this client starts stays with nothing to do (MFA_LOGIN_AGENT_IDLE). */
  idleMs?: number;
  /** How long to wait for another caller's lease before a clear error (MFA_LOGIN_LOCK_TIMEOUT). */
  waitTimeoutMs?: number;
  /** How long a freshly started agent may take to listen. */
  startTimeoutMs?: number;
}

/** The options a user can set: XDG_RUNTIME_DIR, MFA_LOGIN_AGENT_IDLE, MFA_LOGIN_LOCK_TIMEOUT. */
export function agentOptions(env: Record<string, string | undefined>, cacheDir: string): AgentOptions {
  return {
    socket: agentSocketPath(env, cacheDir),
    idleMs: secondsSetting(env, 'MFA_LOGIN_AGENT_IDLE', DEFAULT_AGENT_IDLE_SECONDS),
    waitTimeoutMs: waitTimeoutMs(env),
  };
}

const AGENT_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const DEFAULT_START_TIMEOUT_MS = 5000;
/** Slack over the agent's own `busy` answer, after which the agent itself is taken to be stuck. */
const ANSWER_SLACK_MS = 5000;

type Reply = Record<string, unknown> & { id: number | null; ok: boolean };

class Lost extends Error {}
class NoAnswer extends Error {}

/** One connection to the agent. It keeps the process alive only while a request is outstanding. */
class Connection {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  closed = false;

  constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    const lines = new LineSplitter(
      (line) => {
        let r: Reply;
        try {
          r = JSON.parse(line) as Reply;
        } catch {
          return;
        }
        const p = typeof r.id === 'number' ? this.pending.get(r.id) : undefined;
        p?.resolve(r);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Lost('the agent closed the connection'));
      this.pending.clear();
    });
    socket.unref();
  }

  request(body: RequestBody, timeoutMs?: number): Promise<Reply> {
    if (this.closed) return Promise.reject(new Lost('the agent connection is closed'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.get(id)?.reject(new NoAnswer(`the agent did not answer within ${Math.round(timeoutMs / 1000)}s`));
              this.socket.destroy();
            }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) this.socket.unref();
      };
      this.pending.set(id, {
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      this.socket.ref();
      this.socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function connectOnce(socket: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socket);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(new Connection(s));
    });
    s.once('error', reject);
  });
}

const notListening = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
};

/**
 * Of several clients finding no agent at once, only the one that creates `<socket>.starting`
 * spawns one (the agent removes the marker once it listens). This only saves work: should two
 * agents start anyway, the agent's own lock lets one serve. A marker older than this is ignored.
 */
const STARTING_MAX_AGE_MS = 2000;

async function claimStart(socket: string): Promise<boolean> {
  const marker = `${socket}.starting`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(marker, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return true; // cannot tell: start one anyway
    }
    const st = await fs.stat(marker).catch(() => undefined);
    if (st !== undefined && Date.now() - st.mtimeMs < STARTING_MAX_AGE_MS) return false;
    await fs.rm(marker, { force: true });
  }
  return false;
}

function startAgent(options: AgentOptions): void {
  const args = [AGENT_MAIN, '--socket', options.socket, '--idle', String(options.idleMs ?? DEFAULT_AGENT_IDLE_SECONDS * 1000)];
  // The agent needs nothing from the caller's environment, which may hold AWS keys or tokens.
  const env = process.env.MFA_LOGIN_AGENT_TRACE ? { MFA_LOGIN_AGENT_TRACE: process.env.MFA_LOGIN_AGENT_TRACE } : {};
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', cwd: '/', env });
  child.on('error', () => {});
  child.unref();
}

/**
 * Connects, starting the agent when nobody listens. Of several clients arriving at once, normally
 * one starts it (claimStart) and all keep retrying the socket. Every second without an agent, a
 * start is tried again, in case the agent it counted on died or was just then shutting down.
 */
async function connect(options: AgentOptions): Promise<Connection> {
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  let lastStart = 0;
  let delay = 10;
  for (;;) {
    try {
      return await connectOnce(options.socket);
    } catch (e) {
      if (!notListening(e)) throw cannotConnect(options.socket, e);
      const now = Date.now();
      if (now >= deadline) {
        throw new MfaLoginError('E_AGENT', `the mfa-login agent did not start: nothing listens on ${options.socket}`, {
          hint: 'run with MFA_LOGIN_CACHE=file to do without the agent',
          cause: e,
        });
      }
      if (now - lastStart >= 1000) {
        lastStart = now;
        if (await claimStart(options.socket)) {
          // An agent may have come up while this client was claiming: then there is nothing to start.
          const c = await connectOnce(options.socket).catch(() => undefined);
          if (c !== undefined) {
            await fs.rm(`${options.socket}.starting`, { force: true });
            return c;
          }
          startAgent(options);
        }
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, deadline - now)));
      delay = Math.min(delay * 2, 100);
    }
  }
}

function cannotConnect(socket: string, e: unknown): MfaLoginError {
  return new MfaLoginError('E_AGENT', `cannot connect to the mfa-login agent at ${socket}: ${(e as Error).message}`, { cause: e });
}

function agentFailed(r: Reply): MfaLoginError {
  return new MfaLoginError('E_AGENT', `the mfa-login agent refused a request: ${String(r.error)}`);
}

export interface AgentSessionCache extends SessionCache {
  /**
   * Closes the connection, which releases any lease still held. Not needed before exiting: the
   * connection does not keep the process alive, and the agent notices a process that is gone.
   */
  close(): void;
}

/** Sessions held by the agent process (the default cache). */
export function agentCache(options: AgentOptions): AgentSessionCache {
  checkSocketPathLength(options.socket);
  const waitMs = options.waitTimeoutMs ?? DEFAULT_WAIT_SECONDS * 1000;
  let conn: Connection | undefined;
  let connecting: Promise<Connection> | undefined;

  const connection = async (): Promise<Connection> => {
    if (conn !== undefined && !conn.closed) return conn;
    connecting ??= (async () => {
      try {
        await prepareSocketDir(path.dirname(options.socket));
        conn = await connect(options);
        return conn;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  /**
   * Sends a request, on a new connection (and a new agent) if the agent went away; once more if it
   * goes away while the request is outstanding (an agent that was just exiting for idleness).
   */
  const ask = async (body: RequestBody, timeoutMs?: number): Promise<Reply> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (await connection()).request(body, timeoutMs);
      } catch (e) {
        if (e instanceof Lost && attempt < 2) continue;
        if (e instanceof Lost || e instanceof NoAnswer) {
          throw new MfaLoginError('E_AGENT', `the mfa-login agent at ${options.socket} stopped answering: ${e.message}`, {
            hint: 'run: mfa-login agent stop, or use MFA_LOGIN_CACHE=file',
            cause: e,
          });
        }
        throw e;
      }
    }
  };

  const lease = (key: string, leaseConn: Connection | undefined): Lease => {
    let done = false;
    return {
      async put(session) {
        if (done) return;
        done = true;
        // If the agent went away meanwhile, the lease is gone but the session is still worth keeping.
        const r = await ask({ op: 'put', key, session: sessionToJson(session) });
        if (!r.ok) throw agentFailed(r);
      },
      async release() {
        if (done) return;
        done = true;
        // A lost connection has released it already.
        if (leaseConn === undefined || leaseConn.closed) return;
        await leaseConn.request({ op: 'release', key }).catch(() => {});
      },
    };
  };

  return {
    mode: 'agent',
    location: `the mfa-login agent at ${options.socket}`,
    async acquire(key, validUntil, profile): Promise<Acquired> {
      const r = await ask({ op: 'acquire', key, validUntil: validUntil.toISOString(), profile, pid: process.pid, waitMs }, waitMs + ANSWER_SLACK_MS);
      if (r.ok && r.lease === true) return { lease: lease(key, conn) };
      if (r.ok) {
        const session = sessionFromJson(r.session);
        if (session !== undefined) return { session };
      }
      if (r.code === 'busy') {
        const holder = r.holder as Holder | undefined;
        const since = holder?.since ? Date.parse(holder.since) : NaN;
        throw busyError(holder?.pid, profile, isNaN(since) ? waitMs : Date.now() - since);
      }
      throw agentFailed(r);
    },
    async forget(profile) {
      const r = await ask(profile === undefined ? { op: 'forget' } : { op: 'forget', profile });
      if (!r.ok || typeof r.count !== 'number') throw agentFailed(r);
      return r.count;
    },
    async list() {
      const r = await ask({ op: 'list' });
      if (!r.ok || !Array.isArray(r.sessions)) throw agentFailed(r);
      // The agent never sends secrets for a listing.
      return (r.sessions as SessionSummary[]).map((s) => ({ ...s, expiration: new Date(s.expiration) }));
    },
    close() {
      conn?.close();
      conn = undefined;
    },
  };
}

/** Whether an agent is running, without starting one. */
export async function agentStatus(options: AgentOptions): Promise<{ running: boolean; pid?: number; sessions?: number; socket: string }> {
  checkSocketPathLength(options.socket);
  let c: Connection;
  try {
    c = await connectOnce(options.socket);
  } catch (e) {
    if (notListening(e)) return { running: false, socket: options.socket };
    throw cannotConnect(options.socket, e);
  }
  try {
    const r = await c.request({ op: 'status' }, 5000);
    if (!r.ok) throw agentFailed(r);
    return { running: true, pid: r.pid as number, sessions: r.sessions as number, socket: options.socket };
  } catch (e) {
    if (e instanceof Lost) return { running: false, socket: options.socket };
    throw e;
  } finally {
    c.close();
  }
}

/** Stops the agent (its sessions are forgotten); false when none was running. */
export async function stopAgent(options: AgentOptions): Promise<boolean> {
  checkSocketPathLength(options.socket);
  let c: Connection;
  try {
    c = await connectOnce(options.socket);
  } catch (e) {
    if (notListening(e)) return false;
    throw cannotConnect(options.socket, e);
  }
  try {
    await c.request({ op: 'stop' }, 5000);
    // The agent removes its socket before it exits; wait for that so a next start is clean.
    const until = Date.now() + 5000;
    await new Promise<void>((resolve) => {
      const check = () => (c.closed || Date.now() > until ? resolve() : setTimeout(check, 10));
      check();
    });
    return true;
  } catch (e) {
    if (e instanceof Lost || e instanceof NoAnswer) return true;
    throw e;
  } finally {
    c.close();
  }
}
