/**
 * The cached path's reader: the session a profile's route leads to, read with nothing but Node's
 * fs and the store's own small modules (no config parser, no crypto), or asked of the agent in one
 * request on its socket. Synchronous but for the agent where the event loop must wait for it, for
 * the cached path (src/cli/fast-path.ts), which hands over to the full path whenever this finds
 * nothing it can vouch for.
 */
import type { SharedFilePaths } from '../config/shared-files.js';
import type { CacheSettings } from '../settings.js';
import { checkPrivateDir } from './private-dir.js';
import { standInFor } from './runtime-dir.js';
import { readEntryFile } from './entry.js';
import { probeFor, readRoutes, routeMatches, type RoutedAnswer, type RoutedSession } from './route.js';
import { agentPlace, agentServes, reachable } from './agent/place.js';
import { askAgent } from './agent/ask.js';

export type { RoutedAnswer, RoutedSession };

/**
 * The session the route of `profile` leads to, when the route still holds (same files, unchanged,
 * same STS environment), its entry holds the noted key, and the session lasts until `validUntil`
 * (ms); else undefined. The directory modes keep routes in files beside the entries, read when
 * the answer is asked for; the agent keeps them in its memory beside the sessions, and is sent its
 * request at once. Owner, mode, links and tmpfs are checked as on every use; a directory that is
 * refused throws, as it does on the full path (here, or when the answer is asked for).
 */
export function routedAnswer(cache: CacheSettings, profile: string, files: SharedFilePaths, env: Record<string, string | undefined>, uid: number | undefined, validUntil: number): RoutedAnswer {
  if (agentServes(cache)) return fromAgent(cache, profile, files, env, uid, validUntil);
  return () => fromDirectory(cache, profile, files, env, uid, validUntil);
}

function fromDirectory(cache: CacheSettings, profile: string, files: SharedFilePaths, env: Record<string, string | undefined>, uid: number | undefined, validUntil: number): RoutedSession | undefined {
  const { mode, mustBeRam } = cache;
  if (mode !== 'runtime' && mode !== 'file') return undefined;
  let dir = cache.dir;
  let fit: boolean;
  try {
    fit = checkPrivateDir(dir, { create: false, ram: mustBeRam, uid });
  } catch (e) {
    // A runtime directory another user holds: the user's stand-in for it, if the full path made one.
    const standIn = mode === 'runtime' ? standInFor(dir, cache.persistentDir, uid) : undefined;
    if (standIn === undefined) throw e;
    dir = standIn;
    fit = checkPrivateDir(dir, { create: false, ram: mustBeRam, uid });
  }
  if (!fit) return undefined;
  const routes = readRoutes(dir, profile, uid);
  if (routes.length === 0) return undefined;
  const probe = probeFor(profile, files, env);
  const route = routes.find((r) => routeMatches(r, probe));
  if (route === undefined) return undefined;
  const entry = readEntryFile(`${dir}/${route.entry}`, uid);
  if (entry === undefined || entry.key !== route.key) return undefined;
  const credentials = entry.session.credentials;
  if (credentials.expiration.getTime() < validUntil) return undefined;
  return { credentials, ...(route.accountId !== undefined ? { accountId: route.accountId } : {}), ...(route.region !== undefined ? { region: route.region } : {}) };
}

/**
 * The agent's answer: asked only at a socket in the user's own private directory, checked as the
 * full client checks it before every request (agent/place.ts says why that suffices); no agent
 * is started here.
 */
function fromAgent(cache: CacheSettings, profile: string, files: SharedFilePaths, env: Record<string, string | undefined>, uid: number | undefined, validUntil: number): RoutedAnswer {
  const place = agentPlace(cache, process.platform);
  if (!reachable(place.socket, process.platform) || !checkPrivateDir(place.dir, { create: false, ram: false, uid })) return () => undefined;
  return askAgent(place.socket, probeFor(profile, files, env), validUntil);
}
