/**
 * The cached path's reader: the session a profile's route leads to, read with nothing but Node's
 * fs and the store's own small modules (no config parser, no crypto), or asked of the agent in one
 * request on its socket. Synchronous for the directory modes, for the cached path
 * (src/cli/fast-path.ts), which hands over to the full path whenever this finds nothing it can
 * vouch for.
 */
import type { SharedFilePaths } from '../config/shared-files.js';
import type { Settings } from '../settings.js';
import { checkPrivateDir } from './private-dir.js';
import { standInFor } from './runtime-dir.js';
import { readEntryFile } from './entry.js';
import { probeFor, readRoutes, routeMatches, type RoutedSession } from './route.js';

export type { RoutedSession };
import { agentPlace, agentServes } from './agent/place.js';
import { askAgent } from './agent/ask.js';

/** What the full path noted with the entry, besides the session: what the cached path prints with it. */

/**
 * The session the route of `profile` leads to, when the route still holds (same files, unchanged,
 * same STS environment), its entry holds the noted key, and the session lasts until `validUntil`
 * (ms); else undefined. The directory modes keep routes in files beside the entries, the agent in
 * its memory beside the sessions (asked in one request, so the answer comes as a promise). Owner,
 * mode, links and tmpfs are checked as on every use; a directory that is refused throws, as it
 * does on the full path.
 */
export function readRouted(cache: Settings['cache'], profile: string, files: SharedFilePaths, env: Record<string, string | undefined>, uid: number | undefined, validUntil: number): RoutedSession | undefined | Promise<RoutedSession | undefined> {
  const { mode, mustBeRam } = cache;
  if (agentServes(cache)) return fromAgent(cache, profile, files, env, uid, validUntil);
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
function fromAgent(cache: Settings['cache'], profile: string, files: SharedFilePaths, env: Record<string, string | undefined>, uid: number | undefined, validUntil: number): Promise<RoutedSession | undefined> | undefined {
  const place = agentPlace(cache, process.platform);
  if (!checkPrivateDir(place.dir, { create: false, ram: false, uid })) return undefined;
  return askAgent(place.socket, probeFor(profile, files, env), validUntil);
}
