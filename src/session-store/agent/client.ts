/**
 * The agent's client: a SessionStore whose entries live in the agent's memory. One request per
 * connection, newline-delimited JSON, every answer awaited with a bound: an agent that is stopped
 * or stuck is reported as such (exit 8), never waited on forever and never called stopped.
 */
import net from 'node:net';
import path from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MfaLoginError } from '../../errors.js';
import { runChild, startChild } from '../../child-process.js';
import { readLockNote } from '../../files/lock-file.js';
import { entryFile, sessionFromJson, sessionToJson } from '../entry.js';
import { acquireWithLease } from '../lease.js';
import { checkPrivateDir } from '../private-dir.js';
import { routeFor } from '../route.js';
import type { RouteNotes, SessionInfo, SessionStore } from '../store.js';
import { NOTE_OP } from './ask.js';
import { reachable, socketPathMax } from './place.js';

export interface AgentOptions {
  socket: string;
  /** The private directory for the lease lock files and the agent's pid lock (beside the socket, except on Windows). */
  dir: string;
  idleMs: number;
  /** MFA_LOGIN_LOCK_TIMEOUT. */
  waitMs: number;
  uid: number | undefined;
  /** How long an answer may take before the agent counts as stuck. */
  answerMs?: number;
  /** How long a freshly started agent may take to listen. */
  startMs?: number;
}

const AGENT_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

type Reply = Record<string, unknown> & { ok?: boolean };

export function agentStore(o: AgentOptions): SessionStore & RouteNotes {
  const dir = o.dir;
  const ready = () => {
    checkPrivateDir(dir, { create: true, ram: false, uid: o.uid });
    checkSocketPath(o.socket);
    return dir;
  };
  const store: SessionStore & RouteNotes = {
    mode: 'agent',
    location: o.socket,
    async read(key, validUntil) {
      ready();
      const r = await request(o, { op: 'get', key, validUntil: validUntil.getTime() }, true);
      return sessionFromJson(r?.session) ?? undefined;
    },
    async put(key, session) {
      ready();
      await request(o, { op: 'put', key, session: sessionToJson(session) }, true);
    },
    async forget(profile) {
      if (!checkPrivateDir(dir, { create: false, ram: false, uid: o.uid })) return 0;
      const r = await request(o, { op: 'forget', ...(profile !== undefined ? { profile } : {}) }, false);
      return Number(r?.count ?? 0);
    },
    async list(): Promise<SessionInfo[]> {
      if (!checkPrivateDir(dir, { create: false, ram: false, uid: o.uid })) return [];
      const r = await request(o, { op: 'list' }, false);
      const rows = Array.isArray(r?.sessions) ? (r.sessions as Record<string, any>[]) : [];
      return rows.map((s) => ({ key: String(s.key), kind: s.kind, subject: String(s.subject), profiles: (s.profiles ?? []).map(String), accessKeyId: String(s.credentials?.accessKeyId), expiration: new Date(s.credentials?.expiration) }));
    },
    /** Kept by the agent beside the session it just put (never starting one): the cached path asks it with the same probe. */
    async noteRoute(note) {
      if (!checkPrivateDir(dir, { create: false, ram: false, uid: o.uid })) return;
      const route = routeFor(note, path.basename(entryFile(dir, note.key)), Date.now());
      if (route !== undefined) await request(o, { op: NOTE_OP, route }, false);
    },
    acquire: acquireWithLease({ dir: ready, read: (k, v) => store.read(k, v), put: (k, s) => store.put(k, s), waitMs: o.waitMs }),
  };
  return store;
}

/**
 * Whether an agent answers, and with how many sessions. Never starts one. Only a socket in the
 * user's own private directory is asked (as the data path asks): one another user made answers
 * what they like.
 */
export async function agentStatus(o: AgentOptions): Promise<{ running: false } | { running: true; pid: number; sessions: number }> {
  checkSocketPath(o.socket);
  if (!checkPrivateDir(o.dir, { create: false, ram: false, uid: o.uid })) return { running: false };
  const r = await request(o, { op: 'status' }, false);
  return r === undefined ? { running: false } : { running: true, pid: Number(r.pid), sessions: Number(r.sessions) };
}

/** Stops a running agent and waits until it is gone; false when none was running. */
export async function stopAgent(o: AgentOptions): Promise<boolean> {
  checkSocketPath(o.socket);
  if (!checkPrivateDir(o.dir, { create: false, ram: false, uid: o.uid })) return false;
  const r = await request(o, { op: 'stop' }, false);
  if (r === undefined) return false;
  const deadline = Date.now() + (o.startMs ?? 5000);
  for (;;) {
    const probe = await connect(o.socket);
    if (probe === undefined) return true;
    // An open probe would keep this process alive after the answer.
    probe.destroy();
    if (Date.now() > deadline) throw await stuck(o, 'was asked to stop but still accepts connections');
    await new Promise((res) => setTimeout(res, 50));
  }
}

