import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentMailbox, encodeRecord, MAILBOX_SUPPORTED, mailboxDir, mailboxPath, RECORD_BYTES, takeFromMailbox } from '../../src/agent/mailbox.js';
import { openMailbox, type Mailbox } from '../../src/agent/mailbox-keeper.js';
import { sessionToJson } from '../../src/agent/session-json.js';
import { agentCache, stopAgent, type AgentOptions } from '../../src/agent/client.js';
import { agentPids, inMinutes, session, sleep, tempDir } from '../cache/helpers.js';

const KEY = '["mfa-session","alice"]';
const OTHER = '["mfa-session","bob"]';
const TAKER = fileURLToPath(new URL('./mailbox-taker.js', import.meta.url));

const skip = MAILBOX_SUPPORTED ? false : 'the mailbox is used on Linux only';

async function box(t: TestContext, options = { minRefillMs: 5, maxRefillMs: 50 }): Promise<{ socket: string; mailbox: Mailbox }> {
  const { dir, done } = tempDir();
  const socket = path.join(dir, 'agent.sock');
  const mailbox = await openMailbox(socket, options);
  t.after(() => {
    mailbox.close();
    done();
  });
  return { socket, mailbox };
}

/** The first copy taken within `ms` (the pipe is made by mkfifo, so a post lands a moment later). */
async function takeWithin(socket: string, key: string, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const s = takeFromMailbox(socket, key, inMinutes(15));
    if (s !== undefined || Date.now() > until) return s;
    await sleep(10);
  }
}

test('a posted session is taken from a private named pipe; other keys, and needs beyond its expiry, get nothing', { skip }, async (t) => {
  const { socket, mailbox } = await box(t);
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  const got = await takeWithin(socket, KEY);
  assert.equal(got?.credentials.accessKeyId, 'ASIAALICE');
  assert.equal(got?.credentials.secretAccessKey, 'secret-ASIAALICE');
  assert.equal(takeFromMailbox(socket, OTHER, inMinutes(15)), undefined);
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(61)), undefined, 'a session that ends before the caller needs it');
  const st = lstatSync(mailboxPath(socket, KEY));
  assert.ok(st.isFIFO());
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(statSync(mailboxDir(socket)).mode & 0o777, 0o700);
});

test('the pipe holds a number of copies; once they are taken, the next caller gets nothing until the agent refills it', { skip }, async (t) => {
  // A refill slower than the test, so what the pipe holds can be counted.
  const { socket, mailbox } = await box(t, { minRefillMs: 60_000, maxRefillMs: 60_000 });
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  assert.ok(await takeWithin(socket, KEY));
  let taken = 1;
  while (takeFromMailbox(socket, KEY, inMinutes(15)) !== undefined) taken++;
  // 16 with Linux's usual 64 KiB pipes; fewer once the user's pipes pass pipe-user-pages-soft.
  assert.ok(taken >= 1 && taken <= 16 * 16, `took ${taken}`);
  mailbox.refill();
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15))?.credentials.accessKeyId, 'ASIAALICE');
});

test('remove takes back every copy at once, even from a caller that opened the pipe before', { skip }, async (t) => {
  const { socket, mailbox } = await box(t);
  mailbox.post(KEY, sessionToJson(session('ASIAOLD')));
  assert.ok(await takeWithin(socket, KEY));
  const early = openSync(mailboxPath(socket, KEY), constants.O_RDONLY | constants.O_NONBLOCK);
  t.after(() => closeSync(early));
  mailbox.remove(KEY);
  assert.equal(existsSync(mailboxPath(socket, KEY)), false);
  const buf = Buffer.alloc(RECORD_BYTES);
  let n: number;
  try {
    n = readSync(early, buf, 0, RECORD_BYTES, null);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'EAGAIN');
    n = 0;
  }
  assert.equal(n, 0, 'the copies left in the pipe were read back by the agent');
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
});

