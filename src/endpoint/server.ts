/**
 * A local credential endpoint speaking the container-credentials protocol the SDKs and the AWS CLI
 * read through AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN: a GET with
 * the token as the Authorization header, answered with
 * `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`, or an error as `{"code", "message"}`
 * with a non-2xx status (which the clients retry a few times, then report).
 *
 * Loopback only: over plain http the SDKs accept a full URI only there, and nothing off this
 * machine should reach it. Anyone on this machine can connect, so every request must carry the
 * endpoint's own random token; without it there is a 401 or a 403 and nothing else. The token
 * travels in environments and files: where the system says who connected (Linux), a connection
 * of another user (root aside, who may read our memory anyway) is refused with a 403 before its
 * request is looked at, token or not.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { otherUserOf } from '../net/loopback-peer.js';
import type { SessionCredentials } from '../credentials.js';
import { toRfc3339 } from '../output/rfc3339.js';
import { MfaLoginError } from '../errors.js';

export const LOOPBACK = '127.0.0.1';

/** Why a request could not be answered with credentials: sent to the client and logged. */
export interface EndpointFailure {
  status: number;
  code: string;
  message: string;
}

export interface EndpointOptions {
  /** 0 (the default) lets the system pick a free port. */
  port?: number;
  /** Credentials for one request. Concurrent requests share one call (see `shared`). */
  credentials: () => Promise<SessionCredentials>;
  /** How a failed `credentials()` is told to the client; its message must hold no secret. */
  explain: (error: unknown) => EndpointFailure;
  /** A line for the endpoint's stderr. Never given a secret. */
  log: (line: string) => void;
}

export interface Endpoint {
  /** The value for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** The value for AWS_CONTAINER_AUTHORIZATION_TOKEN: random, this endpoint's only. */
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Concurrent callers share one pending promise (as the SDK's `memoize` does): Terraform asks from
 * every provider at once, and 32 requests for a cold role session must cost one AssumeRole, not
 * 32 waits on the cache's lease. Once settled, the next caller starts a new call, which the session
 * cache answers in a few milliseconds while the session lasts.
 */
export function shared<T>(call: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= call().finally(() => {
      pending = undefined;
    }));
}

/** The body the SDKs parse: note `Token`, where credential_process says `SessionToken`. */
export function formatContainerCredentials(c: SessionCredentials): string {
  return JSON.stringify({ AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: toRfc3339(c.expiration) });
}

/** Equal-time comparison: digests first, so neither the length nor a prefix of the token leaks. */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export async function startEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const token = randomBytes(32).toString('base64url');
  const credentials = shared(options.credentials);
  const me = process.getuid?.();
  /** Each user refused is logged once: a loop of requests must not fill the log. */
  const refusedUsers = new Set<number>();
  /** Looked up once per connection (keep-alive carries many requests), in the socket table. */
  const peers = new WeakMap<Socket, number | undefined>();
  // Where the system does not say who connected, the token alone decides.
  const otherUser = (socket: Socket): number | undefined => {
    if (!peers.has(socket)) peers.set(socket, otherUserOf(socket, me));
    return peers.get(socket);
  };

  const send = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  };
  const refuse = (res: ServerResponse, f: EndpointFailure, extra: Record<string, string> = {}) => send(res, f.status, JSON.stringify({ code: f.code, message: f.message }), extra);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const stranger = otherUser(req.socket);
    if (stranger !== undefined) {
      if (!refusedUsers.has(stranger)) options.log(`refused a connection of user id ${stranger} (only user id ${me} is served)`);
      refusedUsers.add(stranger);
      return refuse(res, { status: 403, code: 'Forbidden', message: 'this endpoint serves only the user who started it' });
    }
    const auth = req.headers.authorization;
    if (auth === undefined) return refuse(res, { status: 401, code: 'Unauthorized', message: 'this endpoint needs its token in the Authorization header' });
    if (!tokenMatches(auth, token)) return refuse(res, { status: 403, code: 'Forbidden', message: 'wrong token' });
    if (req.method !== 'GET') return refuse(res, { status: 405, code: 'MethodNotAllowed', message: 'only GET is served' }, { Allow: 'GET' });
    try {
      send(res, 200, formatContainerCredentials(await credentials()));
    } catch (e) {
      const f = options.explain(e);
      options.log(`request refused (${f.status} ${f.code}): ${f.message}`);
      refuse(res, f);
    }
  };

  const server = createServer((req, res) => {
    // The body is never read: a GET has none, and nothing here would use one.
    req.resume();
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, { status: 500, code: 'InternalError', message: 'internal error' });
      else res.destroy();
    });
  });
  // A client that opens a connection and sends nothing must not hold it forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10 * 60_000;

  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      // Any user may listen on a loopback port: another program, perhaps another user's, has it.
      if (e.code === 'EADDRINUSE' && options.port) {
        reject(new MfaLoginError('E_USAGE', `port ${options.port} on ${LOOPBACK} is taken by another program (perhaps another user's); nothing was started`, { hint: `leave out --port to get a free port, or see what listens there: ss -ltnp 'sport = :${options.port}'` }));
      } else reject(e);
    };
    server.once('error', failed);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}/`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