/**
 * Sends one request; undefined when no agent listens and `start` is off. With `start`, an agent is
 * started when none listens, and once more when the one asked dies before answering (it was
 * killed: its sessions are gone, but the caller's put or read is not).
 */
async function request(o: AgentOptions, body: Record<string, unknown>, start: boolean, attempt = 1): Promise<Reply | undefined> {
  let s = await connect(o.socket);
  if (s === undefined) {
    if (!start) return undefined;
    startAgent(o);
    const deadline = Date.now() + (o.startMs ?? 5000);
    while ((s = await connect(o.socket)) === undefined) {
      if (Date.now() > deadline) throw await stuck(o, `did not start listening at ${o.socket}`);
      await new Promise((res) => setTimeout(res, 25));
    }
  }
  const sock = s;
  const answerMs = o.answerMs ?? 3000;
  const reply = await new Promise<Reply | 'timeout' | 'closed'>((resolve) => {
    let buffer = '';
    const timer = setTimeout(() => resolve('timeout'), answerMs);
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer.slice(0, nl)) as Reply);
      } catch {
        resolve('closed');
      }
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    sock.write(`${JSON.stringify(body)}\n`);
  });
  sock.destroy();
  if (reply === 'closed' && attempt < 3) return request(o, body, start, attempt + 1);
  if (reply === 'timeout' || reply === 'closed') throw await stuck(o, reply === 'timeout' ? `did not answer within ${Math.round(answerMs / 1000)}s` : 'closed the connection without answering');
  if (reply.ok !== true) throw new MfaLoginError('E_AGENT', `the session agent refused a request: ${String(reply.error)}`, { hint: 'run: mfa-login agent stop' });
  return reply;
}

/** A socket path no agent can be reached at (place.ts, reachable): an error that says what to do. */
function checkSocketPath(socket: string): void {
  if (reachable(socket, process.platform)) return;
  throw new MfaLoginError('E_AGENT', `the agent socket path ${socket} is longer than Unix sockets allow (${socketPathMax(process.platform)} bytes)`, {
    hint: 'set XDG_RUNTIME_DIR to a shorter private directory, or use MFA_LOGIN_CACHE=file',
  });
}

function connect(socket: string): Promise<net.Socket | undefined> {
  // A path too long would be cut short to someone else's (place.ts): nobody is there for us.
  if (!reachable(socket, process.platform)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const s = net.createConnection(socket);
    s.once('connect', () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', () => resolve(undefined));
  });
}

/**
 * An agent that is stopped (SIGSTOP) or stuck, with what to do. Named by its pid only when that
 * pid is, here and now, our own agent serving this socket: the pid in `agent.lock` was written in
 * the agent's pid namespace (a container's, perhaps) and may name another process in ours.
 */
async function stuck(o: AgentOptions, what: string): Promise<MfaLoginError> {
  const note = await readLockNote(path.join(o.dir, 'agent.lock'));
  const pid = note?.pid !== undefined && (await isOurAgent(note.pid, o.socket, o.uid)) ? note.pid : undefined;
  const who = pid !== undefined ? `the session agent (pid ${pid})` : 'the session agent';
  return new MfaLoginError('E_AGENT', `${who} ${what}; it may be stopped or stuck`, {
    hint: pid !== undefined ? `end it with: kill -9 ${pid}  (its sessions are lost; a new agent starts on the next call)` : `end the process that runs ${AGENT_MAIN} ${o.socket}  (its sessions are lost; a new agent starts on the next call)`,
  });
}

/** Whether `pid` is a process of this user running the agent for `socket`: /proc on Linux, ps elsewhere. */
async function isOurAgent(pid: number, socket: string, uid: number | undefined): Promise<boolean> {
  if (uid === undefined) return false;
  try {
    if (process.platform === 'linux') {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return statSync(`/proc/${pid}`).uid === uid && args[1] === AGENT_MAIN && args[2] === socket;
    }
    const r = await runChild('ps', ['-o', 'uid=', '-o', 'args=', '-p', String(pid)], { timeoutMs: 2000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const m = /^\s*(\d+)\s+(.*)$/.exec(r.stdout.trim());
    return m !== null && Number(m[1]) === uid && m[2]!.includes(`${AGENT_MAIN} ${socket}`);
  } catch {
    return false;
  }
}

/** Starts an agent in the background, with core dumps off: its memory holds session tokens. */
function startAgent(o: AgentOptions): void {
  const args = [AGENT_MAIN, o.socket, o.dir, String(o.idleMs)];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const child =
    process.platform === 'win32'
      ? startChild(process.execPath, args, { detached: true, stdio: 'ignore', env })
      : startChild('/bin/sh', ['-c', 'ulimit -c 0 && exec "$0" "$@"', process.execPath, ...args], { detached: true, stdio: 'ignore', cwd: '/', env });
  child.on('error', () => {});
  child.unref();
}
