import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MFA_ENV, MFA_LOGIN, Sandbox, user, runCommand } from './harness.js';

const runBounded = (bin: string, args: string[], env: Record<string, string | undefined>, limitMs: number, input = '') => runCommand(process.execPath, [bin, ...args], sb.env(env), { limitMs, input });

/**
 * Every command that calls STS goes where the profile's STS settings (and their environment forms)
 * say, as the AWS CLI would: shown by the host the SDK resolved (--debug prints it), or by the
 * local STS counting the call. And an STS that never answers ends in a bounded time.
 */
const alice = user('alice');
const SERIAL = alice.mfaDevices[0]!.serial;
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
let sb: Sandbox;
let silent: net.Server;
const held = new Set<net.Socket>();

before(async () => {
  sb = await new Sandbox([alice]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${SERIAL}\n`);
  await sb.add('alice', alice);
  // Accepts every connection and never says a word.
  silent = net.createServer((s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
});
after(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
  for (const mode of ['agent', 'file']) await sb.run(['logout', '--all'], { env: { MFA_LOGIN_CACHE: mode } });
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

const KEYS_ON_STDIN = `${alice.accessKeyId}\n${alice.secretAccessKey}\n`;
/** Each command that calls STS, as a user runs it: `t` is a role reached from alice, `u` an IAM user to add. */
const COMMANDS: [name: string, bin: string, args: string[], input?: string][] = [
  ['add', MFA_LOGIN, ['add', 'u', '--yes'], KEYS_ON_STDIN],
  ['login', MFA_LOGIN, ['t']],
  ['credential-process', MFA_LOGIN, ['credential-process', 't']],
  ['mfa-env', MFA_ENV, ['t']],
  ['exec', MFA_LOGIN, ['exec', 't', '--', 'true']],
  ['session', MFA_LOGIN, ['session', 't']],
];
/** No endpoint from the environment: the settings below decide. Nothing is reachable but the names are resolved. */
const NO_ENDPOINT = { AWS_ENDPOINT_URL: undefined, AWS_REGION: undefined, MFA_LOGIN_STS_TIMEOUT: '3', MFA_LOGIN_CACHE: 'none' };
const SETTINGS: [why: string, profile: string, env: Record<string, string>, host: string][] = [
  ['use_fips_endpoint = true', 'use_fips_endpoint = true\n', {}, 'sts-fips.us-east-1.amazonaws.com'],
  ['AWS_USE_FIPS_ENDPOINT=true', '', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'sts-fips.us-east-1.amazonaws.com'],
  ['AWS_USE_FIPS_ENDPOINT=false over use_fips_endpoint', 'use_fips_endpoint = true\n', { AWS_USE_FIPS_ENDPOINT: 'false' }, 'sts.us-east-1.amazonaws.com'],
  ['region = eu-west-1 with use_fips_endpoint', 'region = eu-west-1\nuse_fips_endpoint = true\n', {}, 'sts-fips.eu-west-1.amazonaws.com'],
  ['AWS_REGION over region', 'region = eu-west-1\n', { AWS_REGION: 'ap-south-1' }, 'sts.ap-south-1.amazonaws.com'],
  ['region over an AWS_REGION mfa-login exported', 'region = eu-west-1\n', { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ap-south-1', MFA_LOGIN_EXPORTED_REGION: 'ap-south-1' }, 'sts.eu-west-1.amazonaws.com'],
  ['sts_regional_endpoints = legacy', 'sts_regional_endpoints = legacy\n', {}, 'sts.amazonaws.com'],
  ['AWS_STS_REGIONAL_ENDPOINTS=regional over legacy', 'sts_regional_endpoints = legacy\n', { AWS_STS_REGIONAL_ENDPOINTS: 'regional' }, 'sts.us-east-1.amazonaws.com'],
];

for (const [why, profile, env, host] of SETTINGS) {
  test(`${why}: every command calls ${host}`, async () => {
    // The role's STS settings reach the MFA session's call too (the source profile has none).
    sb.write('.aws/config', `[profile alice]\nmfa_serial = ${SERIAL}\n[profile t]\nrole_arn = ${ROLE}\nsource_profile = alice\n${profile}[profile u]\n${profile}`);
    for (const [name, bin, args, input] of COMMANDS) {
      const r = await runBounded(bin, [...args, '--debug'], { ...NO_ENDPOINT, ...env, MFA_LOGIN_MFA_TOKEN: '123456' }, 60_000, input);
      const hosts = [...r.stderr.matchAll(/debug: request to (\S+)/g)].map((m) => m[1]);
      assert.ok(hosts.length > 0, `${name}: no request made:\n${r.stderr}`);
      assert.deepEqual([...new Set(hosts)], [host], `${name}: ${why}`);
      assert.equal(r.killed, false, `${name} hung`);
    }
  });
}

const LOCAL_SETTINGS: [why: string, profile: (url: string) => string, env: (url: string) => Record<string, string>][] = [
  ['endpoint_url in the profile', (url) => `endpoint_url = ${url}\n`, () => ({})],
  ['AWS_ENDPOINT_URL_STS', () => '', (url) => ({ AWS_ENDPOINT_URL_STS: url })],
  ['AWS_ENDPOINT_URL_STS over a FIPS profile', () => 'use_fips_endpoint = true\n', (url) => ({ AWS_ENDPOINT_URL_STS: url })],
];
for (const [why, profile, env] of LOCAL_SETTINGS) {
  test(`${why}: add and login call the STS it names`, async () => {
    const url = sb.sts.url;
    sb.write('.aws/config', `[profile alice]\nmfa_serial = ${SERIAL}\n[profile t]\nrole_arn = ${ROLE}\nsource_profile = alice\n${profile(url)}[profile u]\nmfa_serial = ${SERIAL}\n${profile(url)}`);
    const base = { AWS_ENDPOINT_URL: undefined, MFA_LOGIN_CACHE: 'none', ...env(url) };
    sb.sts.resetCalls();
    const added = await runBounded(MFA_LOGIN, ['add', 'u', '--yes'], base, 60_000, KEYS_ON_STDIN);
    assert.equal(added.status, 0, added.stderr);
    assert.equal(sb.sts.calls.GetCallerIdentity, 1, 'add called this STS');
    sb.sts.resetCalls();
    const login = await runBounded(MFA_LOGIN, ['t', '--mfa-token', await sb.code(alice)], base, 60_000);
    assert.equal(login.status, 0, login.stderr);
    assert.deepEqual({ ...sb.sts.calls }, { GetSessionToken: 1, AssumeRole: 1 }, 'login called this STS');
  });
}

test('doctor checks the clock against the endpoint of the default profile (use_fips_endpoint)', async () => {
  sb.write('.aws/config', `[default]\nmfa_serial = ${SERIAL}\nuse_fips_endpoint = true\n`);
  const r = await runBounded(MFA_LOGIN, ['doctor'], { AWS_ENDPOINT_URL: undefined, AWS_REGION: undefined }, 60_000);
  assert.match(r.stdout, /clock: .*STS at https:\/\/sts-fips\.us-east-1\.amazonaws\.com/);
});

for (const mode of ['file', 'agent']) {
  test(`an STS that accepts and never answers: credential-process exits 6 within MFA_LOGIN_STS_TIMEOUT (${mode} cache), and the next call is not held by a lease`, async (t) => {
    sb.write('.aws/config', `[profile alice]\nmfa_serial = ${SERIAL}\n`);
    const { port } = silent.address() as net.AddressInfo;
    const env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, MFA_LOGIN_STS_TIMEOUT: '2', MFA_LOGIN_LOCK_TIMEOUT: '120', MFA_LOGIN_CACHE: mode };
    for (const call of ['first', 'second']) {
      const r = await runBounded(MFA_LOGIN, ['credential-process', 'alice', '--mfa-token', '123456'], env, 90_000);
      assert.equal(r.killed, false, `${call} call hung`);
      assert.equal(r.status, 6, `${call} call: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^mfa-login: cannot reach STS at http://127\\.0\\.0\\.1:${port} \\(no answer within 2 s \\(MFA_LOGIN_STS_TIMEOUT\\)\\)\n  hint: `));
      // 2 s for the call, plus a Node start and the SDK's load on a busy machine; far below the lock timeout.
      assert.ok(r.ms < 30_000, `${call} call took ${r.ms} ms`);
      t.diagnostic(`${mode} cache, ${call} call: exit ${r.status} after ${r.ms} ms`);
    }
  });
}
