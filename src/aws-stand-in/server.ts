/**
 * A local STS (plus the sliver of IAM an MFA broker touches) on loopback, speaking the AWS
 * Query protocol that both the AWS SDK for JavaScript v3 and the AWS CLI v2 use for these
 * services: form-encoded POST (or GET) with `Action` and `Version`, SigV4-signed, XML back.
 * Under /federation it is also the console sign-in endpoint (federation.ts).
 *
 * A stand-in for AWS, not part of mfa-login's way to AWS: the tests and `mfa-login demo` run
 * against it. It imports from the product only what AWS and mfa-login share (RFC 6238 codes).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  expiredToken,
  incompleteSignature,
  internalFailure,
  invalidAction,
  invalidClientTokenId,
  missingAction,
  missingAuthenticationToken,
  signatureDoesNotMatch,
  StsFault,
} from './faults.js';
import { checkIamCaller, iamActions } from './iam-actions.js';
import { federation, FEDERATION_PATH } from './federation.js';
import type { KeyRecord } from './identity.js';
import { IAM_SIGNING_REGION, parseRoleArn, partitionOf, partitionOfRegion } from './identity.js';
import {
  expectedSignature,
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  signatureMatches,
  type SignedRequest,
} from './sigv4.js';
import { DEFAULT_NEW_KEY_DELAY_MS, ServerState } from './state.js';
import { stsActions, type ActionHandler } from './sts-actions.js';
import { base32Decode } from '../mfa/totp.js';
import type { LocalSts, LocalStsLogEntry, LocalStsOptions } from './types.js';
import { actionResponse, errorResponse, IAM_NAMESPACE, STS_NAMESPACE } from './xml.js';

export type * from './types.js';

/** AWS refuses a request whose signing time is further than this from its own clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 256 * 1024;

interface Service {
  version: string;
  namespace: string;
  actions: Record<string, ActionHandler>;
  admit?: (context: Parameters<ActionHandler>[0]) => void;
}

const SERVICES: Record<string, Service> = {
  sts: { version: '2011-06-15', namespace: STS_NAMESPACE, actions: stsActions },
  iam: { version: '2010-05-08', namespace: IAM_NAMESPACE, actions: iamActions, admit: checkIamCaller },
};

export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  checkFixture(options);
  const now = options.now ?? Date.now;
  const state = new ServerState(options.users, options.roles ?? [], options.allowCodeReuse === true, options.roleSessionSecondsCap, options.newKeyDelayMs ?? DEFAULT_NEW_KEY_DELAY_MS);
  const calls: Record<string, number> = {};
  const log: LocalStsLogEntry[] = [];

  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0]!.startsWith(FEDERATION_PATH)) {
      const { action, status } = federation(req, res, state, now());
      const name = /^[A-Za-z]+$/.test(action) ? action : '(invalid)';
      calls[name] = (Object.hasOwn(calls, name) ? calls[name]! : 0) + 1;
      log.push({ action: name, accessKeyId: '', status });
      req.resume();
      return;
    }
    readBody(req)
      .then(async (body) => {
        const entry = await respond(req, res, body, state, now());
        calls[entry.action] = (Object.hasOwn(calls, entry.action) ? calls[entry.action]! : 0) + 1;
        log.push(entry);
      })
      .catch(() => {
        res.statusCode = 413;
        res.end();
      });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    calls,
    log,
    resetCalls() {
      // Cleared in place: tests keep references to `calls` and `log`.
      for (const key of Object.keys(calls)) delete calls[key];
      log.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; without this, close() waits for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}

/** Handles one complete request and says what to record about it. */
async function respond(req: IncomingMessage, res: ServerResponse, body: Buffer, state: ServerState, nowMs: number): Promise<LocalStsLogEntry> {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const request: SignedRequest = {
    method: req.method ?? 'GET',
    path: queryStart < 0 ? target : target.slice(0, queryStart),
    query: queryStart < 0 ? '' : target.slice(queryStart + 1),
    rawHeaders: req.rawHeaders,
    body,
  };
  const params = new URLSearchParams(request.query);
  if (request.method === 'POST' && /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
  }
  const action = params.get('Action') ?? '';
  const auth = req.headers.authorization ? parseAuthorization(req.headers.authorization) : undefined;
  const signed = auth && !('error' in auth) ? auth : undefined;
  // Errors are written in the namespace of the service the client meant, so its parser finds them.
  const service =
    signed && Object.hasOwn(SERVICES, signed.service)
      ? SERVICES[signed.service]!
      : params.get('Version') === SERVICES.iam!.version
        ? SERVICES.iam!
        : SERVICES.sts!;
  const requestId = randomUUID();
  const entry: LocalStsLogEntry = {
    // Only plain operation names become keys of `calls`, never `__proto__` and the like.
    action: /^[A-Za-z][A-Za-z0-9]*$/.test(action) ? action : action === '' ? '(none)' : '(invalid)',
    accessKeyId: signed?.accessKeyId ?? '',
    status: 200,
  };

  res.setHeader('Date', new Date(nowMs).toUTCString());
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('Content-Type', 'text/xml');
  try {
    const caller = authenticate(req, request, auth, state, nowMs);
    entry.mfa = caller.mfa;
    if (caller.scope?.tags !== undefined) entry.principalTags = { ...caller.scope.tags };
    if (action === '') throw missingAction();
    const version = params.get('Version') ?? service.version;
    const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    if (version !== service.version || !handler) throw invalidAction(action, version);
    const context = { caller, params, nowMs, state, entry };
    service.admit?.(context);
    res.end(actionResponse(action, service.namespace, await handler(context), requestId));
  } catch (error) {
    const fault = error instanceof StsFault ? error : internalFailure();
    if (!(error instanceof StsFault)) console.error('local-sts:', error);
    entry.status = fault.status;
    entry.errorCode = fault.code;
    res.statusCode = fault.status;
    res.end(errorResponse(service.namespace, fault, requestId));
  }
  return entry;
}

