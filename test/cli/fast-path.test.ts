import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { MFA_ENV, MFA_LOGIN, ROOT, Sandbox, runCommand, settled, user } from '../e2e/harness.js';
import type { LocalStsOptions } from '../../src/aws-stand-in/types.js';
import { settingsFrom } from '../../src/settings.js';

/**
 * The cached path is a shortcut, not a second implementation: every form a shell hook or a tool
 * uses is answered by it (nothing else loaded), and what it prints is what the full CLI prints.
 */
const ivy = user('ivy');
/** The region test's own user (and code sequence). */
const rae = user('rae');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const FAST = path.join(ROOT, 'dist/bundle/fast.cjs');
let sb: Sandbox;

async function sandbox(options: Partial<LocalStsOptions> = {}): Promise<Sandbox> {
  const s = await new Sandbox([ivy, rae]).start({ roles: [{ roleArn: ROLE, requireMfa: true }], ...options });
  await s.add('ivy', ivy);
  await s.add('rae', rae);
  s.write('.aws/config', `[profile ivy]\nmfa_serial = ${ivy.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = ivy\nregion = eu-west-1\n`);
  return s;
}

// Codes are not what these tests are about: the STS takes one again, so no test waits for the next
// TOTP step. The one test that passes a code more than once has an STS of its own that does not.
before(async () => {
  sb = await sandbox({ allowCodeReuse: true });
});
after(() => sb.stop());

const FORMS: Array<{ tool: 'mfa-login' | 'mfa-env'; args: string[]; env?: Record<string, string> }> = [
  { tool: 'mfa-login', args: ['credential-process', 'prod'] },
  { tool: 'mfa-env', args: ['prod'] },
  { tool: 'mfa-env', args: ['prod', '--shell', 'bash'] },
  { tool: 'mfa-env', args: ['--shell=fish', 'prod'] },
  { tool: 'mfa-env', args: ['prod', '--shell', 'pwsh'] },
  { tool: 'mfa-env', args: ['prod', '--shell', 'nu'] },
  { tool: 'mfa-env', args: [], env: { AWS_PROFILE: 'prod' } },
];

/** A process that runs the fast path alone (no bin script, nothing else to load): exit 0 when it answered, 9 when it handed over. */
const fastAlone = (tool: string, args: string[]) => ['-e', `Promise.resolve(require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(tool)}, ${JSON.stringify(args)})).then((ok) => { process.exitCode = ok ? 0 : 9; })`];

for (const mode of ['runtime', 'file', 'agent'] as const) {
  test(`${mode} mode: every cached form is answered by the fast path alone, the same as the full CLI answers it`, async () => {
    const env = { MFA_LOGIN_CACHE: mode, SHELL: '/bin/bash' };
    const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env });
    assert.equal(r.status, 0, r.stderr);
    for (const f of FORMS) {
      const e = sb.env({ ...env, ...f.env });
      // The fast path on its own, in a process that loads nothing else: it must answer.
      const fast = await runCommand(process.execPath, fastAlone(f.tool, f.args), e);
      assert.equal(fast.status, 0, `${f.tool} ${f.args.join(' ')}: the fast path handed over (${fast.stderr})`);
      // The full CLI (--debug is not a form the fast path takes) prints the same.
      const full = f.tool === 'mfa-login' ? await sb.run([...f.args, '--debug'], { env: { ...env, ...f.env } }) : await sb.run([...f.args, '--debug'], { env: { ...env, ...f.env }, bin: MFA_ENV });
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stderr, /debug: using the cached session of/, 'the full CLI read the same cache');
      assert.equal(fast.stdout, full.stdout, `${f.tool} ${f.args.join(' ')}`);
    }
  });
}

