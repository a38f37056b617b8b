import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { formatContainerCredentials, shared, startEndpoint, tokenMatches, type Endpoint, type EndpointOptions } from '../../src/endpoint/server.js';
import type { SessionCredentials } from '../../src/credentials.js';

const CREDS: SessionCredentials = { accessKeyId: 'ASIAENDPOINT', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date('2025-06-01T13:00:00Z') };
const open: Endpoint[] = [];
after(() => Promise.all(open.map((e) => e.close())));

async function endpoint(options: Partial<EndpointOptions> = {}) {
  const log: string[] = [];
  let calls = 0;
  const e = await startEndpoint({
    credentials: async () => (calls++, CREDS),
    explain: (err) => ({ status: 503, code: 'E_MFA_NO_SOURCE', message: (err as Error).message }),
    log: (line) => void log.push(line),
    ...options,
  });
  open.push(e);
  return { e, log, calls: () => calls };
}

const ask = (e: Endpoint, headers: Record<string, string> = { Authorization: e.token }, method = 'GET') => fetch(e.url, { method, headers });

test('the body the SDKs read: Token, not SessionToken, and the expiry in RFC 3339', () => {
  assert.deepEqual(JSON.parse(formatContainerCredentials(CREDS)), { AccessKeyId: 'ASIAENDPOINT', SecretAccessKey: 'secret', Token: 'token', Expiration: '2025-06-01T13:00:00Z' });
});

test('tokens compare whole: a prefix, a longer one or another do not match', () => {
  assert.equal(tokenMatches('abc', 'abc'), true);
  for (const other of ['ab', 'abcd', 'abd', '']) assert.equal(tokenMatches(other, 'abc'), false, other);
});

test('concurrent callers share one pending call; once settled, the next starts a new one', async () => {
  let calls = 0;
  let finish!: (v: number) => void;
  const once = shared(() => (calls++, new Promise<number>((r) => (finish = r))));
  const a = once();
  const b = once();
  finish(7);
  assert.deepEqual(await Promise.all([a, b]), [7, 7]);
  assert.equal(calls, 1);
  const c = once();
  finish(8);
  assert.equal(await c, 8);
  assert.equal(calls, 2);
  const failing = shared(async () => Promise.reject(new Error('no')));
  await assert.rejects(failing(), /no/);
  await assert.rejects(failing(), /no/);
});

test('on loopback, with its token: credentials; without it, or with another, or not a GET: refused, nothing else', async () => {
  const { e, calls } = await endpoint();
  assert.match(e.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(e.url, `http://127.0.0.1:${e.port}/`);
  assert.match(e.token, /^[\w-]{43}$/);
  const good = await ask(e);
  assert.equal(good.status, 200);
  assert.equal(good.headers.get('cache-control'), 'no-store');
  assert.equal((await good.json() as { AccessKeyId: string }).AccessKeyId, 'ASIAENDPOINT');
  const none = await ask(e, {});
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { code: 'Unauthorized', message: 'this endpoint needs its token in the Authorization header' });
  const wrong = await ask(e, { Authorization: `${e.token}x` });
  assert.equal(wrong.status, 403);
  assert.deepEqual(await wrong.json(), { code: 'Forbidden', message: 'wrong token' });
  const post = await ask(e, { Authorization: e.token }, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
  assert.equal(calls(), 1);
});

test('credentials that cannot be had: the explained status and message to the client, and a line in the log', async () => {
  const { e, log } = await endpoint({ credentials: async () => Promise.reject(new Error('a code is needed')) });
  const r = await ask(e);
  assert.equal(r.status, 503);
  assert.deepEqual(await r.json(), { code: 'E_MFA_NO_SOURCE', message: 'a code is needed' });
  assert.deepEqual(log, ['request refused (503 E_MFA_NO_SOURCE): a code is needed']);
});

test('a port that is taken: a usage error naming it, with what to do', async () => {
  const { e } = await endpoint();
  await assert.rejects(endpoint({ port: e.port }), (err: unknown) => {
    assert.ok(err instanceof MfaLoginError);
    assert.equal(err.code, 'E_USAGE');
    assert.equal(err.exitStatus, EXIT.usage);
    assert.equal(err.message, `port ${e.port} on 127.0.0.1 is taken by another program (perhaps another user's); nothing was started`);
    assert.equal(err.hint, `leave out --port to get a free port, or see what listens there: ss -ltnp 'sport = :${e.port}'`);
    return true;
  });
});

test('closed: nothing answers any more', async () => {
  const { e } = await endpoint();
  await e.close();
  await assert.rejects(ask(e));
});