/** Finds who signed the request and checks the signature as AWS would, in AWS's order. */
function authenticate(
  req: IncomingMessage,
  request: SignedRequest,
  auth: ReturnType<typeof parseAuthorization> | undefined,
  state: ServerState,
  nowMs: number,
): KeyRecord {
  if (!auth) throw missingAuthenticationToken();
  if ('error' in auth) throw incompleteSignature(auth.error);
  const header = req.headers.authorization!;

  const amzDateHeader = req.headers['x-amz-date'];
  const dateHeader = typeof amzDateHeader === 'string' ? amzDateHeader : req.headers.date;
  const signedAt = dateHeader === undefined ? undefined : parseAmzDate(dateHeader);
  if (signedAt === undefined) {
    throw incompleteSignature(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
    );
  }
  // The string to sign carries X-Amz-Date verbatim; a plain Date header is converted.
  const amzDate = typeof amzDateHeader === 'string' ? amzDateHeader : formatAmzDate(signedAt);

  const key = state.keys.get(auth.accessKeyId);
  if (!key) throw invalidClientTokenId();
  // Each partition is a separate AWS with its own keys: a GovCloud key signed for us-east-1 reaches
  // the commercial STS, which has never heard of it.
  if (partitionOfRegion(auth.region) !== partitionOf(key.user)) throw invalidClientTokenId();
  // Session keys are only valid together with the token they were issued with, and long-term
  // keys with none: a stale AWS_SESSION_TOKEN left next to long-term keys fails like this at AWS.
  if (req.headers['x-amz-security-token'] !== key.sessionToken) throw invalidClientTokenId();
  if (key.expiresAt !== undefined && nowMs >= key.expiresAt) throw expiredToken();
  if (key.activeFrom !== undefined && nowMs < key.activeFrom) throw invalidClientTokenId();

  if (auth.date !== amzDate.slice(0, 8)) {
    throw signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (!Object.hasOwn(SERVICES, auth.service)) {
    throw signatureDoesNotMatch(`Credential should be scoped to correct service: 'sts'. `);
  }
  // IAM has one endpoint per partition, which takes signatures for one region only.
  if (auth.service === 'iam' && auth.region !== IAM_SIGNING_REGION[partitionOfRegion(auth.region)]) {
    throw signatureDoesNotMatch(`Credential should be scoped to a valid region, not '${auth.region}'. `);
  }
  if (signedAt < nowMs - MAX_CLOCK_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} - 5 min.)`,
    );
  }
  if (signedAt > nowMs + MAX_CLOCK_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} + 5 min.)`,
    );
  }
  if (!signatureMatches(expectedSignature(request, auth, amzDate, key.secretAccessKey), auth.signature)) {
    throw signatureDoesNotMatch();
  }
  return key;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Fails early, naming the entry, on a fixture that could only produce confusing answers later. */
function checkFixture(options: LocalStsOptions): void {
  const keyIds = new Set<string>();
  for (const user of options.users) {
    if (!user.userName || !/^\d{12}$/.test(user.accountId ?? '') || !user.accessKeyId || !user.secretAccessKey) {
      throw new Error(`local-sts: user ${JSON.stringify(user.userName)} needs userName, a 12-digit accountId, accessKeyId and secretAccessKey`);
    }
    if (keyIds.has(user.accessKeyId)) throw new Error(`local-sts: access key ${user.accessKeyId} is given to two users`);
    keyIds.add(user.accessKeyId);
    for (const device of user.mfaDevices ?? []) {
      try {
        if (base32Decode(device.seed).length === 0) throw new Error('empty');
      } catch {
        throw new Error(`local-sts: MFA device ${device.serial} of user ${user.userName} has a seed that is not base32`);
      }
    }
  }
  for (const role of options.roles ?? []) {
    if (!parseRoleArn(role.roleArn)) throw new Error(`local-sts: ${JSON.stringify(role.roleArn)} is not a role ARN`);
  }
}
