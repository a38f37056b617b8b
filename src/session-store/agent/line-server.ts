/**
 * The agent's listener: on every connection, a reply line for each request line, in order.
 *
 * It listens through libuv's pipe handles (libuv.ts), not node:net: each connection through net
 * costs a socket object and its stream machinery, and the cached path, which opens a connection
 * for each call, waited about 0.2 ms longer for its reply from an agent listening through net
 * (the median from request to answer, over 100 calls each). Where the handles are missing, net
 * serves, as it did before.
 *
 * It never opens the socket to other users: the socket keeps its 0700 directory's protection and
 * the agent's umask (077), and the Windows pipe the default security descriptor (place.ts). Neither
 * way changes a mode (net would, for `readableAll`/`writableAll`: listenOptions keeps them off).
 */
import net from 'node:net';
import { libuv, type Libuv, type PipeHandle } from './libuv.js';
import { listenOptions } from './place.js';

/** Longest request line read; a longer one closes the connection. */
export const MAX_LINE = 1024 * 1024;
/** Connections waiting to be taken, as net's default. */
const BACKLOG = 511;
/**
 * Replies queued for a connection that does not read them, past which it is ended: a few bytes of
 * request get a reply many times their size, and the agent's memory is not for one client to fill.
 */
export const MAX_QUEUED = 4 * MAX_LINE;

export interface LineService {
  /** The reply to one request line, without its newline. */
  answer(line: string): string;
  /** A connection opened (+1) or ended (-1). */
  connections(change: 1 | -1): void;
  /** Listening at the socket. */
  listening(): void;
  /** Could not listen there. */
  failed(): void;
}

export interface LineServer {
  /** Stops listening (libuv removes a Unix socket's path then). */
  close(): void;
}

/** Serves `service` at `socket`; `via` chooses the way (the tests take both). */
export function serveLines(socket: string, service: LineService, via: 'libuv' | 'net' = 'libuv'): LineServer {
  const b = via === 'libuv' ? libuv() : undefined;
  return b === undefined ? throughNet(socket, service) : throughLibuv(b, socket, service);
}

/** Splits what a connection sends into lines; bytes until a newline, so a character cut between reads stays whole. */
class Lines {
  private pending: Buffer = Buffer.alloc(0);

  /** The lines completed by `chunk`, or undefined once more than MAX_LINE bytes come without one. */
  add(chunk: Buffer): string[] | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const lines: string[] = [];
    for (let nl = this.pending.indexOf(10); nl >= 0; nl = this.pending.indexOf(10)) {
      lines.push(this.pending.subarray(0, nl).toString('utf8'));
      this.pending = this.pending.subarray(nl + 1);
    }
    return this.pending.length > MAX_LINE ? undefined : lines;
  }
}

function throughLibuv(b: Libuv, socket: string, service: LineService): LineServer {
  const server = new b.Pipe(b.SERVER);
  server.onconnection = (status, client) => {
    if (status < 0 || client === undefined) return;
    service.connections(1);
    const lines = new Lines();
    let open = true;
    // The other end has closed its side: the replies still queued go out before the connection ends.
    let draining = false;
    const end = () => {
      if (!open) return;
      open = false;
      client.onread = () => {}; // a function, always: the binding aborts the process on anything else
      client.close(() => service.connections(-1));
    };
    client.onread = (buffer) => {
      const n = b.state[b.nread]!;
      if (n === 0) return;
      if (n < 0 || buffer === undefined) return client.writeQueueSize > 0 ? void (draining = true) : end(); // the other end closed, or an error
      // Each read comes in an ArrayBuffer of its own (as net takes it too): kept as it is.
      const got = lines.add(Buffer.from(buffer, b.state[b.offset]!, n));
      if (got === undefined) return end();
      for (const line of got) {
        const write = new b.WriteWrap();
        write.handle = client;
        write.oncomplete = (status) => void (status < 0 || (draining && client.writeQueueSize === 0) ? end() : undefined);
        if (!open || client.writeUtf8String(write, `${service.answer(line)}\n`) < 0 || client.writeQueueSize > MAX_QUEUED) return end();
      }
    };
    if (client.readStart() < 0) end();
  };
  if (server.bind(socket) < 0 || server.listen(BACKLOG) < 0) {
    server.close();
    service.failed();
  } else {
    service.listening();
  }
  return { close: () => server.close() };
}

function throughNet(socket: string, service: LineService): LineServer {
  const server = net.createServer((conn) => {
    service.connections(1);
    const lines = new Lines();
    conn.on('data', (chunk: Buffer) => {
      const got = lines.add(chunk);
      if (got === undefined) return void conn.destroy();
      for (const line of got) {
        conn.write(`${service.answer(line)}\n`);
        if (conn.writableLength > MAX_QUEUED) return void conn.destroy();
      }
    });
    conn.on('error', () => {});
    conn.on('close', () => service.connections(-1));
  });
  server.on('error', () => service.failed());
  server.listen(listenOptions(socket), () => service.listening());
  return { close: () => server.close() };
}

/** For the handle type's users elsewhere. */
export type { PipeHandle };
