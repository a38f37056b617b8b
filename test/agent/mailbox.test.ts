import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRecord, MAILBOX_SUPPORTED, mailboxDir, mailboxPath, RECORD_BYTES, takeFromMailbox } from '../../src/agent/mailbox.js';
import { openMailbox, type Mailbox } from '../../src/agent/mailbox-keeper.js';
import { sessionToJson } from '../../src/agent/session-json.js';
import { inMinutes, session, sleep, tempDir } from '../cache/helpers.js';

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

test('the pipe holds 16 copies; once taken, the next caller gets nothing until the agent refills it', { skip }, async (t) => {
  // A refill slower than the test, so what the pipe holds can be counted.
  const { socket, mailbox } = await box(t, { minRefillMs: 60_000, maxRefillMs: 60_000 });
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  assert.ok(await takeWithin(socket, KEY));
  let taken = 1;
  while (takeFromMailbox(socket, KEY, inMinutes(15)) !== undefined) taken++;
  assert.equal(taken, 65536 / RECORD_BYTES);
  mailbox.refill();
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15))?.credentials.accessKeyId, 'ASIAALICE');
});

test('remove takes back every copy at once; a replaced session is never handed out again', { skip }, async (t) => {
  const { socket, mailbox } = await box(t);
  mailbox.post(KEY, sessionToJson(session('ASIAOLD')));
  assert.ok(await takeWithin(socket, KEY));
  mailbox.post(KEY, sessionToJson(session('ASIANEW')));
  for (let i = 0; i < 40; i++) {
    const s = takeFromMailbox(socket, KEY, inMinutes(15));
    if (s === undefined) await sleep(10);
    else assert.equal(s.credentials.accessKeyId, 'ASIANEW');
  }
  mailbox.remove(KEY);
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  assert.equal(existsSync(mailboxPath(socket, KEY)), false);
});

test('16 processes taking at once each get a whole copy, never a torn one', { skip }, async (t) => {
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
  assert.deepEqual(results, Array(16).fill('ASIABIG 2500'), 'the pipe held 16 whole copies for 16 callers');
});

test('no agent behind a pipe, or a record for another key in its place: nothing, and no wait', { skip }, async (t) => {
  const { dir, done } = tempDir();
  t.after(done);
  const socket = path.join(dir, 'agent.sock');
  mkdirSync(mailboxDir(socket), { mode: 0o700 });
  // A pipe left by an agent that was killed: nobody holds it open.
  await new Promise((resolve) => spawn('mkfifo', ['-m', '600', mailboxPath(socket, KEY)]).on('close', resolve));
  const started = Date.now();
  assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  assert.ok(Date.now() - started < 1000);
  // Two keys whose names collide would find each other's record: the key inside decides.
  writeFileSync(mailboxPath(socket, OTHER), encodeRecord(KEY, sessionToJson(session('ASIAFILE')))!);
  assert.equal(takeFromMailbox(socket, OTHER, inMinutes(15)), undefined);
});

test('a new mailbox clears what a dead agent left; close removes it', { skip }, async (t) => {
  const { dir, done } = tempDir();
  t.after(done);
  const socket = path.join(dir, 'agent.sock');
  mkdirSync(mailboxDir(socket), { mode: 0o700 });
  writeFileSync(path.join(mailboxDir(socket), 'leftover'), 'x');
  const mailbox = await openMailbox(socket);
  assert.deepEqual(readdirSync(mailboxDir(socket)), []);
  mailbox.post(KEY, sessionToJson(session('ASIAALICE')));
  assert.ok(await takeWithin(socket, KEY));
  mailbox.close();
  assert.equal(existsSync(mailboxDir(socket)), false);
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
