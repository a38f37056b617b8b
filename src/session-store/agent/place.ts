/**
 * Where the agent is reached and how it listens, as pure functions of the platform and the
 * settings, so that what Windows does is decided (and tested) on any machine. Lean: the cached
 * path uses it, and it loads nothing.
 *
 * On Linux and macOS the agent is a Unix socket in a private 0700 directory of the user's. That
 * directory is what makes the agent behind the socket the user's own: only a process of the user
 * (or root) can create an entry in it, so whatever listens there was bound by one; it is checked
 * (owner, mode, not a link, a parent nobody else can swap it from: private-dir.ts) before every
 * connection, on the full path and the cached path alike. No peer check or `ps` is needed on top.
 *
 * On Windows it is a named pipe, `\\.\pipe\mfa-login-<USERNAME>`, and the lease and lock files
 * live in the file cache's directory. Node cannot give a pipe a security descriptor of its own
 * (libuv creates it with none), so the pipe gets Windows' default one: full control for the user
 * who created it, SYSTEM and the Administrators, read only for Everyone and anonymous. Another user
 * can then open it for reading at most, so can send no request and gets no answer. libuv creates
 * the first instance with FILE_FLAG_FIRST_PIPE_INSTANCE: an agent never joins a pipe someone else
 * made. What Node offers on top (`readableAll`, `writableAll`, which on Windows add Everyone to the
 * pipe's DACL and on Unix chmod the socket) is what `listenOptions` keeps off.
 */
import type { CacheSettings } from '../../settings.js';
import { onRam, parentOf } from '../private-dir.js';

/** The prefix of a Windows named pipe's name. */
export const PIPE_PREFIX = '\\\\.\\pipe\\';

export interface AgentPlace {
  /** The Unix socket's path, or the named pipe's name. */
  socket: string;
  /**
   * The private directory the lease lock files and `agent.lock` go in: the socket's own (checked
   * before every connection), or on Windows the file cache's.
   */
  dir: string;
  /** Whether `socket` is in `dir`, so that checking `dir` vouches for whoever listens at it. */
  socketInDir: boolean;
}

export function isPipe(socket: string): boolean {
  return socket.startsWith(PIPE_PREFIX);
}

/** The longest Unix socket path: sun_path is 108 bytes on Linux including the NUL (104 on macOS and the BSDs). */
export function socketPathMax(os: NodeJS.Platform): number {
  return os === 'linux' ? 107 : 103;
}

/**
 * Whether connecting to `socket` reaches that very path. A longer Unix socket path is cut short
 * when connecting (libuv does so without a word), to another path, perhaps in a directory others
 * can write to, where the private directory checked is not: such a socket is never connected to.
 * A pipe name is taken whole.
 */
export function reachable(socket: string, os: NodeJS.Platform): boolean {
  return isPipe(socket) || Buffer.byteLength(socket) <= socketPathMax(os);
}

/** Where the agent for these settings is reached (`os`: the platform, for the path's syntax). */
export function agentPlace(cache: Pick<CacheSettings, 'socket' | 'persistentDir'>, os: NodeJS.Platform): AgentPlace {
  const { socket, persistentDir } = cache;
  if (isPipe(socket)) return { socket, dir: persistentDir, socketInDir: false };
  return { socket, dir: parentOf(socket, os), socketInDir: true };
}

/**
 * How the agent listens: at the place, and never open to other users. The pipe keeps Windows'
 * default security descriptor and the socket the 0700 directory's protection (and umask 077).
 */
export function listenOptions(socket: string): { path: string; readableAll: false; writableAll: false } {
  return { path: socket, readableAll: false, writableAll: false };
}

/**
 * Whether sessions are the agent's for these settings: asked for, or the runtime mode by default
 * where there is no RAM-backed directory for it (a Linux without tmpfs).
 */
export function agentServes(cache: Pick<CacheSettings, 'mode' | 'chosen' | 'dir'>): boolean {
  return cache.mode === 'agent' || (cache.mode === 'runtime' && !cache.chosen && !onRam(parentOf(cache.dir)));
}
