import { test, type TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentPlace, agentServes, listenOptions, PIPE_PREFIX, reachable } from '../../src/session-store/agent/place.js';
import { answerIn, askAgent, bound, lineText } from '../../src/session-store/agent/ask.js';
import { agentStore, stopAgent } from '../../src/session-store/agent/client.js';
import { agentOptions } from '../../src/session-store/open.js';
import { onRam } from '../../src/session-store/private-dir.js';
import { probeFor } from '../../src/session-store/route.js';
import { settingsFrom } from '../../src/settings.js';
import { agentPids, session, waitFor } from './helpers.js';
import { runCommand } from '../e2e/harness.js';

const STAND_IN = fileURLToPath(new URL('./stand-in-agent.js', import.meta.url));
const ASK = new URL('../../src/session-store/agent/ask.js', import.meta.url).href;

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

test('a Unix socket path longer than the system takes is never connected to (it would be cut short to another path); a pipe name always is', () => {
  const dir = '/tmp/' + 'r'.repeat(90);
  const socket = `${dir}/mfa-login/agent.sock`;
  assert.ok(Buffer.byteLength(socket) > 107);
  assert.equal(reachable(socket, 'linux'), false);
  assert.equal(reachable('/run/user/1000/mfa-login/agent.sock', 'linux'), true);
  assert.equal(reachable(`/${'x'.repeat(106)}`, 'linux'), true, '107 bytes fit on Linux');
  assert.equal(reachable(`/${'x'.repeat(106)}`, 'darwin'), false, 'not on macOS (104 with the NUL)');
  assert.equal(reachable(`${PIPE_PREFIX}mfa-login-${'u'.repeat(200)}`, 'win32'), true);
});