test('a test hook set (MFA_LOGIN_TEST_*): the cached path hands over, and the full CLI answers with one warning line naming it and how to unset it', async () => {
  const env = { MFA_LOGIN_CACHE: 'file', SHELL: '/bin/bash' };
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env });
  assert.equal(r.status, 0, r.stderr);
  const plain = await sb.run(['credential-process', 'prod'], { env });
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stderr, '');
  const hooks = { MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS: '60', MFA_LOGIN_TEST_WARNING_LEAD_SECONDS: '60', MFA_LOGIN_TEST_PAUSE_AT: 'created' };
  for (const [name, value] of Object.entries(hooks)) {
    const e = { ...env, [name]: value };
    const fast = await runCommand(process.execPath, fastAlone('mfa-login', ['credential-process', 'prod']), sb.env(e));
    assert.equal(fast.status, 9, `${name}: the fast path answered`);
    const full = await sb.run(['credential-process', 'prod'], { env: e });
    assert.equal(full.status, 0, full.stderr);
    assert.equal(full.stdout, plain.stdout);
    assert.equal(full.stderr, `mfa-login: warning: ${name} is set, for mfa-login's own tests only: sessions, warnings or rotate do not behave as they should; unset ${name}\n`);
  }
  const all = await sb.run(['prod'], { env: { ...env, ...hooks }, bin: MFA_ENV });
  assert.equal(all.status, 0, all.stderr);
  assert.equal(all.stderr, `mfa-env: warning: ${Object.keys(hooks).join(', ')} are set, for mfa-login's own tests only: sessions, warnings or rotate do not behave as they should; unset ${Object.keys(hooks).join(' ')}\n`, 'one line, once');
});

