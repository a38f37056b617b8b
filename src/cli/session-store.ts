import path from 'node:path';
import type { Settings } from '../settings.js';
import { agentStore, type AgentOptions } from '../agent/client.js';
import { dirStore } from '../cache/dir-store.js';
import { onRam } from '../cache/private-dir.js';
import { noStore, type SessionStore } from '../cache/session-cache.js';

/**
 * The session store the settings ask for. The runtime mode, when it is only the default, needs a
 * RAM-backed place for its directory; a Linux without one gets the agent instead (as macOS and
 * Windows do). Asked for by name (MFA_LOGIN_CACHE=runtime), it is that or an error.
 */
export function openSessionStore(settings: Settings): SessionStore {
  const c = settings.cache;
  const uid = process.getuid?.();
  switch (c.mode) {
    case 'none':
      return noStore;
    case 'agent':
      return agentStore(agentOptions(settings));
    case 'file':
      return dirStore({ mode: 'file', dir: c.dir, ram: false, uid, waitMs: settings.lockTimeoutMs });
    case 'runtime':
      if (!c.chosen && !onRam(path.dirname(c.dir))) return agentStore(agentOptions(settings));
      return dirStore({ mode: 'runtime', dir: c.dir, ram: true, uid, waitMs: settings.lockTimeoutMs });
  }
}

export function agentOptions(settings: Settings): AgentOptions {
  return { socket: settings.cache.socket, dir: settings.cache.socket.startsWith('\\\\') ? settings.cache.persistentDir : path.dirname(settings.cache.socket), idleMs: settings.agentIdleMs, waitMs: settings.lockTimeoutMs, uid: process.getuid?.() };
}

/**
 * Every place a session may be kept, whatever the mode in use: a logout must also reach sessions
 * left by another mode (files from an earlier MFA_LOGIN_CACHE=file, an agent still running).
 */
export function everyStore(settings: Settings): SessionStore[] {
  const { persistentDir, runtimeDir } = settings.cache;
  const uid = process.getuid?.();
  const stores: SessionStore[] = [dirStore({ mode: 'file', dir: persistentDir, ram: false, uid, waitMs: settings.lockTimeoutMs })];
  if (process.platform === 'linux') stores.push(dirStore({ mode: 'runtime', dir: runtimeDir, ram: false, uid, waitMs: settings.lockTimeoutMs }));
  stores.push(agentStore(agentOptions(settings)));
  return stores;
}