test('a session posted again replaces the earlier one: its copies are never handed out again', { skip }, async (t) => {
  const { socket, mailbox } = await box(t);
  mailbox.post(KEY, sessionToJson(session('ASIAOLD')));
  assert.ok(await takeWithin(socket, KEY));
  mailbox.post(KEY, sessionToJson(session('ASIANEW')));
  assert.equal((await takeWithin(socket, KEY))?.credentials.accessKeyId, 'ASIANEW');
  for (let i = 0; i < 40; i++) {
    const s = takeFromMailbox(socket, KEY, inMinutes(15));
    if (s === undefined) await sleep(10);
    else assert.equal(s.credentials.accessKeyId, 'ASIANEW');
  }
});

test('an agent that lost its socket to a new one posts nothing callers see, and leaves the new mailbox alone', { skip }, async (t) => {
  const { dir, done } = tempDir();
  const socket = path.join(dir, 'agent.sock');
  const old = await openMailbox(socket, { minRefillMs: 5, maxRefillMs: 50 });
  old.post(KEY, sessionToJson(session('ASIAOLD')));
  assert.ok(await takeWithin(socket, KEY));
  const fresh = await openMailbox(socket, { minRefillMs: 5, maxRefillMs: 50 });
  t.after(() => {
    old.close();
    fresh.close();
    done();
  });
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  old.post(OTHER, sessionToJson(session('ASIASTALE'))); // a late put on the old agent's connection
  await sleep(300);
  assert.equal(takeFromMailbox(socket, OTHER, inMinutes(15)), undefined);
  fresh.post(KEY, sessionToJson(session('ASIANEW')));
  assert.equal((await takeWithin(socket, KEY))?.credentials.accessKeyId, 'ASIANEW');
  old.close();
  fresh.refill();
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15))?.credentials.accessKeyId, 'ASIANEW');
});

