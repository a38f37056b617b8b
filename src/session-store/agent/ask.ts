/**
 * The cached path's one request to the agent: "the session for this probe" (route.ts), answered
 * from the routes the agent keeps beside its sessions, in one line each way on a fresh connection.
 * Lean: Node's net is loaded only when this runs, so the other modes' cached path never pays for it.
 *
 * The ops are named, not numbered: an agent from before they existed answers `unknown op`, which
 * counts as a miss here, and the full path answers (and cannot note routes there until that agent
 * has gone). Anything but a plain hit, within ASK_MS, is a miss: a dead or stale socket, a stopped
 * agent, a reply cut short. The full path then does it properly, with its own bounds and messages.
 */
import { sessionFromJson } from '../entry.js';
import type { Probe } from '../route.js';
import type { RoutedSession } from '../routed-entry.js';

/** Asks for the session a probe leads to; the reply holds it, or `session: null`. */
export const ANSWER_OP = 'answer-route';
/** Notes a route (the full path, after it answered); the agent keeps it beside the profile's others. */
export const NOTE_OP = 'note-route';
/**
 * How long the cached path waits for the agent before the full path takes over: an agent that
 * answers at all answers in well under a millisecond, so this bounds only a stopped or stuck one.
 */
export const ASK_MS = 1000;
/** No answer is near this; a longer one is not a plain hit. */
const MAX_REPLY = 64 * 1024;

/** The session the agent at `socket` has for `probe`, valid until `validUntil` (ms); undefined for anything else. */
export function askAgent(socket: string, probe: Probe, validUntil: number, timeoutMs = ASK_MS): Promise<RoutedSession | undefined> {
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    let reply = '';
    const conn = net.createConnection(socket);
    const done = (found: RoutedSession | undefined) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(found);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('error', () => done(undefined));
    conn.on('close', () => done(undefined));
    conn.on('data', (chunk: string) => {
      reply += chunk;
      const nl = reply.indexOf('\n');
      if (nl >= 0) done(answerIn(reply.slice(0, nl), validUntil));
      else if (reply.length > MAX_REPLY) done(undefined);
    });
    conn.write(`${JSON.stringify({ op: ANSWER_OP, probe, validUntil })}\n`);
  });
}

/** The agent's reply to ANSWER_OP as the cached path prints it, or undefined for a miss, a refusal or anything malformed. */
export function answerIn(line: string, validUntil: number): RoutedSession | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || o.ok !== true) return undefined;
  const session = sessionFromJson(o.session);
  if (session === undefined || session.credentials.expiration.getTime() < validUntil) return undefined;
  const { accountId, region } = o;
  if ((accountId !== undefined && typeof accountId !== 'string') || (region !== undefined && typeof region !== 'string')) return undefined;
  return { credentials: session.credentials, ...(accountId !== undefined ? { accountId } : {}), ...(region !== undefined ? { region } : {}) };
}
