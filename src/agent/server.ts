import net from 'node:net';
import type { CachedSession } from '../cache/session-cache.js';
import { LineSplitter, PROTOCOL_VERSION, type Holder, type Reply, type SessionSummary } from './protocol.js';
import { sessionFromJson, sessionToJson, type SessionJson } from './session-json.js';
import type { Mailbox } from './mailbox-keeper.js';

export interface AgentServerOptions {
  /** Exit after this long with no session held and nobody connected. */
  idleMs: number;
  /** A lease held longer than this passes to the next waiter. */
  leaseMaxMs: number;
  /** Called once when the agent should end (idle, `stop`); the caller closes and exits. */
  onIdle: () => void;
  onStop: () => void;
  /** Where copies of held sessions are posted for the cached credential path (mailbox.ts). */
  mailbox?: Mailbox;
}

interface Connection {
  socket: net.Socket;
  /** The keys this connection holds the lease for. */
  leases: Set<string>;
}

interface Held {
  session: CachedSession;
  json: SessionJson;
  timer: NodeJS.Timeout;
}

interface LeaseHolder {
  conn: Connection;
  holder: Holder;
  timer: NodeJS.Timeout;
}

interface Waiter {
  conn: Connection;
  id: number;
  validUntil: number;
  holder: Holder;
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout fires at once for anything past 2^31-1 ms (24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The agent's state and the handling of one connection's requests. Sessions live only in this
 * process's memory. For each key at most one connection holds the lease; the others wait in
 * arrival order and are answered when the holder stores a session (everyone it satisfies gets
 * it), gives up, disconnects, or runs past the longest lease (the next waiter gets the lease).
 */
/** Keys are JSON texts naming a chain; this bounds them well above any real chain. */
const MAX_KEY = 16384;

export function agentServer(options: AgentServerOptions): net.Server {
  const started = new Date();
  const sessions = new Map<string, Held>();
  const leases = new Map<string, LeaseHolder>();
  const waiters = new Map<string, Waiter[]>();
  const connections = new Set<Connection>();
  let idleTimer: NodeJS.Timeout | undefined;

  const checkIdle = () => {
    if (connections.size === 0 && sessions.size === 0) {
      idleTimer ??= setTimeout(options.onIdle, options.idleMs);
    } else if (idleTimer !== undefined) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
    }
  };

  const send = (conn: Connection, reply: Reply) => {
    if (!conn.socket.destroyed && conn.socket.writable) conn.socket.write(`${JSON.stringify(reply)}\n`);
  };

  const drop = (key: string) => {
    const held = sessions.get(key);
    if (held === undefined) return;
    clearTimeout(held.timer);
    sessions.delete(key);
    options.mailbox?.remove(key);
    checkIdle();
  };

  const live = (key: string): Held | undefined => {
    const held = sessions.get(key);
    if (held !== undefined && held.session.credentials.expiration.getTime() <= Date.now()) {
      drop(key);
      return undefined;
    }
    return held;
  };

  const store = (key: string, session: CachedSession) => {
    drop(key);
    const ms = session.credentials.expiration.getTime() - Date.now();
    if (ms <= 0) return;
    const timer = setTimeout(() => drop(key), Math.min(ms, MAX_TIMER_MS));
    const json = sessionToJson(session);
    sessions.set(key, { session, json, timer });
    options.mailbox?.post(key, json);
    checkIdle();
  };

  const grant = (key: string, conn: Connection, id: number, holder: Holder) => {
    const timer = setTimeout(() => {
      // The holder has had long enough; if it stores a session later, that is still kept.
      endLease(key);
    }, options.leaseMaxMs);
    leases.set(key, { conn, holder, timer });
    conn.leases.add(key);
    send(conn, { id, ok: true, lease: true });
  };

  /** Answers whoever the stored session satisfies; if nobody holds the lease, the next waiter gets it. */
  const pump = (key: string) => {
    const queue = waiters.get(key);
    if (queue === undefined) return;
    const held = live(key);
    const rest: Waiter[] = [];
    for (const w of queue) {
      if (held !== undefined && held.session.credentials.expiration.getTime() >= w.validUntil) {
        clearTimeout(w.timer);
        send(w.conn, { id: w.id, ok: true, session: held.json });
      } else {
        rest.push(w);
      }
    }
    if (!leases.has(key) && rest.length > 0) {
      const next = rest.shift()!;
      clearTimeout(next.timer);
      grant(key, next.conn, next.id, next.holder);
    }
    if (rest.length > 0) waiters.set(key, rest);
    else waiters.delete(key);
  };

  const endLease = (key: string) => {
    const lease = leases.get(key);
    if (lease === undefined) return;
    clearTimeout(lease.timer);
    lease.conn.leases.delete(key);
    leases.delete(key);
    pump(key);
  };

  const removeWaiter = (key: string, w: Waiter) => {
    const queue = waiters.get(key);
    if (queue === undefined) return;
    const i = queue.indexOf(w);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) waiters.delete(key);
  };

