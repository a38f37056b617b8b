import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { agentCache, agentOptions, agentStatus, stopAgent, type AgentOptions } from '../../src/agent/client.js';
import { agentSocketPath } from '../../src/agent/protocol.js';
import type { Acquired } from '../../src/cache/session-cache.js';
import { MfaLoginError } from '../../src/errors.js';
import { AGENT_MAIN, agentPids, alive, Child, inMinutes, session, settledWithin, sleep, tempDir, waitFor } from '../cache/helpers.js';

const KEY = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);

/** A temp dir whose agent (if any was started) is stopped and killed when the test ends. */
function sandbox(t: TestContext, extra: Partial<AgentOptions> = {}) {
  const { dir, done } = tempDir();
  const opts: AgentOptions = { socket: path.join(dir, 'agent.sock'), idleMs: 5000, waitTimeoutMs: 10_000, ...extra };
  const caches: Array<ReturnType<typeof agentCache>> = [];
  t.after(async () => {
    for (const c of caches) c.close();
    await stopAgent(opts).catch(() => false);
    for (const pid of agentPids(opts.socket)) process.kill(pid, 'SIGKILL');
    done();
  });
  const cache = (more: Partial<AgentOptions> = {}) => {
    const c = agentCache({ ...opts, ...more });
    caches.push(c);
    return c;
  };
  return { dir, opts, cache };
}

function leaseOf(a: Acquired) {
  assert.ok(a.lease, 'expected a lease');
  return a.lease;
}

test('a second caller for the same key waits for the first one to put, and gets its session; another key does not wait', async (t) => {
  const { cache } = sandbox(t);
  const a = cache();
  const b = cache();
  const c = cache();
  const first = leaseOf(await a.acquire(KEY, inMinutes(15), 'alice'));
  const waiting = b.acquire(KEY, inMinutes(15), 'alice');
  assert.equal(await settledWithin(waiting, 300), false, 'the second caller waits while the lease is held');
  const other = await c.acquire(OTHER, inMinutes(15), 'bob');
  assert.ok(other.lease, 'a different key is not held up');
  await first.put(session('ASIAFIRST'));
  const got = await waiting;
  assert.equal(got.session?.credentials.accessKeyId, 'ASIAFIRST');
  assert.equal(got.session?.credentials.sessionToken, 'token-ASIAFIRST');
  assert.ok(got.session?.credentials.expiration instanceof Date);
  await other.lease!.release();
});

test('release hands the lease to the next waiter; its put satisfies the one after', async (t) => {
  const { cache } = sandbox(t);
  const [a, b, c] = [cache(), cache(), cache()];
  const first = leaseOf(await a.acquire(KEY, inMinutes(15), 'alice'));
  const second = b.acquire(KEY, inMinutes(15), 'alice');
  await sleep(50);
  const third = c.acquire(KEY, inMinutes(15), 'alice');
  await sleep(50);
  await first.release();
  const next = leaseOf(await second);
  assert.equal(await settledWithin(third, 200), false, 'the third still waits');
  await next.put(session('ASIASECOND'));
  assert.equal((await third).session?.credentials.accessKeyId, 'ASIASECOND');
});

test('a holder killed mid-lease: the waiter gets the lease within seconds', async (t) => {
  const { opts, cache } = sandbox(t);
  const holder = new Child(['agent', opts.socket, 'hold', KEY], { MFA_LOGIN_AGENT_IDLE: '5' });
  t.after(() => holder.kill());
  assert.equal((await holder.next('acquired')).got, 'lease');
  const waiter = cache().acquire(KEY, inMinutes(15), 'alice');
  assert.equal(await settledWithin(waiter, 200), false);
  const killedAt = Date.now();
  holder.kill('SIGKILL');
  const got = await waiter;
  const tookMs = Date.now() - killedAt;
  t.diagnostic(`agent: the waiter got the lease ${tookMs} ms after its holder was SIGKILLed`);
  assert.ok(got.lease);
  assert.ok(tookMs < 2000, `took ${tookMs} ms`);
});

test('a waiter gives up after the bounded wait, naming the holder', async (t) => {
  const { cache } = sandbox(t);
  leaseOf(await cache().acquire(KEY, inMinutes(15), 'alice'));
  const started = Date.now();
  const err = await cache({ waitTimeoutMs: 300 })
    .acquire(KEY, inMinutes(15), 'alice')
    .then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof MfaLoginError);
  assert.match(err.message, new RegExp(`^another mfa-login process \\(pid ${process.pid}\\) has been getting the session for alice for \\d+s; gave up waiting$`));
  assert.match(err.hint ?? '', new RegExp(`kill ${process.pid}`));
  assert.ok(Date.now() - started < 2000);
});

