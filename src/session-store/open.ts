import type { Settings } from '../settings.js';
import { agentStore, type AgentOptions } from './agent/client.js';
import { dirStore } from './dir-store.js';
import { agentPlace, agentServes } from './agent/place.js';
import { DirectoryRefused } from './private-dir.js';
import { chooseRuntimeDir, squatWarning } from './runtime-dir.js';
import { noRoutes, noStore, type RouteNotes, type SessionStore } from './store.js';

/** Where the store may say something the user should know (a squatted runtime directory). */
export type Warn = (line: string) => void;

/** A store and where routes to its entries are noted: the same directory, or nowhere. */
export interface OpenedStore {
  sessions: SessionStore;
  routes: RouteNotes;
}

/**
 * The session store the settings ask for. The runtime mode, when it is only the default, needs a
 * RAM-backed place for its directory; a Linux without one gets the agent instead (as macOS and
 * Windows do). Asked for by name (MFA_LOGIN_CACHE=runtime), it is that or an error. A runtime
 * directory another user holds is passed over for the user's own stand-in (runtime-dir.ts),
 * with a warning.
 */
export function openSessionStore(settings: Settings, warn: Warn = () => {}): SessionStore {
  return openStore(settings, warn).sessions;
}

/** The store the settings ask for (openSessionStore), with the routes the cached path follows into it. */
export function openStore(settings: Settings, warn: Warn = () => {}): OpenedStore {
  const c = settings.cache;
  const uid = process.getuid?.();
  // Every store but none notes routes: the directories in files beside the entries, the agent beside its sessions.
  const noting = (store: SessionStore & RouteNotes): OpenedStore => ({ sessions: store, routes: store });
  switch (c.mode) {
    case 'none':
      return { sessions: noStore, routes: noRoutes };
    case 'agent':
      return noting(agentStore(agentOptions(settings)));
    case 'file':
      return noting(dirStore({ mode: 'file', dir: c.dir, ram: false, uid, waitMs: settings.lockTimeoutMs }));
    case 'runtime': {
      if (agentServes(c)) return noting(agentStore(agentOptions(settings)));
      const dir = runtimeDir(settings, uid, true, warn) ?? c.dir;
      return noting(dirStore({ mode: 'runtime', dir, ram: true, uid, waitMs: settings.lockTimeoutMs }));
    }
  }
}

/** Runtime directories already warned about in this process: said once, whoever asks again. */
const warned = new Set<string>();

function runtimeDir(settings: Settings, uid: number | undefined, create: boolean, warn: Warn): string | undefined {
  const { runtimeDir: dir, persistentDir } = settings.cache;
  const choice = chooseRuntimeDir(dir, persistentDir, uid, create);
  if (choice.squatter !== undefined && !warned.has(dir)) {
    warned.add(dir);
    warn(squatWarning(dir, choice.squatter, choice.dir));
  }
  return choice.dir;
}

export function agentOptions(settings: Settings): AgentOptions {
  const { socket, dir } = agentPlace(settings.cache, process.platform);
  return { socket, dir, idleMs: settings.agentIdleMs, waitMs: settings.lockTimeoutMs, uid: process.getuid?.() };
}

/**
 * Every place a session may be kept, whatever the mode in use: a logout must also reach sessions
 * left by another mode (files from an earlier MFA_LOGIN_CACHE=file, an agent still running). A
 * runtime directory another user holds is left out (nothing of the user's is in it), its stand-in
 * taken instead where there is one.
 */
export function everyStore(settings: Settings, warn: Warn = () => {}): SessionStore[] {
  const { persistentDir } = settings.cache;
  const uid = process.getuid?.();
  const stores: SessionStore[] = [dirStore({ mode: 'file', dir: persistentDir, ram: false, uid, waitMs: settings.lockTimeoutMs })];
  if (process.platform === 'linux') {
    // A pointer that cannot be read leaves no stand-in to clear: the file mode's store, in the same
    // directory, says what is wrong with it.
    let runtime: string | undefined;
    try {
      runtime = runtimeDir(settings, uid, false, warn);
    } catch (e) {
      if (!(e instanceof DirectoryRefused)) throw e;
    }
    if (runtime !== undefined) stores.push(dirStore({ mode: 'runtime', dir: runtime, ram: false, uid, waitMs: settings.lockTimeoutMs }));
  }
  stores.push(agentStore(agentOptions(settings)));
  return stores;
}