  const acquire = (conn: Connection, id: number, r: Record<string, unknown>) => {
    const key = r.key;
    const validUntil = typeof r.validUntil === 'string' ? Date.parse(r.validUntil) : NaN;
    if (typeof key !== 'string' || key === '' || key.length > MAX_KEY || isNaN(validUntil) || typeof r.profile !== 'string') {
      return send(conn, { id, ok: false, code: 'bad-request', error: 'acquire needs key, validUntil (RFC 3339) and profile' });
    }
    const holder: Holder = { profile: r.profile, since: new Date().toISOString() };
    if (Number.isSafeInteger(r.pid)) holder.pid = r.pid as number;
    const held = live(key);
    if (held !== undefined && held.session.credentials.expiration.getTime() >= validUntil) return send(conn, { id, ok: true, session: held.json });
    if (!leases.has(key)) return grant(key, conn, id, holder);
    const w: Waiter = { conn, id, validUntil, holder, timer: undefined };
    if (typeof r.waitMs === 'number' && r.waitMs >= 0) {
      w.timer = setTimeout(() => {
        removeWaiter(key, w);
        const current = leases.get(key)?.holder ?? holder;
        send(conn, { id, ok: false, code: 'busy', error: 'another caller holds the lease', holder: current });
      }, Math.min(r.waitMs, MAX_TIMER_MS));
    }
    waiters.set(key, [...(waiters.get(key) ?? []), w]);
  };

  const handle = (conn: Connection, line: string) => {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return send(conn, { id: null, ok: false, code: 'bad-request', error: 'not JSON' });
    }
    if (typeof r !== 'object' || r === null || Array.isArray(r) || !Number.isSafeInteger(r.id)) {
      return send(conn, { id: null, ok: false, code: 'bad-request', error: 'a request is a JSON object with a numeric id' });
    }
    const id = r.id as number;
    switch (r.op) {
      case 'acquire':
        return acquire(conn, id, r);
      case 'peek': {
        // The cached credential path: a session if there is one, never a lease or a wait.
        const validUntil = typeof r.validUntil === 'string' ? Date.parse(r.validUntil) : NaN;
        if (typeof r.key !== 'string' || r.key.length > MAX_KEY || isNaN(validUntil)) return send(conn, { id, ok: false, code: 'bad-request', error: 'peek needs key and validUntil' });
        const held = live(r.key);
        // A caller that had to ask found the mailbox empty: top it up for the next ones.
        if (held !== undefined) options.mailbox?.refill();
        return send(conn, { id, ok: true, session: held !== undefined && held.session.credentials.expiration.getTime() >= validUntil ? held.json : null });
      }
      case 'put': {
        const session = sessionFromJson(r.session);
        if (typeof r.key !== 'string' || r.key === '' || session === undefined) {
          return send(conn, { id, ok: false, code: 'bad-request', error: 'put needs key and a session' });
        }
        store(r.key, session);
        if (leases.get(r.key)?.conn === conn) endLease(r.key);
        else pump(r.key);
        return send(conn, { id, ok: true });
      }
      case 'release':
        if (typeof r.key !== 'string') return send(conn, { id, ok: false, code: 'bad-request', error: 'release needs key' });
        if (leases.get(r.key)?.conn === conn) endLease(r.key);
        return send(conn, { id, ok: true });
      case 'forget': {
        if (r.profile !== undefined && typeof r.profile !== 'string') return send(conn, { id, ok: false, code: 'bad-request', error: 'profile must be a string' });
        let count = 0;
        for (const [key, held] of [...sessions]) {
          if (r.profile === undefined || held.session.profiles.includes(r.profile)) {
            drop(key);
            count++;
          }
        }
        return send(conn, { id, ok: true, count });
      }
      case 'list': {
        const list: SessionSummary[] = [];
        for (const key of [...sessions.keys()]) {
          const held = live(key);
          if (held === undefined) continue;
          const s = held.json;
          list.push({ key, kind: s.kind, subject: s.subject, profiles: s.profiles, accessKeyId: s.credentials.accessKeyId, expiration: s.credentials.expiration });
        }
        return send(conn, { id, ok: true, sessions: list });
      }
      case 'status': {
        for (const key of [...sessions.keys()]) live(key);
        let waiting = 0;
        for (const q of waiters.values()) waiting += q.length;
        return send(conn, {
          id,
          ok: true,
          pid: process.pid,
          started: started.toISOString(),
          sessions: sessions.size,
          leases: leases.size,
          waiting,
          connections: connections.size,
          version: PROTOCOL_VERSION,
        });
      }
      case 'stop':
        send(conn, { id, ok: true });
        return options.onStop();
      default:
        return send(conn, { id, ok: false, code: 'bad-request', error: `unknown op ${JSON.stringify(r.op)}` });
    }
  };

  const server = net.createServer((socket) => {
    const conn: Connection = { socket, leases: new Set() };
    connections.add(conn);
    checkIdle();
    socket.setEncoding('utf8');
    const lines = new LineSplitter(
      (line) => {
        try {
          handle(conn, line);
        } catch {
          send(conn, { id: null, ok: false, code: 'bad-request', error: 'the request could not be handled' });
        }
      },
      () => {
        send(conn, { id: null, ok: false, code: 'too-long', error: 'request line too long' });
        socket.end();
        // A client that keeps sending is cut off rather than read forever.
        setTimeout(() => socket.destroy(), 1000).unref();
      },
    );
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      lines.stop();
      connections.delete(conn);
      for (const [key, queue] of [...waiters]) {
        for (const w of queue.filter((w) => w.conn === conn)) {
          clearTimeout(w.timer);
          removeWaiter(key, w);
        }
      }
      // A holder that died (or gave up) hands its leases on at once.
      for (const key of [...conn.leases]) endLease(key);
      checkIdle();
    });
  });
  checkIdle();
  return server;
}
