/**
 * The federation endpoint (signin.aws.amazon.com/federation), as far as console sign-in needs it:
 *
 * - `GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}`
 *   [&SessionDuration=900..43200]: the session must be a live role (AssumeRole) or federated user
 *   (GetFederationToken) session this server issued, keys and token matching. Answers
 *   `{"SigninToken": "..."}`, good for 15 minutes. As at AWS: credentials from GetSessionToken
 *   are refused (they cannot open the console), and so is a SessionDuration with a role session
 *   that came from role chaining (AWS knowledge center, "invalid-credentials-parameter": HTTP 400
 *   "Invalid credentials parameter"). The rules and their sources are in aws-rules.ts.
 * - `GET /federation?Action=login&SigninToken=...&Destination=...`: redirects to
 *   `/federation/console`, a page that names the signed-in role and the destination, standing in
 *   for the console.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerArn } from './identity.js';
import type { ServerState } from './state.js';

export const FEDERATION_PATH = '/federation';
const SIGNIN_TOKEN_MS = 15 * 60 * 1000;

/** Handles a request under /federation; returns the action, for the server's log. */
export function federation(req: IncomingMessage, res: ServerResponse, state: ServerState, nowMs: number): { action: string; status: number } {
  const url = new URL(req.url ?? '/', 'http://local');
  const q = url.searchParams;
  const fail = (status: number, message: string) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<html><head><title>HTTP Status ${status}</title></head><body><h1>HTTP Status ${status} - ${escapeHtml(message)}</h1></body></html>`);
    return status;
  };

  if (url.pathname === `${FEDERATION_PATH}/console`) {
    const session = state.signinTokens.get(`console:${q.get('s') ?? ''}`);
    if (session === undefined) return { action: 'console', status: fail(403, 'not signed in') };
    const destination = q.get('Destination') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html><head><title>AWS Management Console</title></head><body><h1 id="role">Signed in as ${escapeHtml(session.arn)}</h1><p id="destination">${escapeHtml(destination)}</p></body></html>`,
    );
    return { action: 'console', status: 200 };
  }
  if (url.pathname !== FEDERATION_PATH || req.method !== 'GET') return { action: '(invalid)', status: fail(404, 'not found') };

  const action = q.get('Action') ?? '';
  if (action === 'getSigninToken') {
    let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
    try {
      session = JSON.parse(q.get('Session') ?? '') as typeof session;
    } catch {
      return { action, status: fail(400, 'Invalid credentials parameter') };
    }
    const key = typeof session.sessionId === 'string' ? state.keys.get(session.sessionId) : undefined;
    if (key === undefined || key.secretAccessKey !== session.sessionKey || key.sessionToken === undefined || key.sessionToken !== session.sessionToken) {
      return { action, status: fail(400, 'Invalid credentials parameter') };
    }
    if (key.expiresAt !== undefined && nowMs >= key.expiresAt) return { action, status: fail(400, 'Invalid credentials parameter') };
    // Role sessions (AssumeRole) and federated users (GetFederationToken) sign in here; GetSessionToken
    // credentials do not ("Compare AWS STS credentials": no SSO to the console).
    if (!(key.kind === 'role' && key.role !== undefined) && key.kind !== 'federated') return { action, status: fail(400, 'Invalid credentials parameter') };
    const duration = q.get('SessionDuration');
    if (duration !== null) {
      const n = Number(duration);
      if (!/^\d+$/.test(duration) || n < 900 || n > 43200) return { action, status: fail(400, 'Invalid SessionDuration parameter') };
      if (key.chained) return { action, status: fail(400, 'Invalid credentials parameter') };
    }
    const token = randomBytes(48).toString('base64url');
    state.signinTokens.set(token, { arn: callerArn(key), expiresAt: nowMs + SIGNIN_TOKEN_MS });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ SigninToken: token }));
    return { action, status: 200 };
  }
  if (action === 'login') {
    const signin = state.signinTokens.get(q.get('SigninToken') ?? '');
    const destination = q.get('Destination');
    if (signin === undefined || nowMs >= signin.expiresAt) return { action, status: fail(400, 'Invalid SigninToken') };
    if (destination === null || !/^https:\/\//.test(destination)) return { action, status: fail(400, 'Invalid Destination') };
    // The console session, in place of the console's cookie.
    const s = randomBytes(16).toString('hex');
    state.signinTokens.set(`console:${s}`, { arn: signin.arn, expiresAt: nowMs + 3600_000 });
    res.writeHead(302, { Location: `${FEDERATION_PATH}/console?s=${s}&Destination=${encodeURIComponent(destination)}` }).end();
    return { action, status: 302 };
  }
  return { action: action === '' ? '(none)' : '(invalid)', status: fail(400, 'Invalid Action') };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
