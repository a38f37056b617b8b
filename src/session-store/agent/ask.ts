/**
 * The cached path's one request to the agent: "the session for this probe" (route.ts), answered
 * from the routes the agent keeps beside its sessions, in one line each way on a fresh connection.
 *
 * It speaks through libuv's pipe handle as node:net does underneath, not through node:net: loading
 * net and the stream machinery it stands on costs a fresh process about 1.7 ms and 1.7 MiB, and its
 * socket a few more milliseconds to connect and read, more than the rest of a cached answer together
 * (`npm run bench`). Where the handle is missing or behaves otherwise (libuv.ts), nothing is
 * asked and the full path answers: slower, never wrong.
 *
 * Where the handle hands out its descriptor (a Unix socket), the process waits for the reply
 * itself: it writes the request at once and reads the reply on the descriptor with plain reads,
 * sleeping between them (Atomics.wait) until the reply is there. The event loop would write the
 * request only once the cached path had done everything else, and then call back when the socket
 * is readable: a cached call took about 0.1 ms longer that way (medians of 250 calls each). A
 * Windows named pipe has no descriptor: there the event loop waits.
 *
 * The ops are named, not numbered: an agent from before they existed answers `unknown op`, which
 * counts as a miss here, and the full path answers (and cannot note routes there until that agent
 * has gone). Anything but a plain hit, within ASK_MS, is a miss: a dead or stale socket, a stopped
 * agent, a reply cut short. The full path then does it properly, with its own bounds and messages.
 */
import { readSync, writeSync } from 'node:fs';
import { sessionFromJson } from '../entry.js';
import { libuv } from './libuv.js';
import { jsonObject, type Probe, type RoutedAnswer, type RoutedSession } from '../route.js';

/** Asks for the session a probe leads to; the reply holds it, or `session: null`. */
export const ANSWER_OP = 'answer-route';
/** Notes a route (the full path, after it answered); the agent keeps it beside the profile's others. */
export const NOTE_OP = 'note-route';
/**
 * How long the cached path waits for the agent before the full path takes over: an agent that
 * answers at all answers in well under a millisecond, so this bounds only a stopped or stuck one.
 */
export const ASK_MS = 1000;
/** No answer is near this; a longer one is not a plain hit. */
const MAX_REPLY = 64 * 1024;

export interface AskOptions {
  /** How long the reply may take, from when the request went out (ASK_MS). */
  timeoutMs?: number;
  /** Wait in the event loop even where the handle has a descriptor (as on Windows), for the tests of that way. */
  eventLoop?: boolean;
}

/**
 * Sends the agent the request for the session it has for `probe`, valid until `validUntil` (ms),
 * and returns the function that gives the answer: the session, or undefined for anything else.
 * The caller does other work while the agent answers, then calls it (once, always: it closes the
 * connection). It answers at once where the process waits itself, with a promise where the event
 * loop waits (see above).
 */
export function askAgent(socket: string, probe: Probe, validUntil: number, options: AskOptions = {}): RoutedAnswer {
  const b = libuv();
  if (b === undefined) return () => undefined;
  const timeoutMs = options.timeoutMs ?? ASK_MS;
  const request = `${JSON.stringify({ op: ANSWER_OP, probe, validUntil })}\n`;
  const handle = new b.Pipe(b.SOCKET);
  handle.onread = () => {}; // a function, always: the binding aborts the process on anything else
  const req = new b.PipeConnectWrap();
  let connected = (_status: number) => {};
  req.oncomplete = (status) => connected(status);
  const close = (line: string | undefined): RoutedSession | undefined => {
    handle.onread = () => {};
    handle.close();
    return line === undefined ? undefined : answerIn(line, validUntil);
  };
  // Connecting a Unix socket is done by the time this returns; an error shows at the first write.
  if (handle.connect(req, socket) < 0) return () => close(undefined);
  const fd = options.eventLoop === true ? -1 : handle.fd;
  if (Number.isInteger(fd) && fd >= 0) {
    const sent = sendNow(fd, request);
    const since = Date.now();
    return () => close(sent ? replyNow(fd, since, timeoutMs) : undefined);
  }
  const answer = new Promise<RoutedSession | undefined>((resolve) => {
    const reply = new Reply();
    let settled = false;
    const done = (line: string | undefined) => {
      if (settled) return;
      settled = true;
      cancel();
      resolve(close(line));
    };
    const cancel = bound(timeoutMs, () => done(undefined));
    handle.onread = (buffer) => {
      const n = b.state[b.nread]!;
      if (buffer === undefined || n <= 0) return void (n < 0 ? done(undefined) : undefined); // < 0: the end, or an error
      const line = reply.add(new Uint8Array(buffer, b.state[b.offset]!, n));
      if (line !== null) done(line === false ? undefined : line);
    };
    connected = (status) => {
      if (settled) return;
      const write = new b.WriteWrap();
      write.handle = handle;
      write.oncomplete = () => {};
      if (status < 0 || handle.readStart() < 0 || handle.writeUtf8String(write, request) < 0) done(undefined);
    };
  });
  return () => answer;
}

/**
 * The request, written on the socket's descriptor: whether all of it went. A refused connection
 * fails here; a short write (never seen on a new socket) counts as a failure too.
 */
