/**
 * The local credential endpoint (`exec --server`, `serve`) as real consumers use it: the AWS CLI
 * v2, botocore (Debian's python3-boto3) and the AWS SDK for JavaScript v3's default chain, each
 * finding it through AWS_CONTAINER_CREDENTIALS_FULL_URI and its token, and calling the local STS
 * with what it answered.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { AWS_CLI, ROOT, MFA_LOGIN as MFA_LOGIN_CLI, requireComponent, runCommand, type Sandbox, type TestUser } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, ASSUMED_ROLE } from './kit.js';
import { createServer } from 'node:net';

let sb: Sandbox;
let alice: TestUser;
const PYTHON = '/usr/bin/python3';

before(async () => {
  ({ sb, alice } = await prodSandbox());
  // One code for the whole file: the MFA session stays cached, and each test that wants a cold
  // role session forgets only that (a fresh code per test would wait for the next 30 s step).
  const warm = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(warm.status, 0, warm.stderr);
});
after(async () => sb?.stop());

const hasBoto3 = () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

/** `mfa-login exec --server prod -- ...` as a user types it, with the role session forgotten first. */
async function execServer(command: string[], extra: Record<string, string> = {}) {
  assert.equal((await sb.run(['logout', 'prod'])).status, 0);
  return runCommand(process.execPath, [MFA_LOGIN_CLI, 'exec', '--server', 'prod', '--', ...command], sb.env(extra), { cwd: ROOT });
}

test('exec --server: the command gets the endpoint and its token, and no keys or profile', async () => {
  // A code in MFA_LOGIN_MFA_TOKEN is ours alone, like the key file's passphrase (the MFA session is cached: it is not used).
  const r = await execServer(['env'], { AWS_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'AKIAOUTER0000000000X', AWS_SECRET_ACCESS_KEY: 'outer', AWS_SESSION_TOKEN: 'outer', MFA_LOGIN_MFA_TOKEN: '123456' });
  assert.equal(r.status, 0, r.stderr);
  const env = new Map(r.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.match(env.get('AWS_CONTAINER_CREDENTIALS_FULL_URI') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN') ?? '', /^[\w-]{43}$/);
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'MFA_LOGIN_FILE_PASSPHRASE', 'MFA_LOGIN_MFA_TOKEN', 'MFA_LOGIN_INTERNAL_NO_CORE']) assert.equal(env.has(k), false, `${k} must not reach the command`);
  assert.equal(env.get('AWS_REGION'), 'us-east-1', "the caller's own AWS_REGION (the sandbox's) wins over the profile's");
  assert.equal(env.get('MFA_LOGIN_PROFILE'), 'prod');
});