test('the region: the user\'s, the profile\'s over one mfa-login exported, or none; the cached path answers each as the full CLI does', async (t) => {
  const config = readFileSync(sb.file('.aws/config'), 'utf8');
  t.after(() => writeFileSync(sb.file('.aws/config'), config));
  writeFileSync(sb.file('.aws/config'), `${config}[profile rae]\nmfa_serial = ${rae.mfaDevices[0]!.serial}\n[profile rae-prod]\nrole_arn = ${ROLE}\nsource_profile = rae\nregion = eu-west-1\n`);
  await settled();
  const r = await sb.run(['session', 'rae-prod', '--mfa-token', await sb.code(rae)]);
  assert.equal(r.status, 0, r.stderr);
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const ours = { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ap-south-1', [M]: 'ap-south-1' };
  const cases: Array<[why: string, profile: string, env: Record<string, string | undefined>, lines: string[]]> = [
    ['the user\'s AWS_REGION', 'rae-prod', { AWS_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'"]],
    ['the user\'s AWS_DEFAULT_REGION', 'rae-prod', { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'"]],
    ['one mfa-login exported: the profile\'s instead', 'rae-prod', ours, ["export AWS_REGION='eu-west-1'", "export AWS_DEFAULT_REGION='eu-west-1'", `export ${M}='eu-west-1'`]],
    ['one the user set over it', 'rae-prod', { ...ours, AWS_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'", `unset ${M}`]],
    ['one mfa-login exported, and a profile with none', 'rae', ours, ['unset AWS_REGION', 'unset AWS_DEFAULT_REGION', `unset ${M}`]],
  ];
  for (const [why, profile, env, lines] of cases) {
    const full = await sb.run([profile, '--shell', 'bash'], { bin: MFA_ENV, env });
    assert.equal(full.status, 0, `${why}: ${full.stderr}`);
    assert.deepEqual(full.stdout.split('\n').filter((l) => l.includes('REGION') && !l.includes('MFA_LOGIN_SAVED')), lines, why);
    const fast = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', [${JSON.stringify(profile)}, '--shell', 'bash']) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', ...env }));
    assert.equal(fast.status, 0, `${why}: the fast path handed over (${fast.stderr})`);
    assert.equal(fast.stdout, full.stdout, why);
  }
  assert.equal((await sb.run(['logout', 'rae'])).status, 0);
});

test('mfa-env --unset (mfa-use --off) is answered by the fast path through the full CLI\'s function: the same lines, whatever the shell holds', async () => {
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const envs: Array<[why: string, env: Record<string, string | undefined>]> = [
    ['nothing saved: the shell\'s own stay', { AWS_PROFILE: 'mine', AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY0000000001' }],
    ['after an export', { MFA_LOGIN_SAVED: '{"AWS_PROFILE":"mine"}', AWS_ACCESS_KEY_ID: 'ASIAEXPORTED00000001', AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }],
    ['inside exec', { MFA_LOGIN_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'ASIAEXEC000000000001', AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }],
  ];
  for (const args of [['--unset'], ['--unset', '--shell', 'fish'], ['--shell=pwsh', '--unset'], ['--unset', '--shell=nu']]) {
    for (const [why, env] of envs) {
      const e = { SHELL: '/bin/bash', MFA_LOGIN_SAVED: undefined, MFA_LOGIN_PROFILE: undefined, [M]: undefined, ...env };
      const fast = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ${JSON.stringify(args)}) ? 0 : 9`], sb.env(e));
      assert.equal(fast.status, 0, `${args.join(' ')}, ${why}: the fast path handed over (${fast.stderr})`);
      const full = await sb.run([...args, '--debug'], { env: e, bin: MFA_ENV });
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stdout, /MFA_LOGIN_SAVED/);
      assert.equal(fast.stdout, full.stdout, `${args.join(' ')}, ${why}`);
    }
  }
  // A bad setting is the full CLI's to report, as for every other call.
  const bad = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ['--unset']) ? 0 : 9`], sb.env({ MFA_LOGIN_CACHE: 'nosuch' }));
  assert.equal(bad.status, 9);
});

test('anything the fast path does not handle plainly goes to the full CLI: other flags, a miss (in the agent too), a bad --shell', async () => {
  const cases: Array<{ tool: string; args: string[]; env?: Record<string, string> }> = [
    { tool: 'mfa-login', args: ['credential-process', 'prod', '--debug'] },
    { tool: 'mfa-env', args: ['prod', '--shell', 'tcsh'] },
    { tool: 'mfa-env', args: ['prod', '--unset'] },
    { tool: 'mfa-env', args: ['nosuch'] },
    { tool: 'mfa-login', args: ['credential-process', 'ivy'], env: { MFA_LOGIN_CACHE: 'agent' } },
    { tool: 'mfa-login', args: ['credential-process', 'prod'], env: { MFA_LOGIN_CACHE: 'none' } },
  ];
  for (const c of cases) {
    const r = await runCommand(process.execPath, fastAlone(c.tool, c.args), sb.env(c.env));
    assert.equal(r.status, 9, `${c.tool} ${c.args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stdout, '');
  }
});

test('agent mode: the route is kept in the agent; a changed STS environment, a logout, a stopped agent or a killed one (its socket left behind) send the call to the full CLI', async () => {
  const env = { MFA_LOGIN_CACHE: 'agent', SHELL: '/bin/bash' };
  const fast = (extra: Record<string, string> = {}) => runCommand(process.execPath, fastAlone('mfa-login', ['credential-process', 'prod']), sb.env({ ...env, ...extra }));
  const agentPid = async () => {
    const s = await sb.run(['agent', 'status'], { env });
    const m = /running \(pid (\d+)\)/.exec(s.stdout);
    assert.ok(m, s.stdout);
    return Number(m[1]);
  };
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env })).status, 0);
  const hit = await fast();
  assert.equal(hit.status, 0, hit.stderr);
  assert.equal(hit.stdout, (await sb.run(['credential-process', 'prod', '--debug'], { env })).stdout);
  assert.equal((await fast({ AWS_REGION: 'eu-west-2' })).status, 9, 'another STS environment');
  // Under --pending-deprecation the pipe binding it speaks through would print a warning: it does not ask.
  const pending = await fast({ NODE_OPTIONS: '--pending-deprecation' });
  assert.equal(pending.status, 9, 'under --pending-deprecation');
  assert.equal(pending.stderr, '', 'no deprecation warning');
  // Stopped: it accepts the connection and never answers; the fast path gives up within its bound.
  const pid = await agentPid();
  process.kill(pid, 'SIGSTOP');
  try {
    const stopped = await fast();
    assert.equal(stopped.status, 9, 'a stopped agent');
    assert.equal(stopped.stdout, '');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  assert.equal((await fast()).status, 0, 'resumed, it answers again');
  assert.equal((await sb.run(['logout', 'prod'], { env })).status, 0);
  assert.equal((await fast()).status, 9, 'after logout: the routes went with the sessions');
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env })).status, 0);
  assert.equal((await fast()).status, 0);
  const killed = await agentPid();
  process.kill(killed, 'SIGKILL');
  await waitGone(killed);
  const socket = settingsFrom(sb.env(env), sb.env().HOME!, { os: 'linux', uid: process.getuid?.() }).cache.socket;
  assert.ok(existsSync(socket), 'the killed agent left its socket');
  const stale = await fast();
  assert.equal(stale.status, 9, 'a socket nobody listens at');
  assert.equal(stale.stdout, '');
});

/** Waits (bounded) for a killed process to be gone. */
async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`process ${pid} did not end`);
}

test('agent mode: only an agent behind a socket in the user\'s own private directory is asked, and only a plain hit from it is an answer', async (t) => {
  // A stand-in agent in this process, answering what the test says: the fast path cannot tell it from ours.
  const runtime = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-fakeagent-'));
  const dir = path.join(runtime, 'mfa-login');
  mkdirSync(dir, { mode: 0o700 });
  const requests: string[] = [];
  let reply: string | undefined;
  const server = net.createServer((conn) => {
    conn.setEncoding('utf8').on('data', (d: string) => {
      requests.push(d);
      if (reply !== undefined) conn.write(reply);
    });
    conn.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'agent.sock'), resolve));
  t.after(() => {
    server.close();
    rmSync(runtime, { recursive: true, force: true });
  });
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  const forged = { kind: 'role', profiles: ['prod'], subject: ROLE, credentials: { accessKeyId: 'ASIAFORGED0000000001', secretAccessKey: 'forged', sessionToken: 'forged', expiration } };
  const fast = () => runCommand(process.execPath, fastAlone('mfa-login', ['credential-process', 'prod']), sb.env({ MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: runtime }));
  // The limit: what listens in the user's private directory was put there by the user, and is asked.
  reply = `${JSON.stringify({ ok: true, session: forged, accountId: '222222222222' })}\n`;
  const asked = await fast();
  assert.equal(asked.status, 0, asked.stderr);
  assert.equal(JSON.parse(asked.stdout).AccessKeyId, 'ASIAFORGED0000000001');
  assert.equal(requests.length, 1);
  const request = JSON.parse(requests[0]!) as { op: string; probe: { profile: string } };
  assert.equal(request.op, 'answer-route');
  assert.equal(request.probe.profile, 'prod');
  assert.doesNotMatch(requests[0]!, /AKIA|secret/i, 'the request carries no secret');
  const misses: Array<[why: string, reply: string | undefined]> = [
    ['a miss', `${JSON.stringify({ ok: true, session: null })}\n`],
    ['an agent from before the request existed', `${JSON.stringify({ ok: false, error: 'unknown op' })}\n`],
    ['a session that ends too soon', `${JSON.stringify({ ok: true, session: { ...forged, credentials: { ...forged.credentials, expiration: new Date(Date.now() + 60_000).toISOString() } } })}\n`],
    ['not JSON', 'garbage\n'],
    ['no answer at all', undefined],
  ];
  for (const [why, r] of misses) {
    reply = r;
    const got = await fast();
    assert.equal(got.status, 9, why);
    assert.equal(got.stdout, '', why);
  }
  // A directory someone else could have put the socket in: the fast path does not connect at all.
  reply = `${JSON.stringify({ ok: true, session: forged })}\n`;
  const refused: Array<[why: string, make: () => void, undo: () => void]> = [
    ['open to others', () => chmodSync(dir, 0o755), () => chmodSync(dir, 0o700)],
    ['another user\'s', () => chownSync(dir, 65534, 65534), () => chownSync(dir, process.getuid!(), process.getgid!())],
  ];
  for (const [why, make, undo] of refused) {
    const count: number = requests.length;
    make();
    try {
      const got = await fast();
      assert.equal(got.status, 9, why);
      assert.equal(got.stdout, '', why);
    } finally {
      undo();
    }
    assert.equal(requests.length, count, `${why}: the agent was not asked`);
  }
});

test('agent mode: a socket path longer than Unix sockets take is never connected to, by the cached path or the full CLI (cut short, it leads to another path)', async (t) => {
  // `base` stands for a directory others can write to, such as /tmp; the runtime directory in it is the user's own.
  const base = mkdtempSync(path.join(os.tmpdir(), 'mfl-long-'));
  const runtime = path.join(base, 'r'.repeat(100));
  mkdirSync(path.join(runtime, 'mfa-login'), { recursive: true, mode: 0o700 });
  chmodSync(runtime, 0o700);
  const socket = path.join(runtime, 'mfa-login', 'agent.sock');
  // Cut to the 108 bytes of sun_path, with no room for the NUL: what libuv connects to.
  const cut = Buffer.from(socket).subarray(0, 108).toString();
  assert.ok(!cut.startsWith(`${runtime}/`), 'the cut path is outside the private directory');
  const requests: string[] = [];
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  const forged = { kind: 'role', profiles: ['prod'], subject: ROLE, credentials: { accessKeyId: 'ASIAFORGED0000000002', secretAccessKey: 'forged', sessionToken: 'forged', expiration } };
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    conn.setEncoding('utf8').on('data', (d: string) => {
      requests.push(d);
      conn.write(`${JSON.stringify({ ok: true, session: forged, pid: 1, sessions: 1 })}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(cut, resolve));
  t.after(() => {
    server.close();
    rmSync(base, { recursive: true, force: true });
  });
  const env = { MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: runtime };
  const fast = await runCommand(process.execPath, fastAlone('mfa-login', ['credential-process', 'prod']), sb.env(env));
  assert.equal(fast.status, 9, fast.stderr);
  assert.equal(fast.stdout, '');
  const status = await sb.run(['agent', 'status'], { env });
  assert.notEqual(status.status, 0);
  assert.match(status.stderr, /longer than Unix sockets allow \(107 bytes\)\n  hint: set XDG_RUNTIME_DIR to a shorter private directory/, status.stderr);
  assert.equal(status.stdout, '');
  assert.deepEqual(requests, [], 'nothing was sent to the cut path');
});

test('the cached path answers only while the config files and the STS environment are as they were when the full path last answered', async () => {
  const config = readFileSync(sb.file('.aws/config'), 'utf8');
  const fast = (args: string[], env: Record<string, string> = {}, tool = 'mfa-env') =>
    runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(tool)}, ${JSON.stringify(args)}) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', AWS_REGION: undefined, ...env }));
  // No region in the environment (the sandbox has one), so the answer carries the config's.
  const noRegion = { AWS_REGION: undefined };
  try {
    assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env: noRegion })).status, 0);
    const before = await fast(['prod']);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stdout, /^export AWS_REGION='eu-west-1'$/m);
    // Anything a session's key or the answer depends on sends it to the full CLI.
    assert.equal((await fast(['prod'], { AWS_REGION: 'eu-west-2' })).status, 9, 'AWS_REGION');
    assert.equal((await fast(['prod'], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' })).status, 9, 'AWS_ENDPOINT_URL_STS');
    assert.equal((await fast(['prod'], { AWS_CONFIG_FILE: sb.file('.aws/other') })).status, 9, 'AWS_CONFIG_FILE');
    assert.equal((await fast(['ivy'])).status, 9, 'a profile the full path has not answered for');
    // The same size, rewritten in place: the region the tools are given changes.
    writeFileSync(sb.file('.aws/config'), config.replace('region = eu-west-1', 'region = eu-west-2'));
    assert.equal((await fast(['prod'])).status, 9, 'a changed config');
    assert.equal((await fast(['credential-process', 'prod'], {}, 'mfa-login')).status, 9, 'a changed config, credential-process');
    await settled();
    const full = await sb.run(['prod', '--shell', 'bash'], { bin: MFA_ENV, env: noRegion });
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /^export AWS_REGION='eu-west-2'$/m);
    const after = await fast(['prod']);
    assert.equal(after.status, 0, after.stderr);
    assert.equal(after.stdout, full.stdout, 'the cached path answers as the full CLI did for the new config');
    // logout takes the routes with the sessions.
    assert.equal((await sb.run(['logout', '--all'])).status, 0);
    assert.equal((await fast(['prod'])).status, 9, 'after logout');
  } finally {
    writeFileSync(sb.file('.aws/config'), config);
  }
});

test('shells in different STS environments (AWS_REGION) each keep their route: calls from both are answered by the cached path', async (t) => {
  // One code serves the three shells only because their MFA session is shared: an STS that refuses it twice.
  const sb = await sandbox();
  t.after(() => sb.stop());
  await settled(); // its config was written just now
  const fast = (env: Record<string, string>) =>
    runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ['prod']) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', ...env }));
  const shells: Array<Record<string, string>> = [{}, { AWS_REGION: 'eu-west-2' }, { AWS_REGION: 'us-east-1', AWS_STS_REGIONAL_ENDPOINTS: 'regional' }];
  const full: string[] = [];
  const code = await sb.code(ivy);
  for (const env of shells) {
    const r = await sb.run(['prod', '--shell', 'bash', '--mfa-token', code], { bin: MFA_ENV, env });
    assert.equal(r.status, 0, r.stderr);
    full.push(r.stdout);
  }
  // Back and forth, as prompts in two terminals come: every one is a hit, each with its own answer.
  for (let round = 0; round < 2; round++) {
    for (const [i, env] of shells.entries()) {
      const r = await fast(env);
      assert.equal(r.status, 0, `round ${round}, ${JSON.stringify(env)}: handed over to the full CLI`);
      assert.equal(r.stdout, full[i]);
    }
  }
  assert.equal((await sb.run(['logout', '--all'])).status, 0);
});

