import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import type { SharedFilePaths } from '../config/shared-files.js';
import { plainConfigText, unreadable } from '../files/config-text.js';
import { STS_ENV } from '../sts/sts-env.js';
import { isEntryFile } from './entry.js';
import { readOwnFile } from './own-file.js';
import type { RouteNote } from './store.js';
import type { SessionCredentials } from '../credentials.js';

/** What a route leads to, for the cached path: the session, and what it is handed out with. */
export interface RoutedSession {
  credentials: SessionCredentials;
  accountId?: string;
  /** The profile's own region: the environment's goes in front of it (settings.ts, regionFor). */
  region?: string;
  /** Handed over by the agent (bin/fast-path.js keeps V8's code for that way of answering too). */
  agent?: true;
}

/**
 * The cached path's answer, asked for when wanted: the agent, asked at once, answers while the
 * caller does other work. Called once, always (it closes the agent's connection). A promise where
 * the event loop must wait for the agent's reply (as on Windows).
 */
export type RoutedAnswer = () => RoutedSession | undefined | Promise<RoutedSession | undefined>;

/**
 * A profile's route: which session entry answers for the profile, noted by the full path each
 * time it answers, so that the cached path can answer the next call without reading, parsing and
 * resolving the AWS config files (most of what a cache hit used to cost).
 *
 * A route holds everything the answer was derived from: the profile name, where the two shared
 * files are and a stamp of each, and the STS_ENV variables (all the environment a session's key
 * depends on). It holds what the cached path prints besides the session (the account id and the
 * region), and the entry's file name and key. It holds no secret: the session stays in its entry,
 * which the cached path reads through the one entry reader and takes only under the noted key.
 *
 * A stamp is a file's device, inode, size, modification and change times, taken from an open file
 * (opening makes an NFS client revalidate what it has cached). Every write moves the change time,
 * which nobody can set back. A write within the same tick of the filesystem's clock as the noting
 * could keep the stamp, so a file changed less than RECENT_MS ago is not noted: the next call
 * notes it (git treats a "racily clean" index entry the same way). Linux filesystems that keep
 * nanoseconds tick at least every 10 ms; one that keeps whole seconds (ext4 with small inodes,
 * FAT, some network and FUSE mounts) shows it in its stamps, and gets COARSE_MS instead.
 */
const VERSION = 2;
const MAX_ROUTE_BYTES = 16 * 1024;
/**
 * Routes kept per profile, one per STS environment it is used in: two shells with different
 * AWS_REGION values each get their own, instead of taking the route from each other on every call.
 */
export const MAX_ROUTES = 4;
export const RECENT_MS = 100;
export const COARSE_MS = 2000;

export type Stamp = [dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number] | null;

export interface Route {
  profile: string;
  /** The config and credentials files, as sharedFilePaths found them. */
  files: [string, string];
  /** Their stamps when the answer was derived; null for a file that did not exist. */
  stamps: [Stamp, Stamp];
  /** The value of each STS_ENV variable, in that order; null when unset. */
  env: Array<string | null>;
  /** The entry's file name in the store directory, and the key it must hold. */
  entry: string;
  key: string;
  accountId?: string;
  region?: string;
}

/**
 * Where a profile's route is kept; undefined for a name too long for a file name. Percent-encoded
 * (no `/` survives); two names that a case-insensitive filesystem confuses share a file, and the
 * route's own profile field tells them apart.
 */
export function routeFileName(profile: string): string | undefined {
  let name: string;
  try {
    name = encodeURIComponent(profile);
  } catch {
    return undefined; // a lone surrogate
  }
  return name.length <= 200 ? `route-${name}.json` : undefined;
}

export function isRouteFile(name: string): boolean {
  return name.startsWith('route-') && name.endsWith('.json');
}

/** The STS_ENV values of `env`, as a route keeps them. */
export function routeEnv(env: Record<string, string | undefined>): Array<string | null> {
  return STS_ENV.map((name) => env[name] ?? null);
}

