import { sessionFromJson } from './session-json.js';
import type { CachedSession } from '../cache/session-cache.js';

/**
 * Asks a running agent for a session, on the path every AWS call takes: one connection, one line
 * each way, Node's net module and nothing else. Starts no agent, takes no lease: undefined
 * whenever the answer is not a usable session, and the caller then takes the full path.
 */
export async function peekAgent(socket: string, key: string, validUntil: Date, timeoutMs = 2000): Promise<CachedSession | undefined> {
  // Loaded here rather than at the top, so that a cache hit never loads the socket machinery. Not
  // import(): the bin scripts run the fast path through vm.Script, which has no module loader.
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    const s = net.createConnection(socket);
    let buffer = '';
    let settled = false;
    const done = (v: CachedSession | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    s.setEncoding('utf8');
    s.on('error', () => done(undefined));
    s.on('close', () => done(undefined));
    s.on('connect', () => s.write(`${JSON.stringify({ id: 1, op: 'peek', key, validUntil: validUntil.toISOString() })}\n`));
    s.on('data', (d: string) => {
      buffer += d;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      try {
        const r = JSON.parse(buffer.slice(0, nl)) as { ok?: boolean; session?: unknown };
        done(r.ok === true && r.session ? sessionFromJson(r.session) : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}