test('a setting the full CLI refuses is its to report; an answer that cannot be written is one line and exit 1, and a reader that stopped early no error', async () => {
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)])).status, 0);
  const fast = (env: Record<string, string> = {}) => runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-login', ['credential-process', 'prod']) ? 0 : 9`], sb.env(env));
  assert.equal((await fast()).status, 0, 'answered with the settings as they are');
  const bad: Array<Record<string, string>> = [{ MFA_LOGIN_BACKEND: 'bogus' }, { MFA_LOGIN_LOCK_TIMEOUT: 'soon' }, { MFA_LOGIN_PROMPT: 'x' }];
  for (const env of bad) {
    const handed = await fast(env);
    assert.equal(handed.status, 9, JSON.stringify(env));
    assert.equal(handed.stdout, '');
  }
  const refused = await sb.run(['credential-process', 'prod'], { env: { MFA_LOGIN_BACKEND: 'bogus' } });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /MFA_LOGIN_BACKEND="bogus" is not a secret store/);
  const shell = (command: string) => runCommand('/bin/bash', ['-c', command], sb.env());
  const full = await shell(`"${process.execPath}" "${MFA_LOGIN}" credential-process prod > /dev/full`);
  assert.equal(full.status, 1, full.stderr);
  assert.equal(full.stderr, 'mfa-login: cannot write to standard output (ENOSPC)\n');
  // Whether or not `true` is gone by the time the answer is written, nothing is said and it is a success.
  const early = await shell(`"${process.execPath}" "${MFA_LOGIN}" credential-process prod | true; echo "status \${PIPESTATUS[0]}"`);
  assert.equal(early.stdout, 'status 0\n');
  assert.equal(early.stderr, '');
});

