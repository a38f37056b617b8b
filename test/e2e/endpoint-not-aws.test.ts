/**
 * STS or IAM answered by something that is not AWS: a server's HTML error page, a 200 with
 * garbage, a proxy's 502. The SDK fails to read such an answer in its own words ("@aws-sdk XML
 * parse error ... Deserialization error: ... {error}.$response"); the user is told which service
 * at which URL answered with what is not an AWS response, exit 6, and never that AWS "refused".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sandbox, user } from './harness.js';

const alice = user('alice');
const SERIAL = alice.mfaDevices[0]!.serial;
let sb: Sandbox;
let server: http.Server;
let base: string;

/** What each path of the stand-in answers, whatever the request. */
const ANSWERS: Record<string, { status: number; type: string; body: string }> = {
  '/html-500': { status: 500, type: 'text/html', body: '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The server encountered an internal error.<br></body></html>' },
  '/garbage-200': { status: 200, type: 'text/plain', body: 'hello, this is not XML {' },
  '/page-200': { status: 200, type: 'text/html', body: '<html><body><p>Sign in to the guest Wi-Fi</p></body></html>' },
  '/proxy-502': { status: 502, type: 'text/html', body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' },
};

before(async () => {
  sb = await new Sandbox([alice]).start();
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${SERIAL}\n`);
  await sb.add('alice', alice);
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = ANSWERS[(req.url ?? '').replace(/\/$/, '')] ?? { status: 404, type: 'text/plain', body: 'not found' };
      res.writeHead(a.status, { 'content-type': a.type });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // One MFA session, cached in files, for the IAM calls that need it (rotate).
  const session = await sb.run(['session', 'alice', '--mfa-token', await sb.code(alice)], { env: { MFA_LOGIN_CACHE: 'file' } });
  assert.equal(session.status, 0, session.stderr);
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await sb.run(['logout', '--all'], { env: { MFA_LOGIN_CACHE: 'file' } });
  await sb.stop();
});

/** The SDK's words, which must never reach the user. */
const SDK_WORDS = /@aws-sdk|XML parse|Deserialization|\$response|\{error\}|Unknown/;

function assertNotAws(r: { status: number | null; stdout: string; stderr: string }, service: 'STS' | 'IAM', url: string, status: number, label: string): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(r.status, 6, `${label}: exit status; stderr: ${r.stderr}`);
  assert.equal(lines[0], `mfa-login: ${service} at ${url} answered with something that is not an AWS response (HTTP ${status})`, `${label}: ${r.stderr}`);
  assert.ok(lines.length === 2 && lines[1]!.startsWith('  hint: '), `${label}: one line and a hint:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /refused/i, label);
  assert.doesNotMatch(r.stderr, SDK_WORDS, label);
  assert.equal(r.stdout, '', label);
}

for (const [path, answer] of Object.entries(ANSWERS)) {
  test(`STS answered by ${path.slice(1)}: login, credential-process and add say so, exit 6`, async () => {
    const url = `${base}${path}`;
    const env = { AWS_ENDPOINT_URL_STS: url, MFA_LOGIN_CACHE: 'none' };
    const login = await sb.run(['alice', '--mfa-token', '123456'], { env });
    assertNotAws(login, 'STS', url, answer.status, 'login');
    const cp = await sb.run(['credential-process', 'alice', '--mfa-token', '123456'], { env });
    assertNotAws(cp, 'STS', url, answer.status, 'credential-process');
    const add = await sb.run(['add', 'bob', '--yes'], { env, input: `${alice.accessKeyId}\n${alice.secretAccessKey}\n` });
    assertNotAws(add, 'STS', url, answer.status, 'add');
  });

  test(`IAM answered by ${path.slice(1)}: rotate says so, exit 6, and the stored key is untouched`, async () => {
    const url = `${base}${path}`;
    const r = await sb.run(['rotate', 'alice'], { env: { AWS_ENDPOINT_URL_IAM: url, MFA_LOGIN_CACHE: 'file' } });
    assertNotAws(r, 'IAM', url, answer.status, 'rotate');
    const list = await sb.run(['list', '--json'], {});
    assert.equal(JSON.parse(list.stdout).map((k: { profile: string }) => k.profile).join(','), 'alice');
  });
}

test('--debug still shows what the SDK made of it, for whoever needs the details', async () => {
  const url = `${base}/html-500`;
  const r = await sb.run(['rotate', 'alice', '--debug'], { env: { AWS_ENDPOINT_URL_IAM: url, MFA_LOGIN_CACHE: 'file' } });
  assert.equal(r.status, 6, r.stderr);
  assert.match(r.stderr, new RegExp(`debug: IAM at ${url.replace(/[.]/g, '\\.')} answered HTTP 500, which the AWS SDK could not read as AWS's: @aws-sdk XML parse error`));
});

test('an AWS refusal from the same kind of endpoint is still said as a refusal', async () => {
  // The local STS answers with AWS's own error XML: a wrong code is AWS refusing it.
  const r = await sb.run(['alice', '--mfa-token', '000000'], { env: { AWS_ENDPOINT_URL_STS: sb.sts.url, MFA_LOGIN_CACHE: 'none' } });
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /^mfa-login: STS refused the MFA code for /);
});
