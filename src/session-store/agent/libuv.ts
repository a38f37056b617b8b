/**
 * libuv's pipe and stream handles, as node:net uses them underneath (lib/net.js,
 * internal/stream_base_commons.js): what the cached path's request (ask.ts) and the agent's
 * listener (line-server.ts) speak through, without net's stream machinery. They come from
 * `process.binding('pipe_wrap')` and `('stream_wrap')`, bindings Node keeps open to programs
 * (processBindingAllowList) though it calls process.binding deprecated (DEP0111, in the
 * documentation only). Where any part is missing or behaves otherwise (a later Node,
 * `--experimental-permission`), or where using it would print a warning (`--pending-deprecation`), there is
 * none, and the callers take the slower way.
 */

/** A pipe handle: a connection (SOCKET) or a listener (SERVER). */
export interface PipeHandle {
  connect(req: object, address: string): number;
  bind(address: string): number;
  listen(backlog: number): number;
  readStart(): number;
  /** Bytes written but not yet taken by the other end. */
  readonly writeQueueSize: number;
  writeUtf8String(req: object, text: string): number;
  close(callback?: () => void): void;
  onread: (buffer: ArrayBuffer | undefined) => void;
  onconnection: (status: number, client: PipeHandle | undefined) => void;
  /** The descriptor once connecting or binding has begun; -1 where there is none (Windows). */
  readonly fd: number;
}

export interface Libuv {
  Pipe: new (type: number) => PipeHandle;
  PipeConnectWrap: new () => { oncomplete: (status: number) => void };
  WriteWrap: new () => { handle: PipeHandle; oncomplete: (status: number) => void };
  SOCKET: number;
  SERVER: number;
  /** Where a read's byte count (negative: the end, or an error) and the data's offset are left. */
  state: Int32Array;
  nread: number;
  offset: number;
}

/** The handles, or undefined where they are not as expected (see above). */
export function libuv(): Libuv | undefined {
  const env = process.env;
  const options = `${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  if (options.includes('--pending-deprecation') || env.NODE_PENDING_DEPRECATION?.startsWith('1')) return undefined;
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const pipe = binding('pipe_wrap');
    const stream = binding('stream_wrap');
    const constants = pipe.constants as Record<string, unknown> | undefined;
    const b = {
      Pipe: pipe.Pipe,
      PipeConnectWrap: pipe.PipeConnectWrap,
      WriteWrap: stream.WriteWrap,
      SOCKET: constants?.SOCKET,
      SERVER: constants?.SERVER,
      state: stream.streamBaseState,
      nread: stream.kReadBytesOrError,
      offset: stream.kArrayBufferOffset,
    } as Libuv;
    const proto = (b.Pipe as unknown as { prototype?: Record<string, unknown> } | undefined)?.prototype ?? {};
    const fns = [b.Pipe, b.PipeConnectWrap, b.WriteWrap, proto.connect, proto.bind, proto.listen, proto.readStart, proto.writeUtf8String, proto.close];
    if (!fns.every((f) => typeof f === 'function') || !('writeQueueSize' in proto) || !(b.state instanceof Int32Array) || ![b.SOCKET, b.SERVER, b.nread, b.offset].every(Number.isInteger)) return undefined;
    return b;
  } catch {
    return undefined;
  }
}