test('a config file with a byte-order mark is answered; one with a byte that is not UTF-8 goes to the full CLI, which names the line', async () => {
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)]);
  assert.equal(r.status, 0, r.stderr);
  const config = readFileSync(sb.file('.aws/config'));
  const fast = () => runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-login', ['credential-process', 'prod']) ? 0 : 9`], sb.env());
  try {
    writeFileSync(sb.file('.aws/config'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), config]));
    assert.equal((await fast()).status, 9, 'a changed config hands over until the full path has answered once');
    await settled();
    assert.equal((await sb.run(['credential-process', 'prod'])).status, 0);
    const answered = await fast();
    assert.equal(answered.status, 0, answered.stderr);
    assert.equal(answered.stdout, (await sb.run(['credential-process', 'prod', '--debug'])).stdout);
    writeFileSync(sb.file('.aws/config'), Buffer.concat([config, Buffer.from([0x23, 0x20, 0xe9, 0x0a])]));
    const handed = await fast();
    assert.equal(handed.status, 9);
    assert.equal(handed.stdout, '');
    const full = await sb.run(['credential-process', 'prod']);
    assert.equal(full.status, 3);
    assert.match(full.stderr, /config is not UTF-8 text \(invalid byte at line 7\)/);
    assert.equal(full.stdout, '');
  } finally {
    writeFileSync(sb.file('.aws/config'), config);
  }
});