function sendNow(fd: number, request: string): boolean {
  try {
    // A string goes out without a Buffer made for it.
    return writeSync(fd, request) === Buffer.byteLength(request);
  } catch {
    return false;
  }
}

/**
 * The process waiting for the reply itself: reads until the line is complete, with sleeps between
 * them of an eighth of the time waited so far (50 µs at least: where the reply comes, a fraction
 * of a millisecond; up to about a tenth of a second if a stuck agent keeps it waiting to the bound,
 * `timeoutMs` after the request went out at `since`). The descriptor is non-blocking (libuv made
 * it so): a read with nothing there fails at once. The reply's line, or undefined for anything
 * else: the end before a line, the bound reached.
 */
function replyNow(fd: number, since: number, timeoutMs: number): string | undefined {
  try {
    const reply = new Reply();
    const deadline = since + timeoutMs;
    let sleeper: Int32Array | undefined;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, reply.bytes, reply.length, reply.bytes.length - reply.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return undefined;
        const now = Date.now();
        // A clock set back would make the sleeps nothing and the bound far: that is a miss too.
        if (now >= deadline || now < since) return undefined;
        sleeper ??= new Int32Array(new SharedArrayBuffer(4));
        // Nothing wakes this word: a sleep.
        Atomics.wait(sleeper, 0, 0, Math.min(0.05 + (now - since) / 8, deadline - now));
        continue;
      }
      if (n === 0) return undefined; // the end, with no line
      const line = reply.took(n);
      if (line !== null) return line === false ? undefined : line;
    }
  } catch {
    return undefined;
  }
}

/** A reply's bytes as they come in, up to the newline that ends its line. */
class Reply {
  readonly bytes = new Uint8Array(MAX_REPLY);
  length = 0;

  /**
   * After `n` more bytes are in `bytes` at `length`: the line's text once it is complete, null
   * while it goes on, false when it does not end within MAX_REPLY bytes.
   */
  took(n: number): string | null | false {
    const nl = this.bytes.subarray(this.length, this.length + n).indexOf(10);
    this.length += n;
    if (nl >= 0) return lineText(this.bytes.subarray(0, this.length - n + nl));
    return this.length >= this.bytes.length ? false : null;
  }

  /** Copies a chunk in (as the event loop reads them), and says as `took` does. */
  add(chunk: Uint8Array): string | null | false {
    const n = Math.min(chunk.length, this.bytes.length - this.length);
    this.bytes.set(chunk.subarray(0, n), this.length);
    return this.took(n);
  }
}

/** What `bound` uses of Atomics (waitAsync is ES2024, after the TypeScript library this builds with). */
export interface WaitingAtomics {
  waitAsync?: (word: Int32Array, index: number, value: number, ms: number) => { async: false; value: string } | { async: true; value: Promise<string> };
  notify?: (word: Int32Array, index: number, count?: number) => number;
}

/**
 * Calls `then` after `ms` (never before this returns) unless the returned function is called
 * first. The first setTimeout and clearTimeout of a fresh process cost it about 0.3 ms of Node's
 * timer code (more than the agent takes to answer); a wait on a shared word with a time limit is
 * V8's own, armed in microseconds. Nothing ever wakes the word but `cancel`. Unlike a timer, the
 * wait keeps no process alive (the connection it bounds does). Without Atomics.waitAsync
 * (`atomics` says what there is), the timer it is.
 */
export function bound(ms: number, then: () => void, atomics: WaitingAtomics = Atomics as WaitingAtomics): () => void {
  if (typeof atomics.waitAsync !== 'function' || typeof atomics.notify !== 'function' || typeof SharedArrayBuffer !== 'function') {
    const timer = setTimeout(then, ms);
    return () => clearTimeout(timer);
  }
  const word = new Int32Array(new SharedArrayBuffer(4));
  const wait = atomics.waitAsync(word, 0, 0, ms);
  let cancelled = false;
  // Settled at once ('timed-out') only for a limit of 0: `then` still comes later, never from in here.
  void (wait.async ? wait.value : Promise.resolve(wait.value)).then((outcome) => {
    if (outcome === 'timed-out' && !cancelled) then();
  });
  return () => {
    cancelled = true;
    atomics.notify!(word, 0);
  };
}

/**
 * A reply's line as text: Buffer's own UTF-8 decoder, applied to the bytes where they are.
 * Buffer.from and toString give the same, but their first calls cost a fresh process about 0.1 ms
 * of Node's buffer code.
 */
export function lineText(bytes: Uint8Array): string {
  const slice = (Buffer.prototype as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }).utf8Slice;
  return typeof slice === 'function' ? slice.call(bytes, 0, bytes.length) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** The agent's reply to ANSWER_OP as the cached path prints it, or undefined for a miss, a refusal or anything malformed. */
export function answerIn(line: string, validUntil: number): RoutedSession | undefined {
  const o = jsonObject(line);
  if (o === undefined || o.ok !== true) return undefined;
  const session = sessionFromJson(o.session);
  if (session === undefined || session.credentials.expiration.getTime() < validUntil) return undefined;
  const { accountId, region } = o;
  if ((accountId !== undefined && typeof accountId !== 'string') || (region !== undefined && typeof region !== 'string')) return undefined;
  return { credentials: session.credentials, ...(accountId !== undefined ? { accountId } : {}), ...(region !== undefined ? { region } : {}), agent: true };
}
