/**
 * The session agent: `node main.js SOCKET DIR IDLE_MS`. Where there is no RAM-backed directory to keep
 * sessions in (macOS, Windows, a Linux without tmpfs) or MFA_LOGIN_CACHE=agent, a per-user process
 * holds them in memory behind a socket in a private directory. It is a map and nothing more: get,
 * put, forget, list, status, stop; and beside the sessions, the routes the full path notes
 * (route.ts: no secret in them), so that the cached path asks for a profile's session in one
 * request (ask.ts). Leases are lock files beside the socket, as in every mode.
 * Started detached, with core dumps off, by the first client that finds nobody listening; the one
 * that takes `agent.lock` serves, any other exits at once. The kernel keeps that lock for as long
 * as the agent lives (lock-file.ts): a killed agent leaves nothing that stops the next one.
 */
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tryLock } from '../../files/lock-file.js';
import { checkPrivateDir } from '../private-dir.js';
import { sessionFromJson, sessionToJson } from '../entry.js';
import { probeOf, routeMatches, routeOf, routesBeside, type Route } from '../route.js';
import type { CachedSession } from '../store.js';
import { ANSWER_OP, NOTE_OP } from './ask.js';
import { serveLines } from './line-server.js';

const CHECK_MS = 1000;
/** Profiles whose routes are kept; past this the one noted longest ago goes (it is noted again on its next full answer). */
const MAX_ROUTED_PROFILES = 1000;

async function main(): Promise<void> {
  const [socket, dir, idleArg] = process.argv.slice(2);
  const idleMs = Number(idleArg);
  if (socket === undefined || dir === undefined || !(idleMs > 0)) process.exit(2);
  checkPrivateDir(dir, { create: true, ram: false, uid: process.getuid?.() });
  const lock = path.join(dir, 'agent.lock');
  const held = await tryLock(lock, { socket });
  if (held === undefined) process.exit(0); // another agent serves

  const sessions = new Map<string, CachedSession>();
  /** Each profile's routes, newest first, as route files hold them; the profile noted last is last. */
  const routes = new Map<string, Route[]>();
  let connections = 0;
  let lastActivity = Date.now();
  rmSync(socket, { force: true });
  process.umask(0o077);
  const answer = (line: string): Record<string, unknown> => {
    let r: { op?: unknown; key?: unknown; validUntil?: unknown; session?: unknown; profile?: unknown; route?: unknown; probe?: unknown };
    try {
      r = JSON.parse(line);
    } catch {
      return { ok: false, error: 'not JSON' };
    }
    switch (r?.op) {
      case 'get': {
        const s = typeof r.key === 'string' ? sessions.get(r.key) : undefined;
        const fresh = s !== undefined && s.credentials.expiration.getTime() >= Number(r.validUntil);
        return { ok: true, session: fresh ? sessionToJson(s) : null };
      }
      case 'put': {
        const s = sessionFromJson(r.session);
        if (typeof r.key !== 'string' || s === undefined) return { ok: false, error: 'bad session' };
        sessions.set(r.key, s);
        return { ok: true };
      }
      case NOTE_OP: {
        const route = routeOf(r.route);
        if (route === undefined) return { ok: false, error: 'bad route' };
        const beside = routesBeside(route, routes.get(route.profile) ?? []);
        routes.delete(route.profile);
        routes.set(route.profile, [route, ...beside]);
        if (routes.size > MAX_ROUTED_PROFILES) routes.delete(routes.keys().next().value!);
        return { ok: true };
      }
      case ANSWER_OP: {
        const probe = probeOf(r.probe);
        if (probe === undefined) return { ok: false, error: 'bad probe' };
        const route = routes.get(probe.profile)?.find((x) => routeMatches(x, probe));
        const s = route !== undefined ? sessions.get(route.key) : undefined;
        if (s === undefined || s.credentials.expiration.getTime() < Number(r.validUntil)) return { ok: true, session: null };
        return { ok: true, session: sessionToJson(s), ...(route!.accountId !== undefined ? { accountId: route!.accountId } : {}), ...(route!.region !== undefined ? { region: route!.region } : {}) };
      }
      case 'forget': {
        // Routes hold no secret and are noted again on the next answer: all go, whichever profile (as in the directory modes).
        routes.clear();
        let count = 0;
        for (const [k, s] of sessions) {
          if (typeof r.profile === 'string' && !s.profiles.includes(r.profile)) continue;
          sessions.delete(k);
          count++;
        }
        return { ok: true, count };
      }
      case 'list':
        return { ok: true, sessions: [...sessions].map(([key, s]) => ({ key, ...sessionToJson(s), credentials: { accessKeyId: s.credentials.accessKeyId, expiration: s.credentials.expiration.toISOString() } })) };
      case 'status':
        return { ok: true, pid: process.pid, sessions: sessions.size };
      case 'stop':
        setImmediate(shutdown);
        return { ok: true };
      default:
        return { ok: false, error: 'unknown op' };
    }
  };

  let ino: number | undefined;
  const shutdown = () => {
    clearInterval(timer);
    sessions.clear();
    routes.clear();
    // Closing a listening socket unlinks its path: only while the path is still ours.
    if (ino !== undefined && inodeOf(socket) === ino) server.close();
    void held.release().finally(() => process.exit(0));
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [k, s] of sessions) if (s.credentials.expiration.getTime() <= now) sessions.delete(k);
    // A socket removed or replaced by hand can no longer be reached: serve nobody, keep nothing.
    const idle = sessions.size === 0 && connections === 0 && now - lastActivity > idleMs;
    if (idle || (ino !== undefined && inodeOf(socket) !== ino)) shutdown();
  }, Math.min(CHECK_MS, idleMs));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, shutdown);
  process.on('SIGHUP', () => {});
  const server = serveLines(socket, {
    answer: (line) => {
      lastActivity = Date.now();
      const reply = answer(line);
      try {
        return JSON.stringify(reply);
      } catch {
        // A reply too long for one string (a list of many huge sessions): refused, and the agent stays up.
        return JSON.stringify({ ok: false, error: 'reply too long' });
      }
    },
    connections: (change) => {
      connections += change;
      lastActivity = Date.now();
    },
    listening: () => {
      ino = inodeOf(socket);
    },
    failed: () => void held.release().finally(() => process.exit(1)),
  });
}

function inodeOf(p: string): number | undefined {
  try {
    return lstatSync(p).ino;
  } catch {
    return undefined;
  }
}

main().catch(() => process.exit(1));