/** A copy of the installed layout (bin/ beside dist/bundle/), whose bundle a test may edit. */
function installedCopy(t: { after: (fn: () => void) => void }): { bin: string; bundle: string } {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-fastcode-'));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
  cpSync(path.join(ROOT, 'dist/bundle'), path.join(copy, 'dist/bundle'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  return { bin: path.join(copy, 'bin/mfa-login.js'), bundle: path.join(copy, 'dist/bundle/fast.cjs') };
}

async function sessionForProd(): Promise<void> {
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)]);
  assert.equal(r.status, 0, r.stderr);
}

test('what runs is the readable bundle: an edit of the same length to fast.cjs shows in the next answer, past the code kept for the text before', async (t) => {
  const { bin, bundle } = installedCopy(t);
  const kept = sb.file('.cache/mfa-login/fast-path.v8');
  rmSync(kept, { force: true });
  await sessionForProd();
  const call = () => runCommand(process.execPath, [bin, 'credential-process', 'prod'], sb.env());
  const first = await call();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^\{"Version":1,/);
  const made = statSync(kept, { throwIfNoEntry: false });
  const second = await call();
  assert.equal(second.stdout, first.stdout);
  const used = statSync(kept, { throwIfNoEntry: false });
  // The same length, one character of the answer changed: V8 alone would take the code kept for
  // the old text (it compares lengths only) and print Version 1.
  const text = readFileSync(bundle, 'utf8');
  assert.equal(text.split('Version:1').length, 2);
  writeFileSync(bundle, text.replace('Version:1', 'Version:2'));
  const edited = await call();
  assert.equal(edited.status, 0, edited.stderr);
  assert.equal(edited.stdout, first.stdout.replace('"Version":1', '"Version":2'), 'the edited bundle ran');
  // The first answer kept V8's code for the bundle, privately; the next one used it as it was.
  assert.ok(made !== undefined && used !== undefined, 'the first answer kept the code');
  assert.equal(made.mode & 0o777, 0o600);
  assert.equal(readFileSync(kept, 'utf8').split('\n', 1)[0], `${process.version} ${process.arch} ${process.versions.v8}`);
  assert.equal(used.ino, made.ino, 'the kept code was used, not made again');
  const remade = statSync(kept);
  assert.notEqual(remade.ino, made.ino, 'the code was made again, for the edited text');
  assert.equal((await call()).stdout, edited.stdout);
  // The first answer of the other tool keeps the code once more, with what that tool ran.
  const env = (bin: string) => runCommand(process.execPath, [path.join(path.dirname(bin), 'mfa-env.js'), 'prod'], sb.env({ SHELL: '/bin/bash' }));
  assert.equal((await env(bin)).status, 0);
  const both = statSync(kept);
  assert.notEqual(both.ino, remade.ino);
  assert.match(readFileSync(kept, 'utf8').split('\n', 2)[1]!, / mfa-login,mfa-env$/);
  assert.equal((await env(bin)).status, 0);
  assert.equal((await call()).status, 0);
  assert.equal(statSync(kept).ino, both.ino, 'and then it is used as it is');
  // The first answer from the agent keeps it once more: the request and the reply are code of their own.
  const agent = { MFA_LOGIN_CACHE: 'agent' };
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env: agent })).status, 0);
  const fromAgent = () => runCommand(process.execPath, [bin, 'credential-process', 'prod'], sb.env(agent));
  const asked = await fromAgent();
  assert.equal(asked.status, 0, asked.stderr);
  assert.match(asked.stdout, /^\{"Version":2,/);
  const withAgent = statSync(kept);
  assert.notEqual(withAgent.ino, both.ino);
  assert.match(readFileSync(kept, 'utf8').split('\n', 2)[1]!, / mfa-login,mfa-env,agent$/);
  assert.equal((await fromAgent()).status, 0);
  assert.equal((await call()).status, 0);
  assert.equal(statSync(kept).ino, withAgent.ino, 'and then it is used as it is, either way');
});

