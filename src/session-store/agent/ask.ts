/**
 * The cached path's one request to the agent: "the session for this probe" (route.ts), answered
 * from the routes the agent keeps beside its sessions, in one line each way on a fresh connection.
 *
 * It speaks through libuv's pipe handle as node:net does underneath, not through node:net: loading
 * net and the stream machinery it stands on costs a fresh process about 1.7 ms and 1.7 MiB, and its
 * socket a few more milliseconds to connect and read, more than the rest of a cached answer together
 * (`npm run bench`). The handle comes from `process.binding('pipe_wrap')`, one of the bindings
 * Node keeps open to programs (processBindingAllowList) though it calls process.binding deprecated
 * (DEP0111, in the documentation only). Where any part of it is missing or behaves otherwise (a
 * later Node, `--permission`, `--pending-deprecation`, which would print a warning), nothing is
 * asked and the full path answers: slower, never wrong.
 *
 * The ops are named, not numbered: an agent from before they existed answers `unknown op`, which
 * counts as a miss here, and the full path answers (and cannot note routes there until that agent
 * has gone). Anything but a plain hit, within ASK_MS, is a miss: a dead or stale socket, a stopped
 * agent, a reply cut short. The full path then does it properly, with its own bounds and messages.
 */
import { sessionFromJson } from '../entry.js';
import { jsonObject, type Probe, type RoutedSession } from '../route.js';

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

/** What is used of libuv's pipe and stream bindings (node's lib/net.js and internal/stream_base_commons.js use them so). */
interface PipeHandle {
  connect(req: object, address: string): number;
  readStart(): number;
  writeUtf8String(req: object, text: string): number;
  close(): void;
  onread: (buffer: ArrayBuffer | undefined) => void;
}
interface Bindings {
  Pipe: new (type: number) => PipeHandle;
  PipeConnectWrap: new () => { oncomplete: (status: number) => void };
  WriteWrap: new () => { handle: PipeHandle; oncomplete: () => void };
  SOCKET: number;
  state: Int32Array;
  nread: number;
  offset: number;
}

/** The bindings, or undefined where they are not as expected (see above). */
function bindings(): Bindings | undefined {
  const env = process.env;
  const options = `${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  if (options.includes('--pending-deprecation') || env.NODE_PENDING_DEPRECATION?.startsWith('1')) return undefined;
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const pipe = binding('pipe_wrap');
    const stream = binding('stream_wrap');
    const b = {
      Pipe: pipe.Pipe,
      PipeConnectWrap: pipe.PipeConnectWrap,
      WriteWrap: stream.WriteWrap,
      SOCKET: (pipe.constants as Record<string, unknown> | undefined)?.SOCKET,
      state: stream.streamBaseState,
      nread: stream.kReadBytesOrError,
      offset: stream.kArrayBufferOffset,
    } as Bindings;
    const proto = (b.Pipe as unknown as { prototype?: Record<string, unknown> } | undefined)?.prototype ?? {};
    const fns = [b.Pipe, b.PipeConnectWrap, b.WriteWrap, proto.connect, proto.readStart, proto.writeUtf8String, proto.close];
    if (!fns.every((f) => typeof f === 'function') || !(b.state instanceof Int32Array) || ![b.SOCKET, b.nread, b.offset].every(Number.isInteger)) return undefined;
    return b;
  } catch {
    return undefined;
  }
}

/** The session the agent at `socket` has for `probe`, valid until `validUntil` (ms); undefined for anything else. */
export function askAgent(socket: string, probe: Probe, validUntil: number, timeoutMs = ASK_MS): Promise<RoutedSession | undefined> | undefined {
  const b = bindings();
  if (b === undefined) return undefined;
  return new Promise((resolve) => {
    const handle = new b.Pipe(b.SOCKET);
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const done = (found: RoutedSession | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      handle.onread = () => {}; // a function, always: the binding aborts the process on anything else
      handle.close();
      resolve(found);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    handle.onread = (buffer) => {
      const n = b.state[b.nread]!;
      if (buffer === undefined || n <= 0) return void (n < 0 ? done(undefined) : undefined); // < 0: the end, or an error
      const chunk = Buffer.from(buffer, b.state[b.offset]!, n);
      const nl = chunk.indexOf(10);
      chunks.push(nl < 0 ? Buffer.from(chunk) : chunk.subarray(0, nl));
      length += nl < 0 ? n : nl;
      if (nl >= 0) done(answerIn(Buffer.concat(chunks, length).toString('utf8'), validUntil));
      else if (length > MAX_REPLY) done(undefined);
    };
    const req = new b.PipeConnectWrap();
    req.oncomplete = (status) => {
      if (settled) return;
      const write = new b.WriteWrap();
      write.handle = handle;
      write.oncomplete = () => {};
      if (status < 0 || handle.readStart() < 0 || handle.writeUtf8String(write, `${JSON.stringify({ op: ANSWER_OP, probe, validUntil })}\n`) < 0) done(undefined);
    };
    if (handle.connect(req, socket) < 0) done(undefined);
  });
}

/** The agent's reply to ANSWER_OP as the cached path prints it, or undefined for a miss, a refusal or anything malformed. */
export function answerIn(line: string, validUntil: number): RoutedSession | undefined {
  const o = jsonObject(line);
  if (o === undefined || o.ok !== true) return undefined;
  const session = sessionFromJson(o.session);
  if (session === undefined || session.credentials.expiration.getTime() < validUntil) return undefined;
  const { accountId, region } = o;
  if ((accountId !== undefined && typeof accountId !== 'string') || (region !== undefined && typeof region !== 'string')) return undefined;
  return { credentials: session.credentials, ...(accountId !== undefined ? { accountId } : {}), ...(region !== undefined ? { region } : {}) };
}