/**
 * A file's stamp and its text (null and undefined when it does not exist), from one open file; the
 * text as `read` takes it from the open file and its fstat.
 */
export function observe(file: string, withText: boolean, read: (fd: number, st: Stats) => string = (fd) => readFileSync(fd, 'utf8')): { stamp: Stamp; text?: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { stamp: null };
    throw e;
  }
  try {
    const st = fstatSync(fd);
    const stamp: Stamp = [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs];
    return withText ? { stamp, text: read(fd, st) } : { stamp };
  } finally {
    closeSync(fd);
  }
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4];
}

/**
 * What a route is matched against: the profile asked for, where its files are and their stamps
 * now, and the STS environment now. The agent matches the cached path's probe against the routes
 * it keeps, so that one request on its socket answers a call (agent/main.ts).
 */
export interface Probe {
  profile: string;
  files: [string, string];
  stamps: [Stamp, Stamp];
  env: Array<string | null>;
}

/** The probe for `profile` here and now. Throws when a file cannot be examined (the caller hands over to the full path). */
export function probeFor(profile: string, files: SharedFilePaths, env: Record<string, string | undefined>): Probe {
  return { profile, files: [files.configFile, files.credentialsFile], stamps: [observe(files.configFile, false).stamp, observe(files.credentialsFile, false).stamp], env: routeEnv(env) };
}

/** Whether `route` answers for `probe`: the same profile and files, unchanged, and the same STS environment. */
export function routeMatches(route: Route, probe: Probe): boolean {
  if (route.profile !== probe.profile || route.files[0] !== probe.files[0] || route.files[1] !== probe.files[1]) return false;
  for (let i = 0; i < STS_ENV.length; i++) if (probe.env[i] !== route.env[i]) return false;
  return sameStamp(route.stamps[0], probe.stamps[0]) && sameStamp(route.stamps[1], probe.stamps[1]);
}

/**
 * Whether `route` still answers for `profile` here and now (routeMatches). Throws when a file
 * cannot be examined (the caller hands over to the full path).
 */
export function routeHolds(route: Route, profile: string, files: SharedFilePaths, env: Record<string, string | undefined>): boolean {
  return routeMatches(route, probeFor(profile, files, env));
}

/**
 * The stamps to note for files whose texts were `texts` when the answer was derived, or undefined
 * when they cannot be vouched for: a file changed since it was read, or changed too recently.
 */
export function stampsFor(files: SharedFilePaths, texts: [string | undefined, string | undefined], now: number): [Stamp, Stamp] | undefined {
  const seen = [observe(files.configFile, true, checkedRead(files.configFile)), observe(files.credentialsFile, true, checkedRead(files.credentialsFile))];
  for (let i = 0; i < 2; i++) {
    const { stamp, text } = seen[i]!;
    if ((text === undefined ? undefined : plainConfigText(text)) !== texts[i]) return undefined;
    if (!settled(stamp, now)) return undefined;
  }
  return [seen[0]!.stamp, seen[1]!.stamp];
}

/**
 * Reads as the full path reads: never what is not a regular file (/dev/zero, a FIFO). Only noting
 * a route reads a text; following one (the cached path) opens and stats, so this stays out of it.
 */
function checkedRead(file: string): (fd: number, st: Stats) => string {
  return (fd, st) => {
    const bad = unreadable(file, st);
    if (bad !== undefined) throw bad;
    return readFileSync(fd, 'utf8');
  };
}

/** Whether a file with this stamp last changed long enough ago for any later change to show. */
export function settled(stamp: Stamp, now: number): boolean {
  if (stamp === null) return true;
  const [, , , mtime, ctime] = stamp;
  const margin = mtime % 1000 === 0 && ctime % 1000 === 0 ? COARSE_MS : RECENT_MS;
  return mtime <= now - margin && ctime <= now - margin;
}

export function encodeRoutes(routes: Route[]): string {
  return JSON.stringify({ version: VERSION, routes });
}

