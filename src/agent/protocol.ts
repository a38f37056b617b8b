import { promises as fs } from 'node:fs';
import { MfaLoginError } from '../errors.js';
import type { SessionJson } from './session-json.js';

/**
 * The agent speaks newline-delimited JSON over a Unix socket: one request per line, each with a
 * numeric `id` that its reply repeats, `ok` saying whether it worked. Replies to one connection
 * may come in any order: an acquire is answered only when it can be. A line that cannot be read
 * gets `id: null`; a line over MAX_LINE gets `code: 'too-long'` and the connection is closed.
 *
 * acquire {key, validUntil, profile, pid?, waitMs?} -> {session} when the agent holds one that
 *   lasts until validUntil; else {lease: true} when nobody holds the key's lease; else it waits
 *   in line. The line moves when the holder puts (everyone the session satisfies gets it), when it
 *   releases, when its connection closes (a dead process), or after the longest lease (the next
 *   in line gets the lease). After waitMs in line: {ok: false, code: 'busy', holder}.
 * peek {key, validUntil} -> {session} or {session: null}: never a lease, never a wait.
 * put {key, session} -> {} stores the session (from anyone; it ends the lease if this
 *   connection holds it). release {key} -> {}. forget {profile?} -> {count}.
 * list -> {sessions: SessionSummary[]} (no secrets). status -> AgentStatusReply. stop -> {} and
 *   the agent exits.
 */
export const PROTOCOL_VERSION = 1;

/** Longest request line the agent reads; a longer one gets an error and the connection closed. */
export const MAX_LINE = 1024 * 1024;

/** sun_path is 108 bytes on Linux including the terminating NUL (104 on macOS and the BSDs). */
export const SOCKET_PATH_MAX = process.platform === 'linux' ? 107 : 103;

export type Request =
  /** validUntil: RFC 3339. waitMs: how long to wait for another holder before a `busy` error. */
  | { id: number; op: 'acquire'; key: string; validUntil: string; profile: string; pid?: number; waitMs?: number }
  | { id: number; op: 'peek'; key: string; validUntil: string }
  | { id: number; op: 'put'; key: string; session: SessionJson }
  | { id: number; op: 'release'; key: string }
  | { id: number; op: 'forget'; profile?: string }
  | { id: number; op: 'list' }
  | { id: number; op: 'status' }
  | { id: number; op: 'stop' };

/** A request before the connection numbers it. */
export type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** What `list` shows: no secret access key, no session token. */
export interface SessionSummary {
  key: string;
  kind: SessionJson['kind'];
  subject: string;
  profiles: string[];
  accessKeyId: string;
  expiration: string;
}

export interface Holder {
  pid?: number;
  profile: string;
  /** When the holder got the lease, RFC 3339. */
  since: string;
}

export interface AgentStatusReply {
  pid: number;
  started: string;
  sessions: number;
  leases: number;
  waiting: number;
  connections: number;
  version: number;
}

export type Reply =
  | { id: number; ok: true; session: SessionJson }
  | { id: number; ok: true; session: null }
  | { id: number; ok: true; lease: true }
  | { id: number; ok: true; count: number }
  | { id: number; ok: true; sessions: SessionSummary[] }
  | ({ id: number; ok: true } & AgentStatusReply)
  | { id: number; ok: true }
  | { id: number | null; ok: false; code: 'busy'; error: string; holder: Holder }
  | { id: number | null; ok: false; code: 'bad-request' | 'too-long'; error: string };

export { agentSocketPath } from './socket-path.js';

export function checkSocketPathLength(socket: string): void {
  const bytes = Buffer.byteLength(socket);
  if (bytes > SOCKET_PATH_MAX) {
    throw new MfaLoginError('E_AGENT', `the agent socket path ${socket} is ${bytes} bytes long; Unix sockets allow at most ${SOCKET_PATH_MAX}`, {
      hint: 'set MFA_LOGIN_CACHE_DIR (or XDG_RUNTIME_DIR) to a shorter directory, or use MFA_LOGIN_CACHE=file',
    });
  }
}

/**
 * Creates the socket's directory (0700) and refuses one that another user could enter or owns:
 * whoever can reach the socket can read every session in the agent, or pose as the agent.
 */
export async function prepareSocketDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MfaLoginError('E_AGENT', `cannot create the agent directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) {
    throw new MfaLoginError('E_AGENT', `the agent directory ${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; refusing to put the agent socket there`, {
      hint: `remove it, or set MFA_LOGIN_CACHE_DIR to another directory`,
    });
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new MfaLoginError('E_AGENT', `the agent directory ${dir} belongs to user id ${st.uid}, not to you (${uid}); refusing to use it`, {
      hint: `remove it, or set MFA_LOGIN_CACHE_DIR to a directory of your own`,
    });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new MfaLoginError('E_AGENT', `the agent directory ${dir} can be entered by other users (mode ${(st.mode & 0o777).toString(8)}); refusing to put the agent socket there`, {
      hint: `run: chmod 700 ${dir}`,
    });
  }
}

/** Splits a byte stream into lines, refusing any longer than `max` characters. */
export class LineSplitter {
  private buffer = '';
  private done = false;
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
    private readonly max = MAX_LINE,
  ) {}

  push(chunk: string): void {
    if (this.done) return;
    this.buffer += chunk;
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.length > this.max) return this.tooLong();
      if (line.trim() !== '') this.onLine(line);
      if (this.done) return;
    }
    if (this.buffer.length > this.max) this.tooLong();
  }

  /** Ignores everything from now on. */
  stop(): void {
    this.done = true;
    this.buffer = '';
  }

  private tooLong(): void {
    this.stop();
    this.onTooLong();
  }
}