test('the agent listens at its place and never opens it to other users (Windows: the pipe keeps the default DACL; Unix: the socket keeps its 0700 directory\'s protection)', () => {
  for (const socket of ['/run/user/1000/mfa-login/agent.sock', '\\\\.\\pipe\\mfa-login-ivy']) {
    // readableAll / writableAll would add Everyone to the pipe's DACL (uv_pipe_chmod), or chmod the socket for all.
    assert.deepEqual(listenOptions(socket), { path: socket, readableAll: false, writableAll: false });
  }
  // The agent listens through its line server and nothing else: through net with listenOptions, or
  // through libuv's handle, which never changes a mode (no chmod, no fchmod: net's readableAll does).
  const source = (file: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/session-store/agent', file), 'utf8');
  assert.deepEqual(source('main.ts').match(/\.listen\(|serveLines\(/g), ['serveLines(']);
  const server = source('line-server.ts');
  assert.deepEqual(server.match(/\.listen\([^)]*\)?/g), ['.listen(BACKLOG)', '.listen(listenOptions(socket)']);
  assert.doesNotMatch(server, /chmod/);
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
    agent: true,
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
  // Both ways of waiting for the reply: the process itself (a Unix socket), and the event loop (a Windows pipe).
  for (const eventLoop of [false, true]) {
    const way = eventLoop ? 'the event loop waiting' : 'the process waiting';
    const ask = (e: Record<string, string>, profile = 'prod', until = Date.now() + 60_000) => askAgent(o.socket, probeFor(profile, files, e), until, { eventLoop })();
    const first = ask({ AWS_REGION: 'eu-west-1' });
    assert.equal(first instanceof Promise, eventLoop, `${way}: a promise only where the event loop waits`);
    const hit = await first;
    assert.equal(hit?.credentials.accessKeyId, 'ASIAROUTED', way);
    assert.equal(hit?.accountId, '222222222222', way);
    assert.equal(hit?.region, 'eu-west-1', way);
    assert.equal(await ask({ AWS_REGION: 'us-east-1' }), undefined, `${way}: another STS environment`);
    assert.equal(await ask({ AWS_REGION: 'eu-west-1' }, 'other'), undefined, `${way}: another profile`);
    assert.equal(await ask({ AWS_REGION: 'eu-west-1' }, 'prod', Date.now() + 2 * 3600_000), undefined, `${way}: a session that ends too soon`);
  }
  const ask = (e: Record<string, string>) => askAgent(o.socket, probeFor('prod', files, e), Date.now() + 60_000)();
  writeFileSync(files.configFile, `${config}# edited\n`);
  assert.equal(await ask({ AWS_REGION: 'eu-west-1' }), undefined, 'a changed config');
  writeFileSync(files.configFile, config);
  await store.forget('prod');
  assert.equal(await ask({ AWS_REGION: 'eu-west-1' }), undefined, 'after logout');
});

/** The stand-in agent (stand-in-agent.ts) in its own process: the asking process may stop its own event loop to wait. */
class StandIn {
  readonly requests: string[] = [];
  private readonly proc: ChildProcess;
  private lines: string[] = [];
  private wake = () => {};

  constructor(readonly socket: string) {
    this.proc = spawn(process.execPath, [STAND_IN, socket], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.on('exit', () => this.wake());
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('"')) this.requests.push(JSON.parse(line) as string);
        else this.lines.push(line);
        this.wake();
      }
    });
  }

  private async said(what: string): Promise<void> {
    while (!this.lines.includes(what)) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`the stand-in agent ended before it said ${what}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    this.lines.splice(this.lines.indexOf(what), 1);
  }

  listening(): Promise<void> {
    return this.said('listening');
  }

  /** How it answers from now on: the reply's pieces as bytes (a string as UTF-8). */
  async answers(behaviour: { reply?: Array<string | Uint8Array>; close?: true; silent?: true }): Promise<void> {
    const reply = behaviour.reply?.map((piece) => Buffer.from(piece).toString('base64'));
    this.proc.stdin!.write(`${JSON.stringify({ ...behaviour, reply })}\n`);
    await this.said('ok');
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin!.end();
    await exited;
  }
}

/** Sets up a stand-in agent in a fresh directory, stopped and removed after the test. */
async function standIn(t: TestContext): Promise<{ agent: StandIn; dir: string; probe: ReturnType<typeof probeFor> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-standin-'));
  const agent = new StandIn(path.join(dir, 'agent.sock'));
  t.after(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await agent.listening();
  return { agent, dir, probe: probeFor('prod', { configFile: path.join(dir, 'config'), credentialsFile: path.join(dir, 'credentials') }, {}) };
}

const BOTH_WAYS = [
  { eventLoop: false, way: 'the process waiting' },
  { eventLoop: true, way: 'the event loop waiting' },
];

test('a stand-in for an older agent, which does not know the request, is a miss; so is one that closes the connection, and a socket nobody listens at: each at once, not at the bound', async (t) => {
  const { agent, dir, probe } = await standIn(t);
  // A bound far off: a miss that only came at it would show in the time taken.
  const timeoutMs = 30_000;
  const quickly = async (ask: () => unknown, why: string) => {
    const started = Date.now();
    assert.equal(await ask(), undefined, why);
    assert.ok(Date.now() - started < 10_000, `${why}: a miss at once, not at the bound`);
  };
  for (const { eventLoop, way } of BOTH_WAYS) {
    await agent.answers({ reply: ['{"ok":false,"error":"unknown op"}\n'] });
    const asked = agent.requests.length;
    await quickly(askAgent(agent.socket, probe, Date.now(), { eventLoop, timeoutMs }), `${way}: an older agent`);
    await waitFor(`${way}: the request, seen by the stand-in`, () => agent.requests.length === asked + 1);
    assert.equal(JSON.parse(agent.requests.at(-1)!).op, 'answer-route');
    await agent.answers({ close: true });
    await quickly(askAgent(agent.socket, probe, Date.now(), { eventLoop, timeoutMs }), `${way}: closed`);
    await quickly(askAgent(path.join(dir, 'nobody.sock'), probe, Date.now(), { eventLoop, timeoutMs }), `${way}: nobody listening`);
  }
});

test('a reply written in pieces, or holding more than ASCII, is read whole, either way of waiting', async (t) => {
  const { agent, probe } = await standIn(t);
  const until = Date.now() + 60_000;
  const session = { kind: 'role', profiles: ['prød', 'prod'], subject: 'arn:aws:iam::222222222222:role/Å', credentials: { accessKeyId: 'ASIAPIECES', secretAccessKey: 's', sessionToken: 't', expiration: new Date(until + 3600_000).toISOString() } };
  const line = `${JSON.stringify({ ok: true, session, accountId: '222222222222', region: 'eu-west-1' })}\n`;
  // Cut inside the two bytes of "ø": each piece alone is not valid UTF-8.
  const bytes = Buffer.from(line);
  const cut = bytes.indexOf(Buffer.from('ø')) + 1;
  const pieces = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 40), bytes.subarray(cut + 40)];
  for (const { eventLoop, way } of BOTH_WAYS) {
    await agent.answers({ reply: pieces });
    const got = await askAgent(agent.socket, probe, until, { eventLoop })();
    assert.equal(got?.credentials.accessKeyId, 'ASIAPIECES', way);
    assert.equal(got?.region, 'eu-west-1', way);
  }
  // The decoding itself, whole lines.
  assert.equal(lineText(new TextEncoder().encode('{"profiles":["prød"]}')), '{"profiles":["prød"]}');
  assert.equal(lineText(new TextEncoder().encode('plain ascii')), 'plain ascii');
  assert.equal(lineText(new TextEncoder().encode('>>{"a":"ø"}').subarray(2)), '{"a":"ø"}', 'a view that starts inside its buffer');
});

test('an agent that takes the request and never answers is a miss once the bound is reached, either way of waiting', async (t) => {
  const { agent, probe } = await standIn(t);
  await agent.answers({ silent: true });
  // The process waiting stops its own event loop: asked in a child, which a limit ends if it hangs.
  const ask = `import { askAgent } from ${JSON.stringify(ASK)};
    const started = Date.now();
    const found = askAgent(${JSON.stringify(agent.socket)}, ${JSON.stringify(probe)}, Date.now(), { timeoutMs: 300 })();
    console.log(JSON.stringify({ found: found ?? null, ms: Date.now() - started }));`;
  const child = await runCommand(process.execPath, ['--input-type=module', '-e', ask], { PATH: process.env.PATH ?? '' }, { limitMs: 30_000 });
  assert.equal(child.killed, false, 'the process waiting gave up by itself');
  assert.equal(child.status, 0, child.stderr);
  const { found, ms } = JSON.parse(child.stdout) as { found: unknown; ms: number };
  assert.equal(found, null, 'the process waiting: a miss');
  assert.ok(ms >= 300, `the process waiting: it waited for the bound (${ms} ms)`);
  const started = Date.now();
  assert.equal(await askAgent(agent.socket, probe, Date.now(), { eventLoop: true, timeoutMs: 300 })(), undefined, 'the event loop waiting: a miss');
  assert.ok(Date.now() - started >= 300, 'the event loop waiting: it waited for the bound');
});

test('the bound on the event loop\'s wait: a wait on a shared word, or a timer where there is no Atomics.waitAsync; cancelled, it never fires', async (t) => {
  // The connection it bounds keeps the process alive, not the wait on the word: here, this does.
  const alive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(alive));
  const fired: string[] = [];
  for (const [name, atomics] of [['Atomics', undefined], ['no waitAsync', {}]] as const) {
    await new Promise<void>((resolve) => bound(50, () => (fired.push(name), resolve()), atomics));
    const cancel = bound(50, () => fired.push(`${name}, cancelled`), atomics);
    cancel();
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(fired, ['Atomics', 'no waitAsync']);
  // A limit of 0 still calls back later, never from inside bound().
  let now = false;
  const later = new Promise<void>((resolve) => bound(0, () => ((now = true), resolve())));
  assert.equal(now, false);
  await later;
});