test('16 processes taking at once each get a whole copy or find the pipe empty, never a torn copy', { skip }, async (t) => {
  const { socket, mailbox } = await box(t, { minRefillMs: 60_000, maxRefillMs: 60_000 });
  const big = session('ASIABIG');
  big.credentials.sessionToken = 'T'.repeat(2500); // a record filling most of a page
  mailbox.post(KEY, sessionToJson(big));
  await takeWithin(socket, KEY);
  mailbox.refill();
  const results = await Promise.all(
    Array.from({ length: 16 }, () => {
      const child = spawn(process.execPath, [TAKER, socket, KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      return new Promise<string>((resolve) => child.on('close', () => resolve(out.trim())));
    }),
  );
  for (const r of results) assert.ok(r === 'empty' || r === 'whole ASIABIG 2500', `got ${r}`);
  assert.ok(results.includes('whole ASIABIG 2500'));
});

test('no agent behind a pipe, or a record for another key in its place: nothing, and no wait', { skip }, async (t) => {
  const { dir, done } = tempDir();
  t.after(done);
  const socket = path.join(dir, 'agent.sock');
  mkdirSync(currentMailbox(socket), { recursive: true, mode: 0o700 });
  // A pipe left by an agent that was killed: nobody holds it open.
  await new Promise((resolve) => spawn('mkfifo', ['-m', '600', mailboxPath(socket, KEY)]).on('close', resolve));
  assert.ok(lstatSync(mailboxPath(socket, KEY)).isFIFO());
  const started = Date.now();
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  assert.ok(Date.now() - started < 1000);
  // Two keys whose names collide would find each other's record: the key inside decides.
  writeFileSync(mailboxPath(socket, OTHER), encodeRecord(KEY, sessionToJson(session('ASIAFILE')))!);
  assert.equal(takeFromMailbox(socket, OTHER, inMinutes(15)), undefined);
});

test('a new mailbox clears what a dead agent left; close removes its directory and the link to it', { skip }, async (t) => {
  const { dir, done } = tempDir();
  t.after(done);
  const socket = path.join(dir, 'agent.sock');
  mkdirSync(mailboxDir(socket), { mode: 0o700 });
  writeFileSync(path.join(mailboxDir(socket), 'leftover'), 'x');
  const mailbox = await openMailbox(socket);
  const entries = readdirSync(mailboxDir(socket)).sort();
  assert.equal(entries.length, 2);
  assert.match(entries[0]!, /^agent-\d+-/);
  assert.equal(entries[1], 'current');
  assert.equal(readlinkSync(currentMailbox(socket)), entries[0]);
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  assert.ok(await takeWithin(socket, KEY));
  mailbox.close();
  assert.deepEqual(readdirSync(mailboxDir(socket)), []);
});

test('a mailbox that cannot be made is no mailbox: posting to it does nothing, and nothing throws', { skip }, async (t) => {
  const { dir, done } = tempDir();
  t.after(done);
  writeFileSync(path.join(dir, 'file'), '');
  const socket = path.join(dir, 'file', 'agent.sock'); // its directory would be inside a file
  const mailbox = await openMailbox(socket);
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  mailbox.refill();
  mailbox.remove(KEY);
  await sleep(100);
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  mailbox.close();
});

test('a session too big for one record is not posted (the socket serves it)', { skip }, async (t) => {
  const { socket, mailbox } = await box(t);
  const huge = session('ASIAHUGE');
  huge.credentials.sessionToken = 'T'.repeat(RECORD_BYTES);
  assert.equal(encodeRecord(KEY, sessionToJson(huge)), undefined);
  mailbox.post(KEY, sessionToJson(huge));
  await sleep(200);
  assert.equal(existsSync(mailboxPath(socket, KEY)), false);
});

test('through the agent: a put is posted, a replacing put takes the old copies back, forget and expiry take them away', { skip }, async (t) => {
  const { dir, done } = tempDir();
  const opts: AgentOptions = { socket: path.join(dir, 'agent.sock'), idleMs: 5000, waitTimeoutMs: 10_000 };
  const cache = agentCache(opts);
  t.after(async () => {
    cache.close();
    await stopAgent(opts).catch(() => false);
    for (const pid of agentPids(opts.socket)) process.kill(pid, 'SIGKILL');
    done();
  });
  const put = async (key: string, s: ReturnType<typeof session>, validUntil: Date) => {
    const got = await cache.acquire(key, validUntil, 'alice');
    assert.ok(got.lease, 'expected a lease');
    await got.lease.put(s);
  };
  await put(KEY, session('ASIAFIRST', 30 * 60_000), inMinutes(1));
  assert.equal((await takeWithin(opts.socket, KEY))?.credentials.accessKeyId, 'ASIAFIRST');
  // Needing more than the first session lasts: a lease, and a new session that replaces it.
  await put(KEY, session('ASIASECOND', 60 * 60_000), inMinutes(45));
  assert.equal((await takeWithin(opts.socket, KEY))?.credentials.accessKeyId, 'ASIASECOND');
  for (let i = 0; i < 40; i++) {
    const s = takeFromMailbox(opts.socket, KEY, inMinutes(15));
    if (s === undefined) await sleep(10);
    else assert.equal(s.credentials.accessKeyId, 'ASIASECOND');
  }
  assert.equal(await cache.forget('alice'), 1);
  assert.equal(takeFromMailbox(opts.socket, KEY, inMinutes(15)), undefined);
  assert.equal(existsSync(mailboxPath(opts.socket, KEY)), false);

  await put(OTHER, session('ASIASHORT', 3000), new Date());
  const until = Date.now() + 2000;
  while (!existsSync(mailboxPath(opts.socket, OTHER)) && Date.now() < until) await sleep(10);
  assert.equal(takeFromMailbox(opts.socket, OTHER, inMinutes(15)), undefined, 'a session ending within 15 minutes is not handed out');
  assert.equal(takeFromMailbox(opts.socket, OTHER, new Date())?.credentials.accessKeyId, 'ASIASHORT', 'but it is posted while it lasts');
  await sleep(3500);
  assert.equal(existsSync(mailboxPath(opts.socket, OTHER)), false, 'and taken away when it expires');
});