/** The JSON object in `text`, or undefined for anything else (not JSON, an array, a string, null). */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
}

/** The routes in `text`, or undefined when anything is missing or of the wrong type. */
export function decodeRoutes(text: string): Route[] | undefined {
  const o = jsonObject(text);
  if (o === undefined || o.version !== VERSION) return undefined;
  return routesOf(o.routes);
}

/** The routes in `value` (a decoded JSON array), or undefined when anything is missing or of the wrong type. */
export function routesOf(value: unknown): Route[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_ROUTES) return undefined;
  const routes: Route[] = [];
  for (const r of value as unknown[]) {
    const route = routeOf(r);
    if (route === undefined) return undefined;
    routes.push(route);
  }
  return routes;
}

/** The probe in `o` (decoded JSON, from the agent's socket), or undefined when anything is missing or of the wrong type. */
export function probeOf(o: unknown): Probe | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const { profile, files, stamps, env } = o as Record<string, unknown>;
  const stamp = (v: unknown) => v === null || (Array.isArray(v) && v.length === 5 && v.every((x) => typeof x === 'number'));
  if (typeof profile !== 'string' || !Array.isArray(files) || files.length !== 2 || !files.every((x) => typeof x === 'string')) return undefined;
  if (!Array.isArray(stamps) || stamps.length !== 2 || !stamps.every(stamp)) return undefined;
  if (!Array.isArray(env) || env.length !== STS_ENV.length || !env.every((x) => x === null || typeof x === 'string')) return undefined;
  return { profile, files: files as [string, string], stamps: stamps as [Stamp, Stamp], env: env as Array<string | null> };
}

export function routeOf(o: unknown): Route | undefined {
  const probe = probeOf(o);
  if (probe === undefined) return undefined;
  const { entry, key, accountId, region } = o as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  // An entry's name as entryFile makes it: nothing that could lead out of the directory.
  if (typeof entry !== 'string' || !isEntryFile(entry)) return undefined;
  if ((accountId !== undefined && typeof accountId !== 'string') || (region !== undefined && typeof region !== 'string')) return undefined;
  const route: Route = { ...probe, entry, key };
  if (accountId !== undefined) route.accountId = accountId;
  if (region !== undefined) route.region = region;
  return route;
}

/**
 * The route to note for what the full path answered, with the entry's file name (`entry`), or
 * undefined when the files cannot be vouched for (stampsFor).
 */
export function routeFor(note: RouteNote, entry: string, now: number): Route | undefined {
  const stamps = stampsFor(note.files, note.texts, now);
  if (stamps === undefined) return undefined;
  const { profile, files, env, key, accountId, region } = note;
  const route: Route = { profile, files: [files.configFile, files.credentialsFile], stamps, env: routeEnv(env), entry, key };
  if (accountId !== undefined) route.accountId = accountId;
  if (region !== undefined) route.region = region;
  return route;
}

/**
 * Which of `noted` to keep beside `route`, newest first: those for other STS environments whose
 * files are still as `route` found them (a route of a changed file can never hold again).
 */
export function routesBeside(route: Route, noted: Route[]): Route[] {
  const sameEnv = (a: Route) => a.env.every((v, i) => v === route.env[i]);
  const current = (a: Route) => a.files[0] === route.files[0] && a.files[1] === route.files[1] && sameStamp(a.stamps[0], route.stamps[0]) && sameStamp(a.stamps[1], route.stamps[1]);
  return noted.filter((a) => a.profile === route.profile && current(a) && !sameEnv(a)).slice(0, MAX_ROUTES - 1);
}

/** The routes noted for `profile` in `dir` (read as readOwnFile reads): none when there is no usable file. */
export function readRoutes(dir: string, profile: string, uid: number | undefined): Route[] {
  const name = routeFileName(profile);
  const text = name === undefined ? undefined : readOwnFile(`${dir}/${name}`, uid, MAX_ROUTE_BYTES);
  return (text === undefined ? undefined : decodeRoutes(text)) ?? [];
}
