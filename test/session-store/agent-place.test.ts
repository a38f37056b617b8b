import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentPlace, agentServes, listenOptions, PIPE_PREFIX } from '../../src/session-store/agent/place.js';
import { answerIn, askAgent } from '../../src/session-store/agent/ask.js';
import { agentStore, stopAgent } from '../../src/session-store/agent/client.js';
import { agentOptions } from '../../src/session-store/open.js';
import { onRam } from '../../src/session-store/private-dir.js';
import { probeFor } from '../../src/session-store/route.js';
import { settingsFrom } from '../../src/settings.js';
import { agentPids, session } from './helpers.js';

/**
 * Where the agent is reached and how it listens, for each platform from its parameters: what
 * Windows does is decided here, where it can be tested, though it has not been run on Windows.
 */
test('the agent\'s place: a socket in the private runtime or cache directory on Linux and macOS, a per-user named pipe on Windows with its files in the cache directory', () => {
  const linux = settingsFrom({ HOME: '/home/ivy', XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/ivy', { os: 'linux', uid: 1000 }).cache;
  assert.deepEqual(agentPlace(linux, 'linux'), { socket: '/run/user/1000/mfa-login/agent.sock', dir: '/run/user/1000/mfa-login', socketInDir: true });
  const mac = settingsFrom({ HOME: '/Users/ivy' }, '/Users/ivy', { os: 'darwin', uid: 501 }).cache;
  assert.equal(mac.mode, 'agent');
  assert.deepEqual(agentPlace(mac, 'darwin'), { socket: '/Users/ivy/.cache/mfa-login/agent.sock', dir: '/Users/ivy/.cache/mfa-login', socketInDir: true });
  const win = settingsFrom({ USERPROFILE: 'C:\\Users\\Ivy Lee', USERNAME: 'Ivy Lee' }, 'C:\\Users\\Ivy Lee', { os: 'win32', uid: undefined }).cache;
  assert.equal(win.mode, 'agent');
  const place = agentPlace(win, 'win32');
  assert.equal(place.socket, `${PIPE_PREFIX}mfa-login-Ivy_Lee`, 'one pipe per user, named without characters a pipe name cannot take');
  assert.deepEqual(place, { socket: '\\\\.\\pipe\\mfa-login-Ivy_Lee', dir: 'C:\\Users\\Ivy Lee\\.cache\\mfa-login', socketInDir: false });
});

test('the agent listens at its place and never opens it to other users (Windows: the pipe keeps the default DACL; Unix: the socket keeps its 0700 directory\'s protection)', () => {
  for (const socket of ['/run/user/1000/mfa-login/agent.sock', '\\\\.\\pipe\\mfa-login-ivy']) {
    // readableAll / writableAll would add Everyone to the pipe's DACL (uv_pipe_chmod), or chmod the socket for all.
    assert.deepEqual(listenOptions(socket), { path: socket, readableAll: false, writableAll: false });
  }
  // The agent listens through listenOptions and nothing else: no other listen call to bypass it.
  const main = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/session-store/agent/main.ts'), 'utf8');
  assert.deepEqual(main.match(/\.listen\([^)]*\)?/g), ['.listen(listenOptions(socket)']);
});

test('sessions are the agent\'s when asked for, and by default where the runtime mode has no RAM-backed directory', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mfl-serves-'));
  try {
    const c = (mode: 'runtime' | 'agent' | 'file' | 'none', chosen: boolean, dir: string) => agentServes({ mode, chosen, dir });
    assert.equal(c('agent', true, '/anywhere/mfa-login'), true);
    assert.equal(c('file', true, tmp), false);
    assert.equal(c('none', true, tmp), false);
    assert.equal(c('runtime', false, '/dev/shm/mfa-login-1000'), !onRam('/dev/shm'), 'the default, on tmpfs');
    assert.equal(c('runtime', false, path.join(tmp, 'mfa-login')), !onRam(tmp), 'the default, where there is no tmpfs');
    assert.equal(c('runtime', true, path.join(tmp, 'mfa-login')), false, 'asked for by name: that or an error, never the agent');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the agent\'s reply is an answer only when it is a plain hit that lasts long enough', () => {
  const until = Date.now() + 15 * 60_000;
  const s = { kind: 'role', profiles: ['prod'], subject: 'r', credentials: { accessKeyId: 'ASIAX', secretAccessKey: 's', sessionToken: 't', expiration: new Date(until + 1000).toISOString() } };
  assert.deepEqual(answerIn(JSON.stringify({ ok: true, session: s, accountId: '222222222222', region: 'eu-west-1' }), until), {
    credentials: { accessKeyId: 'ASIAX', secretAccessKey: 's', sessionToken: 't', expiration: new Date(until + 1000) },
    accountId: '222222222222',
    region: 'eu-west-1',
  });
  const misses: Array<[string, string]> = [
    ['a miss', JSON.stringify({ ok: true, session: null })],
    ['an older agent', JSON.stringify({ ok: false, error: 'unknown op' })],
    ['too short', JSON.stringify({ ok: true, session: { ...s, credentials: { ...s.credentials, expiration: new Date(until - 1).toISOString() } } })],
    ['a bad account id', JSON.stringify({ ok: true, session: s, accountId: 222222222222 })],
    ['not JSON', '{"ok":tr'],
    ['null', 'null'],
  ];
  for (const [why, line] of misses) assert.equal(answerIn(line, until), undefined, why);
});

test('the agent keeps the route the full path notes, and answers the cached path\'s probe with the session only while the route holds', async (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfl-agentroute-'));
  const runtime = mkdtempSync('/dev/shm/mfl-');
  const env = { HOME: home, XDG_RUNTIME_DIR: runtime, MFA_LOGIN_CACHE: 'agent' };
  const settings = settingsFrom(env, home);
  const o = agentOptions(settings);
  t.after(async () => {
    await stopAgent(o).catch(() => false);
    for (const pid of agentPids(o.socket)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  });
  mkdirSync(path.join(home, '.aws'));
  const files = { configFile: path.join(home, '.aws/config'), credentialsFile: path.join(home, '.aws/credentials') };
  const config = '[profile prod]\nregion = eu-west-1\n';
  writeFileSync(files.configFile, config);
  // A file just written is not vouched for (route.ts, RECENT_MS).
  await new Promise((r) => setTimeout(r, 200));
  const store = agentStore(o);
  await store.put('key-prod', session('ASIAROUTED', 3600_000, ['prod']));
  await store.noteRoute({ profile: 'prod', files, texts: [config, undefined], env: { AWS_REGION: 'eu-west-1' }, key: 'key-prod', accountId: '222222222222', region: 'eu-west-1' });
  const ask = (e: Record<string, string>) => askAgent(o.socket, probeFor('prod', files, e), Date.now() + 60_000);
  const hit = await ask({ AWS_REGION: 'eu-west-1' });
  assert.equal(hit?.credentials.accessKeyId, 'ASIAROUTED');
  assert.equal(hit?.accountId, '222222222222');
  assert.equal(hit?.region, 'eu-west-1');
  assert.equal(await ask({ AWS_REGION: 'us-east-1' }), undefined, 'another STS environment');
  assert.equal(await askAgent(o.socket, probeFor('other', files, { AWS_REGION: 'eu-west-1' }), Date.now()), undefined, 'another profile');
  assert.equal(await askAgent(o.socket, probeFor('prod', files, { AWS_REGION: 'eu-west-1' }), Date.now() + 2 * 3600_000), undefined, 'a session that ends too soon');
  writeFileSync(files.configFile, `${config}# edited\n`);
  assert.equal(await ask({ AWS_REGION: 'eu-west-1' }), undefined, 'a changed config');
  writeFileSync(files.configFile, config);
  await store.forget('prod');
  assert.equal(await ask({ AWS_REGION: 'eu-west-1' }), undefined, 'after logout');
});

test('a stand-in for an older agent, which does not know the request, is a miss; so is one that closes the connection', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-oldagent-'));
  const socket = path.join(dir, 'agent.sock');
  let close = false;
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    conn.setEncoding('utf8').on('data', () => (close ? conn.destroy() : conn.write('{"ok":false,"error":"unknown op"}\n')));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const probe = probeFor('prod', { configFile: path.join(dir, 'config'), credentialsFile: path.join(dir, 'credentials') }, {});
  assert.equal(await askAgent(socket, probe, Date.now()), undefined);
  close = true;
  assert.equal(await askAgent(socket, probe, Date.now()), undefined);
  assert.equal(await askAgent(path.join(dir, 'nobody.sock'), probe, Date.now()), undefined, 'nobody listening');
});
