import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GetCallerIdentityCommand, GetSessionTokenCommand, AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { expectedSignature, formatAmzDate, parseAuthorization, type AuthorizationHeader } from '../../src/aws-stand-in/sigv4.js';
import { aliceKeys, harnessForTests, keysOf, READ_ONLY, type Keys } from './harness.js';

const INVALID_TOKEN = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
const EXPIRED = { name: 'ExpiredToken', message: 'The security token included in the request is expired' };

/** A hand-signed POST, for looking at the raw HTTP answer the SDK would hide. */
async function rawPost(url: string, body: string, keys: Keys, signedAtMs: number, service = 'sts'): Promise<Response> {
  const amzDate = formatAmzDate(signedAtMs);
  const host = new URL(url).host;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host,
    'x-amz-date': amzDate,
  };
  if (keys.sessionToken) headers['x-amz-security-token'] = keys.sessionToken;
  const signed = Object.keys(headers).sort();
  const auth: AuthorizationHeader = {
    accessKeyId: keys.accessKeyId,
    date: amzDate.slice(0, 8),
    region: 'us-east-1',
    service,
    signedHeaders: signed,
    signature: '',
  };
  const rawHeaders = Object.entries(headers).flat();
  const signature = expectedSignature({ method: 'POST', path: '/', query: '', rawHeaders, body: Buffer.from(body) }, auth, amzDate, keys.secretAccessKey);
  const authorization = `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${auth.date}/us-east-1/${service}/aws4_request, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  assert.ok(!('error' in parseAuthorization(authorization)));
  const { host: _host, ...sent } = headers;
  return fetch(url, { method: 'POST', headers: { ...sent, authorization }, body });
}

/** Makes an SDK client send its query as a GET query string instead of a form body. */
function sendAsGet(client: STSClient): STSClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method: string; body?: unknown; query: Record<string, string>; headers: Record<string, string> };
      request.query = Object.fromEntries(new URLSearchParams(String(request.body)));
      request.method = 'GET';
      request.body = undefined;
      delete request.headers['content-type'];
      delete request.headers['content-length'];
      return next(args);
    },
    { step: 'build', name: 'sendAsGet' },
  );
  return client;
}

describe('request signing and credentials', () => {
  const h = harnessForTests();

  test('an unknown access key is an invalid token', async () => {
    await assert.rejects(
      h.stsClient({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: aliceKeys.secretAccessKey }).send(new GetCallerIdentityCommand({})),
      INVALID_TOKEN,
    );
  });

  test('a wrong secret is a signature mismatch', async () => {
    await assert.rejects(
      h.stsClient({ ...aliceKeys, secretAccessKey: aliceKeys.secretAccessKey.replace('/', '+') }).send(new GetCallerIdentityCommand({})),
      {
        name: 'SignatureDoesNotMatch',
        message: /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key/,
      },
    );
  });

  test('session keys need their own session token', async () => {
    const one = keysOf((await h.stsClient().send(new GetSessionTokenCommand({}))).Credentials);
    const two = keysOf((await h.stsClient().send(new GetSessionTokenCommand({}))).Credentials);
    await h.stsClient(one).send(new GetCallerIdentityCommand({}));
    await assert.rejects(h.stsClient({ ...one, sessionToken: undefined }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN);
    await assert.rejects(h.stsClient({ ...one, sessionToken: two.sessionToken }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN);
  });

  test('long-term keys sent with a (stale) session token are refused', async () => {
    await assert.rejects(h.stsClient({ ...aliceKeys, sessionToken: 'left-over-from-yesterday' }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN);
  });

  test('session and role credentials expire by the server clock', async () => {
    const session = keysOf((await h.stsClient().send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
    const role = keysOf((await h.stsClient(session).send(new AssumeRoleCommand({ RoleArn: READ_ONLY, RoleSessionName: 'rr', DurationSeconds: 900 }))).Credentials);
    h.clock.ms += 895_000;
    await h.stsClient(session).send(new GetCallerIdentityCommand({}));
    await h.stsClient(role).send(new GetCallerIdentityCommand({}));
    h.clock.ms += 6_000;
    await assert.rejects(h.stsClient(session).send(new GetCallerIdentityCommand({})), EXPIRED);
    await assert.rejects(h.stsClient(role).send(new GetCallerIdentityCommand({})), EXPIRED);
    await assert.rejects(h.stsClient(session).send(new AssumeRoleCommand({ RoleArn: READ_ONLY, RoleSessionName: 'rr' })), EXPIRED);
  });

  test('a signature more than 5 minutes off the server clock is refused either way', async () => {
    const behind = h.clock.ms - Date.now() - 6 * 60_000;
    await assert.rejects(h.stsClient(aliceKeys, { clockOffsetMs: behind }).send(new GetCallerIdentityCommand({})), {
      name: 'SignatureDoesNotMatch',
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    });
    const ahead = h.clock.ms - Date.now() + 6 * 60_000;
    await assert.rejects(h.stsClient(aliceKeys, { clockOffsetMs: ahead }).send(new GetCallerIdentityCommand({})), {
      name: 'SignatureDoesNotMatch',
      message: /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
    });
    // Four minutes off is inside the window.
    await h.stsClient(aliceKeys, { clockOffsetMs: h.clock.ms - Date.now() - 4 * 60_000 }).send(new GetCallerIdentityCommand({}));
  });

  test('the SDK corrects a wrong local clock from the response Date header and retries', async () => {
    // The SDK only believes the server when the server is more than 4 minutes off the local clock.
    const saved = h.clock.ms;
    h.clock.ms = Date.now() + 30 * 60_000;
    try {
      const client = h.stsClient(aliceKeys, { maxAttempts: 3, clockOffsetMs: 0 });
      const identity = await client.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.$metadata.attempts, 2);
    } finally {
      h.clock.ms = saved;
    }
  });

  test('GET with the parameters in the query string works too', async () => {
    const identity = await sendAsGet(h.stsClient()).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, 'arn:aws:iam::111111111111:user/alice');
    const out = await sendAsGet(h.stsClient()).send(new AssumeRoleCommand({ RoleArn: READ_ONLY, RoleSessionName: 'get@x' }));
    assert.equal(out.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/ReadOnly/get@x');
  });

  test('a request signed for another service is refused', async () => {
    const res = await rawPost(h.sts.url, 'Action=GetCallerIdentity&Version=2011-06-15', aliceKeys, h.clock.ms, 's3');
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: 'sts'\. <\/Message>/);
  });
});

describe('the raw HTTP answers', () => {
  const h = harnessForTests();
  before(() => {
    // A fixed simulated time, far from the real clock, to see it come back in the Date header.
    h.clock.ms = Date.UTC(2031, 4, 6, 7, 8, 9, 500);
  });

  test('a success is <ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>', async () => {
    const res = await rawPost(h.sts.url, 'Action=GetCallerIdentity&Version=2011-06-15', aliceKeys, h.clock.ms);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/xml');
    assert.equal(res.headers.get('date'), 'Tue, 06 May 2031 07:08:09 GMT');
    const requestId = res.headers.get('x-amzn-requestid')!;
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    const xml = await res.text();
    assert.match(xml, /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult>/);
    assert.ok(xml.includes('<Arn>arn:aws:iam::111111111111:user/alice</Arn>'));
    assert.ok(xml.includes(`</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`));
  });

  test('session credentials carry Expiration in whole seconds, ISO 8601 UTC', async () => {
    const res = await rawPost(h.sts.url, 'Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600', aliceKeys, h.clock.ms);
    assert.match(await res.text(), /<Expiration>2031-05-06T08:08:09Z<\/Expiration>/);
  });

  test('an error is <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/>', async () => {
    const res = await fetch(h.sts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    assert.equal(res.status, 403);
    const requestId = res.headers.get('x-amzn-requestid');
    assert.equal(
      await res.text(),
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
        '<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error>' +
        `<RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );
  });

  test('an unknown action or version is InvalidAction (400)', async () => {
    const res = await rawPost(h.sts.url, 'Action=AssumeRoleWithSAML&Version=2011-06-15', aliceKeys, h.clock.ms);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidAction<\/Code><Message>Could not find operation AssumeRoleWithSAML for version 2011-06-15<\/Message>/);
    const old = await rawPost(h.sts.url, 'Action=GetCallerIdentity&Version=2010-01-01', aliceKeys, h.clock.ms);
    assert.equal(old.status, 400);
  });

  test('calls counts every request by Action and log keeps no secrets', async () => {
    const { calls, log } = h.sts;
    h.sts.resetCalls();
    const session = await rawPost(h.sts.url, 'Action=GetSessionToken&Version=2011-06-15', aliceKeys, h.clock.ms);
    const token = /<SessionToken>([^<]+)<\/SessionToken>/.exec(await session.text())![1]!;
    await rawPost(h.sts.url, 'Action=GetSessionToken&Version=2011-06-15&TokenCode=12a', aliceKeys, h.clock.ms);
    await rawPost(h.sts.url, 'Action=GetCallerIdentity&Version=2011-06-15', { ...aliceKeys, secretAccessKey: 'x' }, h.clock.ms);
    assert.deepEqual(h.sts.calls, { GetSessionToken: 2, GetCallerIdentity: 1 });
    assert.deepEqual(h.sts.log, [
      // `mfa`: what the signed-in caller carried; absent when the signature failed.
      { action: 'GetSessionToken', accessKeyId: aliceKeys.accessKeyId, status: 200, mfa: false },
      { action: 'GetSessionToken', accessKeyId: aliceKeys.accessKeyId, status: 400, errorCode: 'ValidationError', mfa: false },
      { action: 'GetCallerIdentity', accessKeyId: aliceKeys.accessKeyId, status: 403, errorCode: 'SignatureDoesNotMatch' },
    ]);
    const logged = JSON.stringify(h.sts.log);
    assert.ok(!logged.includes(aliceKeys.secretAccessKey) && !logged.includes(token));
    h.sts.resetCalls();
    assert.equal(h.sts.calls, calls);
    assert.equal(h.sts.log, log);
    assert.deepEqual(calls, {});
    assert.deepEqual(log, []);
  });
});