test('mfa-env --unset keeps no code: the first mfa-env PROFILE after it keeps the code with what the exports run', async () => {
  const kept = sb.file('.cache/mfa-login/fast-path.v8');
  rmSync(kept, { force: true });
  await sessionForProd();
  const env = (args: string[]) => runCommand(process.execPath, [MFA_ENV, ...args], sb.env({ SHELL: '/bin/bash' }));
  const off = await env(['--unset']);
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /^unset MFA_LOGIN_SAVED$/m);
  assert.equal(existsSync(kept), false, 'no code kept after --unset');
  assert.equal((await env(['prod'])).status, 0);
  assert.match(readFileSync(kept, 'utf8').split('\n', 2)[1]!, / mfa-env$/);
});

test('code is taken only from a private file of the user\'s in a private directory: one planted by another user, open to others or a link is not run', async (t) => {
  const { bin, bundle } = installedCopy(t);
  const dir = sb.file('.cache/mfa-login');
  const kept = path.join(dir, 'fast-path.v8');
  await sessionForProd();
  const call = () => runCommand(process.execPath, [bin, 'credential-process', 'prod'], sb.env());
  // Code for other text of the same length, filed under the bundle's true text: what someone who
  // could write there would plant. V8 checks the length only, so it runs when it is trusted.
  const text = readFileSync(bundle, 'utf8');
  writeFileSync(bundle, text.replace('Version:1', 'Version:2'));
  rmSync(kept, { force: true });
  assert.equal((await call()).status, 0);
  const trueSource = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const planted = readFileSync(kept, 'utf8').replace(`(function (exports, require, module, __filename, __dirname) {${text.replace('Version:1', 'Version:2')}\n})`, () => trueSource);
  assert.ok(planted.includes(trueSource));
  writeFileSync(bundle, text);
  const plant = (how: 'user' | 'other user' | 'open file' | 'open directory' | 'link') => {
    rmSync(kept, { force: true });
    chmodSync(dir, 0o700);
    const file = how === 'link' ? sb.file('planted.v8') : kept;
    writeFileSync(file, planted, { mode: 0o600 });
    if (how === 'other user') chownSync(file, 65534, 65534);
    if (how === 'open file') chmodSync(file, 0o644);
    if (how === 'open directory') chmodSync(dir, 0o755);
    if (how === 'link') symlinkSync(file, kept);
  };
  try {
    // The limit: a file only the user could have written is the user's own code, and is run.
    plant('user');
    assert.match((await call()).stdout, /^\{"Version":2,/, 'the planted code is what the tests below keep out');
    for (const how of ['other user', 'open file', 'open directory', 'link'] as const) {
      plant(how);
      const r = await call();
      assert.equal(r.status, 0, `${how}: ${r.stderr}`);
      assert.match(r.stdout, /^\{"Version":1,/, how);
    }
  } finally {
    chmodSync(dir, 0o700);
    rmSync(kept, { force: true });
    rmSync(sb.file('planted.v8'), { force: true });
  }
});

test('the bin scripts answer alike with the kept code, without it, with it cut short, or made by another Node', async (t) => {
  const { bin } = installedCopy(t);
  const kept = sb.file('.cache/mfa-login/fast-path.v8');
  await sessionForProd();
  const expected = (await sb.run(['credential-process', 'prod', '--debug'])).stdout;
  rmSync(kept, { force: true });
  assert.equal((await runCommand(process.execPath, [bin, 'credential-process', 'prod'], sb.env())).stdout, expected);
  const text = readFileSync(kept, 'utf8');
  const [tag, line] = text.split('\n', 2) as [string, string];
  assert.equal(line, `${readFileSync(path.join(path.dirname(bin), '../dist/bundle/fast.cjs'), 'utf8').length + 64} mfa-login`, 'the wrapped source\'s length, and the tool the code has run for');
  const codeAt = tag.length + line.length + 2 + Number(line.split(' ')[0]);
  assert.ok(Buffer.from(text.slice(codeAt), 'base64').length > 1000, 'the code follows the source');
  const cases: Array<[string, string | undefined]> = [
    ['as kept', text],
    ['missing', undefined],
    ['empty', ''],
    ['cut short in the source', text.slice(0, codeAt - 100)],
    ['cut short in the code', text.slice(0, codeAt + 1000)],
    ['made by another Node', `v0${text.slice(text.indexOf(' '))}`], // its code must not reach V8
  ];
  for (const [what, content] of cases) {
    rmSync(kept, { force: true });
    if (content !== undefined) writeFileSync(kept, content, { mode: 0o600 });
    const got = await runCommand(process.execPath, [bin, 'credential-process', 'prod'], sb.env());
    assert.equal(got.status, 0, `${what}: ${got.stderr}`);
    assert.equal(got.stdout, expected, what);
    assert.equal(readFileSync(kept, 'utf8').split('\n', 1)[0], tag, `${what}: good code is kept again`);
  }
});

test('the bin script looks for the kept code where the full CLI keeps it: the file mode\'s directory, when that is absolute', () => {
  const require = createRequire(import.meta.url);
  const { codeDir } = require(path.join(ROOT, 'bin/fast-path.js')) as { codeDir: (env: Record<string, string | undefined>) => string | undefined };
  const home = '/home/ivy';
  for (const env of [
    { HOME: home },
    { HOME: `${home}/` },
    { HOME: home, XDG_CACHE_HOME: '/var/cache/ivy' },
    { HOME: home, XDG_CACHE_HOME: '/var/cache/ivy//' },
    { HOME: home, XDG_CACHE_HOME: 'relative' },
    { HOME: home, XDG_CACHE_HOME: '' },
    { HOME: home, MFA_LOGIN_CACHE_DIR: '/srv/mfa/' },
    { HOME: home, MFA_LOGIN_CACHE_DIR: 'here', XDG_CACHE_HOME: '/x' },
    { HOME: home, MFA_LOGIN_CACHE_DIR: '', XDG_CACHE_HOME: '/x' },
  ]) {
    const dir = settingsFrom(env, env.HOME, { os: 'linux', uid: 1000 }).cache.persistentDir;
    assert.equal(codeDir(env), dir.startsWith('/') ? dir : undefined, JSON.stringify(env));
  }
});