test('a lease held past the longest lease passes to the next waiter', async (t) => {
  const { opts, cache } = sandbox(t);
  mkdirSync(path.dirname(opts.socket), { recursive: true, mode: 0o700 });
  spawn(process.execPath, [AGENT_MAIN, '--socket', opts.socket, '--idle', '5000', '--lease-max', '400'], { detached: true, stdio: 'ignore' }).unref();
  await waitFor('the agent', async () => (await agentStatus(opts)).running);
  leaseOf(await cache().acquire(KEY, inMinutes(15), 'alice'));
  const started = Date.now();
  const next = await cache().acquire(KEY, inMinutes(15), 'alice');
  assert.ok(next.lease);
  const took = Date.now() - started;
  assert.ok(took >= 300 && took < 3000, `took ${took} ms`);
});

test('garbage, unknown ops and a 2 MiB line get error replies; the agent goes on serving', async (t) => {
  const { opts, cache } = sandbox(t);
  await cache().forget(); // starts the agent
  const raw = net.createConnection(opts.socket);
  await new Promise((r) => raw.once('connect', r));
  let text = '';
  raw.setEncoding('utf8').on('data', (d: string) => (text += d));
  const closed = new Promise<void>((r) => raw.on('close', () => r()));
  const replies = async (n: number) => {
    await waitFor(`${n} replies`, () => text.split('\n').filter(Boolean).length >= n);
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  raw.write('hello there\n');
  raw.write('[1,2,3]\n');
  raw.write('{"id":7,"op":"frobnicate"}\n');
  raw.write('{"id":8,"op":"acquire","key":42}\n');
  raw.write('{"id":9,"op":"put","key":"k","session":{"kind":"role"}}\n');
  raw.write('{"id":10,"op":"status"}\n');
  let r = await replies(6);
  assert.deepEqual(
    r.map((x) => [x.id, x.ok]),
    [
      [null, false],
      [null, false],
      [7, false],
      [8, false],
      [9, false],
      [10, true],
    ],
  );
  assert.match(String(r[2]!.error), /unknown op "frobnicate"/);
  raw.write('x'.repeat(2 * 1024 * 1024));
  await closed;
  r = await replies(7);
  assert.equal(r[6]!.code, 'too-long');

  const normal = cache();
  const lease = leaseOf(await normal.acquire(KEY, inMinutes(15), 'alice'));
  await lease.put(session('ASIAAFTER'));
  assert.equal((await cache().acquire(KEY, inMinutes(15), 'alice')).session?.credentials.accessKeyId, 'ASIAAFTER');
});

test('list shows sessions without secrets; forget counts what it forgot', async (t) => {
  const { cache } = sandbox(t);
  const c = cache();
  await leaseOf(await c.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIAALICE', 3600_000, ['alice', 'admin']));
  await leaseOf(await c.acquire(OTHER, inMinutes(15), 'bob')).put(session('ASIABOB', 3600_000, ['bob']));
  const listed = await c.list();
  assert.deepEqual(listed.map((x) => [x.key, x.accessKeyId, Object.keys(x).sort().join(',')]).sort(), [
    [KEY, 'ASIAALICE', 'accessKeyId,expiration,key,kind,profiles,subject'],
    [OTHER, 'ASIABOB', 'accessKeyId,expiration,key,kind,profiles,subject'],
  ]);
  assert.equal(await c.forget('admin'), 1);
  assert.equal(await c.forget('nobody'), 0);
  assert.equal(await c.forget(), 1);
  assert.deepEqual(await c.list(), []);
});

test('sessions expire: a caller needing more than the stored session gets a lease; expired sessions are dropped', async (t) => {
  const { opts, cache } = sandbox(t);
  const c = cache();
  await leaseOf(await c.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIASHORT', 5 * 60_000));
  const again = await cache().acquire(KEY, inMinutes(15), 'alice');
  assert.ok(again.lease, 'five minutes left is not fifteen');
  await again.lease.put(session('ASIABRIEF', 400));
  assert.equal((await agentStatus(opts)).sessions, 1);
  await sleep(600);
  assert.equal((await agentStatus(opts)).sessions, 0);
  assert.deepEqual(await c.list(), []);
});

test('an idle agent exits and removes its socket; one holding a session stays until it expires', async (t) => {
  const { opts, cache } = sandbox(t, { idleMs: 300 });
  const c = cache();
  await leaseOf(await c.acquire(KEY, inMinutes(0), 'alice')).put(session('ASIAIDLE', 1000));
  const { pid } = await agentStatus(opts);
  assert.ok(pid);
  c.close();
  await sleep(700);
  assert.ok(alive(pid), 'still holds a live session');
  const gone = Date.now();
  await waitFor('the idle agent to exit', () => !alive(pid) && !existsSync(opts.socket), 5000);
  t.diagnostic(`agent exited ${Date.now() - gone} ms after the check at 700 ms (session expiry 1000 ms + idle 300 ms)`);
  assert.equal(existsSync(`${opts.socket}.lock`), false, 'the start lock is removed too');
});

test('stop ends the agent and removes its socket; SIGTERM does too', async (t) => {
  const { opts, cache } = sandbox(t);
  await cache().forget();
  const { pid } = await agentStatus(opts);
  assert.equal(await stopAgent(opts), true);
  assert.equal(alive(pid!) && existsSync(opts.socket), false);
  assert.deepEqual(await agentStatus(opts), { running: false, socket: opts.socket });
  assert.equal(await stopAgent(opts), false);

  const c = cache();
  await c.forget();
  const second = (await agentStatus(opts)).pid!;
  assert.notEqual(second, pid);
  process.kill(second, 'SIGTERM');
  await waitFor('SIGTERM to end the agent', () => !alive(second) && !existsSync(opts.socket));
});

test('a socket left by a SIGKILLed agent is replaced by a new agent', async (t) => {
  const { opts, cache } = sandbox(t);
  await cache().forget();
  const first = (await agentStatus(opts)).pid!;
  process.kill(first, 'SIGKILL');
  await waitFor('the agent to die', () => !alive(first));
  assert.ok(existsSync(opts.socket), 'the dead agent left its socket file');
  assert.ok(existsSync(`${opts.socket}.lock`), 'and its lock');
  assert.equal((await agentStatus(opts)).running, false, 'connecting is refused');
  const started = Date.now();
  const got = await cache().acquire(KEY, inMinutes(15), 'alice');
  t.diagnostic(`a new agent answered ${Date.now() - started} ms after finding the stale socket`);
  assert.ok(got.lease);
  const second = (await agentStatus(opts)).pid!;
  assert.notEqual(second, first);
  assert.deepEqual(agentPids(opts.socket), [second]);
});

test('16 processes started at once with no agent running start one agent, and get one lease and one session', async (t) => {
  const { dir, opts } = sandbox(t);
  const traceFile = path.join(dir, 'trace.jsonl');
  const started = Date.now();
  const children = Array.from({ length: 16 }, () => new Child(['agent', opts.socket, 'race', KEY], { MFA_LOGIN_AGENT_IDLE: '5', MFA_LOGIN_AGENT_TRACE: traceFile }));
  t.after(() => children.forEach((c) => c.kill()));
  const done = await Promise.all(children.map((c) => c.next('done', 20_000)));
  const statuses = await Promise.all(children.map((c) => c.exited));
  assert.deepEqual(statuses, Array(16).fill(0), 'every child exits by itself');
  assert.equal(done.filter((d) => d.got === 'lease').length, 1, 'exactly one lease');
  assert.equal(new Set(done.map((d) => d.id)).size, 1, 'everyone has the same session');
  await sleep(200);
  const trace = readFileSync(traceFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { pid: number; event: string });
  const starts = trace.filter((e) => e.event === 'start').length;
  t.diagnostic(`16 agent-mode processes done in ${Date.now() - started} ms; agent processes started: ${starts}`);
  const serving = trace.filter((e) => e.event === 'serving');
  assert.equal(serving.length, 1, 'one agent ever listened');
  assert.ok(starts <= 2, `${starts} agent processes were started`);
  assert.deepEqual(agentPids(opts.socket), [serving[0]!.pid]);
  assert.equal((await agentStatus(opts)).pid, serving[0]!.pid);
  assert.equal(readlinkSync(`/proc/${serving[0]!.pid}/cwd`), '/', 'the agent keeps no directory busy');
  assert.equal(existsSync(`${opts.socket}.starting`), false, 'the start marker is removed');
});

test('an agent whose socket file was removed exits instead of holding sessions for nobody', async (t) => {
  const { opts, cache } = sandbox(t);
  const c = cache();
  await leaseOf(await c.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIAORPHAN'));
  const { pid } = await agentStatus(opts);
  rmSync(opts.socket);
  const removed = Date.now();
  await waitFor('the agent to exit', () => !alive(pid!), 5000);
  t.diagnostic(`the agent exited ${Date.now() - removed} ms after its socket was removed`);
  assert.equal(existsSync(`${opts.socket}.lock`), false);
});

test('an agent whose socket was taken over by a new agent exits without removing the new one\'s socket', async (t) => {
  const { opts, cache } = sandbox(t);
  const first = cache();
  await leaseOf(await first.acquire(KEY, inMinutes(15), 'alice')).put(session('ASIAOLD'));
  const { pid: oldPid } = await agentStatus(opts);
  // Past its start-up grace, an agent whose socket accepts nothing is taken for dead.
  await sleep(5500);
  rmSync(opts.socket);
  // Frozen, the old agent cannot notice before a new agent has taken over the path.
  process.kill(oldPid!, 'SIGSTOP');
  const second = cache();
  try {
    assert.ok((await second.acquire(OTHER, inMinutes(15), 'bob')).lease);
  } finally {
    process.kill(oldPid!, 'SIGCONT');
  }
  const { pid: newPid } = await agentStatus(opts);
  assert.notEqual(newPid, oldPid);
  await waitFor('the old agent to exit', () => !alive(oldPid!), 5000);
  await sleep(200);
  const after = await agentStatus(opts);
  assert.deepEqual({ running: after.running, pid: after.pid }, { running: true, pid: newPid });
});

test('refuses a socket directory other users can enter, and a socket path too long for a Unix socket', async (t) => {
  const { dir } = sandbox(t);
  const open = path.join(dir, 'open');
  mkdirSync(open, { mode: 0o755 });
  chmodSync(open, 0o755);
  await assert.rejects(agentCache({ socket: path.join(open, 'agent.sock') }).acquire(KEY, inMinutes(15), 'alice'), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_AGENT');
    assert.match(e.message, /can be entered by other users \(mode 755\)/);
    assert.equal(e.hint, `run: chmod 700 ${open}`);
    return true;
  });
  const long = path.join(dir, 'x'.repeat(120), 'agent.sock');
  assert.throws(
    () => agentCache({ socket: long }),
    (e: unknown) => e instanceof MfaLoginError && /is \d+ bytes long; Unix sockets allow at most 107/.test(e.message),
  );
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('status and stop never start an agent', async (t) => {
  const { opts } = sandbox(t);
  assert.deepEqual(await agentStatus(opts), { running: false, socket: opts.socket });
  assert.equal(await stopAgent(opts), false);
  await sleep(300);
  assert.equal(existsSync(opts.socket), false);
  assert.deepEqual(agentPids(opts.socket), []);
});

test('settings from the environment: MFA_LOGIN_AGENT_IDLE and MFA_LOGIN_LOCK_TIMEOUT in seconds', () => {
  assert.deepEqual(agentOptions({ MFA_LOGIN_AGENT_IDLE: '2', MFA_LOGIN_LOCK_TIMEOUT: '1.5' }, '/c'), { socket: '/c/agent.sock', idleMs: 2000, waitTimeoutMs: 1500 });
  assert.deepEqual(agentOptions({}, '/c'), { socket: '/c/agent.sock', idleMs: 60_000, waitTimeoutMs: 300_000 });
  for (const bad of ['0', '-1', 'ten', '1e3', ' ']) {
    assert.throws(
      () => agentOptions({ MFA_LOGIN_AGENT_IDLE: bad }, '/c'),
      (e: unknown) => e instanceof MfaLoginError && e.code === 'E_USAGE' && e.message === `MFA_LOGIN_AGENT_IDLE=${bad} is not a number of seconds`,
      bad,
    );
  }
});

test('the socket lives in XDG_RUNTIME_DIR when there is one, else in the cache directory', () => {
  assert.equal(agentSocketPath({ XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/a/.cache/mfa-login'), '/run/user/1000/mfa-login/agent.sock');
  assert.equal(agentSocketPath({}, '/home/a/.cache/mfa-login'), '/home/a/.cache/mfa-login/agent.sock');
});