test('exec --server: the AWS CLI v2 calls STS as the role through the endpoint', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  const r = await execServer([AWS_CLI, 'sts', 'get-caller-identity', '--endpoint-url', sb.sts.url, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match((JSON.parse(r.stdout) as { Arn: string }).Arn, ASSUMED_ROLE);
});

test('exec --server: botocore (python3-boto3) calls STS as the role through the endpoint', async (t) => {
  const skip = requireComponent(hasBoto3(), 'botocore (Debian python3-boto3 for /usr/bin/python3)');
  if (skip) return t.skip(skip);
  const script = `import boto3, os, json
s = boto3.session.Session()
c = s.get_credentials()
print(json.dumps({"method": c.method, "arn": s.client("sts", endpoint_url=os.environ["LOCAL_STS_URL"]).get_caller_identity()["Arn"]}))`;
  const r = await execServer([PYTHON, '-c', script], { LOCAL_STS_URL: sb.sts.url });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { method: string; arn: string };
  assert.equal(got.method, 'container-role', 'botocore found the credentials at the container endpoint');
  assert.match(got.arn, ASSUMED_ROLE);
});

test('exec --server: the JS SDK v3 default chain calls STS as the role through the endpoint', async () => {
  const script = `
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const sts = new STSClient({ endpoint: process.env.LOCAL_STS_URL, credentials: fromNodeProviderChain() });
const id = await sts.send(new GetCallerIdentityCommand({}));
process.stdout.write(JSON.stringify({ arn: id.Arn }));`;
  const r = await execServer([process.execPath, '--input-type=module', '-e', script], { LOCAL_STS_URL: sb.sts.url });
  assert.equal(r.status, 0, r.stderr);
  assert.match((JSON.parse(r.stdout) as { arn: string }).arn, ASSUMED_ROLE);
});

test('exec --server passes on the exit status and ends the endpoint with the command', async () => {
  const r = await execServer(['sh', '-c', 'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; exit 7']);
  assert.equal(r.status, 7, r.stderr);
  const url = r.stdout.trim();
  await assert.rejects(get(url, {}), /ECONNREFUSED/, 'nothing listens once the command has ended');
});

interface Served {
  child: ChildProcess;
  url: string;
  token: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `mfa-login serve prod` in the background (no terminal), until its two variables are printed. */
async function startServe(args: string[] = [], extra: Record<string, string> = {}): Promise<Served> {
  // Started with core dumps allowed (the soft limit raised as far as the hard one lets it), as in a
  // user's shell where they are on, so that turning them off is something serve has to do.
  const child = spawn('/bin/sh', ['-c', 'ulimit -S -c unlimited 2>/dev/null; exec "$@"', 'sh', process.execPath, MFA_LOGIN_CLI, 'serve', 'prod', '--shell', 'sh', ...args], { env: sb.env(extra), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const vars = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no variables within 60 s; stderr: ${err}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const found = Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
      if (found.AWS_CONTAINER_CREDENTIALS_FULL_URI && found.AWS_CONTAINER_AUTHORIZATION_TOKEN) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before printing the variables: ${err}`));
    });
  });
  assert.match(out, /^unset AWS_ACCESS_KEY_ID$/m, 'keys left in the shell would win over the endpoint');
  assert.match(out, /^unset AWS_PROFILE$/m);
  return { child, url: vars.AWS_CONTAINER_CREDENTIALS_FULL_URI!, token: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN!, stderr: () => err, exited };
}

async function stop(s: Served): Promise<number | null> {
  if (s.child.exitCode === null) s.child.kill('SIGTERM');
  const bound = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  try {
    return await s.exited;
  } finally {
    clearTimeout(bound);
  }
}

function get(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end();
  });
}

test('serve: 401 without the token, 403 with a wrong one, 405 for anything but GET; nothing else given', async () => {
  const s = await startServe([]);
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const none = await get(s.url, {});
    assert.equal(none.status, 401);
    const wrong = await get(s.url, { Authorization: `${s.token.slice(0, -1)}x` });
    assert.equal(wrong.status, 403);
    const post = await get(s.url, { Authorization: s.token }, 'POST');
    assert.equal(post.status, 405);
    for (const r of [none, wrong, post]) {
      assert.deepEqual(Object.keys(JSON.parse(r.body) as object), ['code', 'message']);
      assert.doesNotMatch(r.body, /AccessKeyId|ASIA/);
    }
    const ok = await get(s.url, { Authorization: s.token });
    assert.equal(ok.status, 200, ok.body);
    const c = JSON.parse(ok.body) as Record<string, string>;
    assert.deepEqual(Object.keys(c), ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.ok(Date.parse(c.Expiration!) - Date.now() >= 15 * 60_000, 'never less than 15 minutes of validity');
    assert.doesNotMatch(s.stderr(), new RegExp(c.SecretAccessKey!.replace(/[+/]/g, '.')), 'no secret on the endpoint\'s stderr');
    assert.doesNotMatch(s.stderr(), new RegExp(s.token), 'the token is printed once, on stdout');
  } finally {
    assert.equal(await stop(s), 0, 'SIGTERM stops it cleanly');
  }
});

test('serve: another user with the right token is refused (403, a JSON error), and the refusal is logged', async (t) => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return t.skip('needs root on Linux to connect as another user');
  const s = await startServe([]);
  try {
    // User 65534 (nobody) has the token, as someone who read it from a file or an environment would.
    const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', 'fetch(process.argv[1], { headers: { Authorization: process.argv[2] } }).then(async (r) => console.log(r.status, await r.text()), (e) => console.log(e.message))', s.url, s.token], { cwd: '/', encoding: 'utf8', timeout: 60_000 });
    const [status, ...body] = asNobody.stdout.trim().split(' ');
    assert.equal(status, '403', asNobody.stdout + asNobody.stderr);
    const refused = JSON.parse(body.join(' ')) as Record<string, string>;
    assert.deepEqual(Object.keys(refused), ['code', 'message']);
    assert.equal(refused.code, 'Forbidden');
    assert.doesNotMatch(body.join(' '), /AccessKeyId|ASIA/);
    // The endpoint's log reaches us on its own stream, after the answer.
    for (const until = Date.now() + 30_000; !/refused a connection/.test(s.stderr()) && Date.now() < until; ) await new Promise((ok) => setTimeout(ok, 50));
    assert.match(s.stderr(), /^mfa-login: endpoint for prod: refused a connection of user id 65534 \(only user id 0 is served\)$/m);
    // This user, with the same token, is served.
    const ok = await get(s.url, { Authorization: s.token });
    assert.equal(ok.status, 200, ok.body);
  } finally {
    await stop(s);
  }
});

test('serve: 32 parallel requests with a cold role session cost one AssumeRole and get one answer', async () => {
  const s = await startServe([]);
  try {
    // The role session serve obtained at its start is forgotten; the MFA session behind it stays.
    assert.equal((await sb.run(['logout', 'prod'])).status, 0);
    sb.sts.resetCalls();
    const answers = await Promise.all(Array.from({ length: 32 }, () => get(s.url, { Authorization: s.token })));
    assert.deepEqual(answers.map((a) => a.status), Array(32).fill(200));
    assert.equal(new Set(answers.map((a) => a.body)).size, 1, '32 identical answers');
    assert.equal(sb.sts.calls.AssumeRole, 1);
    assert.equal(sb.sts.calls.GetSessionToken ?? 0, 0);
  } finally {
    await stop(s);
  }
});

test('serve: the endpoint process cannot dump core (prlimit, and the shell re-run without it)', async (t) => {
  const raised = spawnSync('/bin/sh', ['-c', 'ulimit -S -c unlimited 2>/dev/null; ulimit -S -c'], { encoding: 'utf8' }).stdout.trim();
  if (raised === '0') {
    const skip = requireComponent(false, 'a hard core-file limit above 0 (to start serve with core dumps on)');
    if (skip) return t.skip(skip);
  }
  const s = await startServe([]);
  try {
    assert.match(readFileSync(`/proc/${s.child.pid}/limits`, 'utf8'), /^Max core file size\s+0\s/m);
  } finally {
    await stop(s);
  }
  // A PATH without prlimit: it runs itself again under `ulimit -c 0`; the endpoint is that child.
  const r = await startServe([], { PATH: '/nonexistent' });
  try {
    // The line naming the pid follows the variables on the other stream.
    for (const until = Date.now() + 30_000; !/\(pid \d+\)/.test(r.stderr()) && Date.now() < until; ) await new Promise((ok) => setTimeout(ok, 50));
    const pid = Number(/\(pid (\d+)\)/.exec(r.stderr())?.[1]);
    assert.ok(pid > 0 && pid !== r.child.pid, r.stderr());
    assert.match(readFileSync(`/proc/${pid}/limits`, 'utf8'), /^Max core file size\s+0\s/m);
    const ok = await get(r.url, { Authorization: r.token });
    assert.equal(ok.status, 200);
  } finally {
    assert.equal(await stop(r), 0, 'SIGTERM reaches the re-run and it stops cleanly');
  }
});

test('--port: serves on the port asked for; a bad one is a usage error', async () => {
  const free = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const s = await startServe(['--port', String(free)]);
  try {
    assert.equal(s.url, `http://127.0.0.1:${free}/`);
    assert.equal((await get(s.url, { Authorization: s.token })).status, 200);
  } finally {
    await stop(s);
  }
  // Someone else listens there (any user may, on loopback): refused with one line, nothing served.
  const holder = createServer().listen(free, '127.0.0.1');
  try {
    await new Promise((resolve) => holder.once('listening', resolve));
    const taken = await sb.run(['serve', 'prod', '--shell', 'sh', '--port', String(free)]);
    assert.equal(taken.status, 2, taken.stderr);
    assert.equal(taken.stdout, '', 'no variables for an endpoint that never listened');
    assert.equal(taken.stderr, `mfa-login: port ${free} on 127.0.0.1 is taken by another program (perhaps another user's); nothing was started\n  hint: leave out --port to get a free port, or see what listens there: ss -ltnp 'sport = :${free}'\n`);
  } finally {
    holder.close();
  }
  const bad = await sb.run(['serve', 'prod', '--port', 'http']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^mfa-login: --port "http" is not a port from 1024 to 65535\n/);
  const noServer = await sb.run(['exec', 'prod', '--port', '9999', '--', 'true']);
  assert.equal(noServer.status, 2);
  assert.match(noServer.stderr, /--port needs --server/);
});

test('serve: an error is JSON the SDKs understand, and its reason is on stderr without a secret', async () => {
  const served = await startServe([]);
  try {
    // Both sessions go; the next request needs a code that no one can give (no terminal, no display).
    await sb.run(['logout', '--all']);
    const r = await get(served.url, { Authorization: served.token });
    assert.equal(r.status, 503);
    const body = JSON.parse(r.body) as { code: string; message: string };
    assert.equal(body.code, 'E_MFA_NO_SOURCE');
    assert.match(body.message, /an MFA code is needed for prod/);
    assert.match(served.stderr(), /endpoint for prod: request refused \(503 E_MFA_NO_SOURCE\): an MFA code is needed for prod/);
  } finally {
    await stop(served);
  }
  // At the start, the same is the command's own one-line failure, before anything listens.
  const s = spawnSync(process.execPath, [MFA_LOGIN_CLI, 'serve', 'prod'], { env: sb.env({ MFA_LOGIN_PROMPT: 'none' }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(s.status, 5);
  assert.equal(s.stdout, '', 'no variables for an endpoint that never listened');
  assert.match(s.stderr, /^mfa-login: an MFA code is needed for prod and MFA_LOGIN_PROMPT=none allows no prompt; /);
});
