/**
 * The agent's listener (line-server.ts), both ways it listens: libuv's handle, and node:net where
 * that is missing. A real client on a real socket: one reply line for each request line, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MAX_LINE, MAX_QUEUED, serveLines, type LineServer } from '../../src/session-store/agent/line-server.js';
import { libuv } from '../../src/session-store/agent/libuv.js';

/** The libuv way falls back to net where the handles are missing: these tests must not. */
const handlesHere = (via: 'libuv' | 'net') => assert.ok(via === 'net' || libuv() !== undefined, 'libuv\'s handles are there to listen through');

/** Connects, writes the pieces 20 ms apart, and collects what comes back until the server closes or `lines` replies came. */
function converse(socket: string, pieces: Array<string | Buffer>, lines: number): Promise<{ replies: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let got = '';
    const timer = setTimeout(() => reject(new Error(`no ${lines} replies within 10 s: ${JSON.stringify(got)}`)), 10_000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      conn.destroy();
      resolve({ replies: got.split('\n').slice(0, -1), closed });
    };
    conn.on('error', reject);
    conn.setEncoding('utf8').on('data', (d: string) => {
      got += d;
      if (got.split('\n').length - 1 >= lines) finish(false);
    });
    conn.on('close', () => finish(true));
    pieces.forEach((p, i) => setTimeout(() => conn.writable && conn.write(p), 20 * i));
  });
}

for (const via of ['libuv', 'net'] as const) {
  test(`the agent's listener through ${via}: a reply for each line, in order, whole characters when a line comes in pieces; a line past the limit ends the connection`, async (t) => {
    handlesHere(via);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-lines-'));
    const socket = path.join(dir, 'agent.sock');
    const seen: string[] = [];
    let open = 0;
    const changes: number[] = [];
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const server = serveLines(
      socket,
      {
        answer: (line) => (seen.push(line), JSON.stringify({ echo: line })),
        connections: (change) => {
          open += change;
          changes.push(change);
        },
        listening,
        failed: () => assert.fail('could not listen'),
      },
      via,
    );
    t.after(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await ready;
    // "ø" is two bytes: cut between them, each piece alone is not whole UTF-8 (a busy machine may join them into one read).
    const bytes = Buffer.from('{"profile":"prød"}\nsecond\n');
    const cut = bytes.indexOf(Buffer.from('ø')) + 1;
    const { replies } = await converse(socket, [bytes.subarray(0, cut), bytes.subarray(cut, cut + 5), bytes.subarray(cut + 5)], 2);
    assert.deepEqual(replies, [JSON.stringify({ echo: '{"profile":"prød"}' }), JSON.stringify({ echo: 'second' })]);
    assert.deepEqual(seen, ['{"profile":"prød"}', 'second']);
    const long = await converse(socket, ['x'.repeat(MAX_LINE + 10)], 1);
    assert.equal(long.closed, true, 'a line past the limit ends the connection');
    assert.deepEqual(long.replies, []);
    for (let i = 0; i < 100 && open !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(open, 0, 'every connection counted out as it ended');
    assert.deepEqual([...changes].sort(), [-1, -1, 1, 1], 'two connections, each counted in and out once');
  });

  test(`the agent's listener through ${via}: a socket it cannot listen at is a failure it is told of`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-lines-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const failed = await new Promise<boolean>((resolve) => {
      const server = serveLines(path.join(dir, 'missing', 'agent.sock'), { answer: () => '', connections: () => {}, listening: () => resolve(false), failed: () => resolve(true) }, via);
      t.after(() => server.close());
    });
    assert.equal(failed, true);
  });
}

/** A line server in a fresh directory whose every reply is `reply`, closed and removed after the test. */
async function replying(t: import('node:test').TestContext, via: 'libuv' | 'net', reply: string): Promise<{ socket: string; open: () => number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-lines-'));
  const socket = path.join(dir, 'agent.sock');
  let open = 0;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const server: LineServer = serveLines(socket, { answer: () => reply, connections: (c) => void (open += c), listening, failed: () => assert.fail('could not listen') }, via);
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await ready;
  return { socket, open: () => open };
}

for (const via of ['libuv', 'net'] as const) {
  test(`the agent's listener through ${via}: a client that closes its side after asking still gets every reply whole`, async (t) => {
    handlesHere(via);
    const big = 'z'.repeat(300_000); // more than a socket's buffer: part of it is still queued when the client's end arrives
    const { socket } = await replying(t, via, big);
    const got = await new Promise<string>((resolve, reject) => {
      const conn = net.connect(socket);
      let text = '';
      conn.setEncoding('utf8').on('data', (d: string) => (text += d));
      conn.on('end', () => resolve(text));
      conn.on('error', reject);
      conn.end('one\ntwo\n'); // the request, then the end of the client's side
    });
    assert.equal(got, `${big}\n${big}\n`);
  });

  test(`the agent's listener through ${via}: a client that asks and never reads is ended once its replies queue up past the limit`, async (t) => {
    handlesHere(via);
    const { socket, open } = await replying(t, via, 'y'.repeat(MAX_LINE));
    const conn = net.connect(socket);
    t.after(() => conn.destroy());
    conn.on('error', () => {});
    conn.pause(); // never reads
    await new Promise<void>((resolve) => conn.once('connect', resolve));
    for (let i = 0; i < 500 && open() !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(open(), 1, 'the connection is counted');
    conn.write('x\n'.repeat(Math.ceil(MAX_QUEUED / MAX_LINE) + 8));
    for (let i = 0; i < 500 && open() !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(open(), 0, 'the connection was ended by the agent, though the client is still there');
  });
}
