/**
 * The agent's side of the mailbox (see mailbox.ts): one named pipe per session it holds, kept
 * filled with copies. The agent holds each pipe open for reading and writing, so that it can
 * write with no reader present and take back what nobody read; callers never wait on it.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, promises as fs, readlinkSync, readSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { keyFileName } from '../cache/key-file-name.js';
import { currentMailbox, encodeRecord, MAILBOX_SUPPORTED, mailboxDir, RECORD_BYTES } from './mailbox.js';
import type { SessionJson } from './session-json.js';

export interface Mailbox {
  /** Posts copies of the session stored under `key`, replacing whatever was posted for it. */
  post(key: string, session: SessionJson): void;
  /** Takes back everything posted under `key`: after this no caller gets a copy. */
  remove(key: string): void;
  /** Tops the pipes up now: a caller asking over the socket suggests one ran dry. */
  refill(): void;
  /** Removes every pipe and the directory. */
  close(): void;
}

export interface MailboxOptions {
  /** Quickest re-check after someone took a copy. */
  minRefillMs?: number;
  /** Slowest re-check while nobody takes any. */
  maxRefillMs?: number;
}

interface Box {
  file: string;
  record: Buffer;
  fd?: number;
}

const NO_MAILBOX: Mailbox = { post() {}, remove() {}, refill() {}, close() {} };

/**
 * Node cannot make a named pipe itself; mkfifo(1) is in coreutils (and in every BSD and macOS).
 * The agent runs with an empty environment, so it is looked for where systems keep it. Without
 * it there is no mailbox and callers use the socket, as on other systems.
 */
const MKFIFO = ['/usr/bin/mkfifo', '/bin/mkfifo', '/run/current-system/sw/bin/mkfifo'].find((p) => existsSync(p));

/**
 * Opens the mailbox beside `socket`: clears what earlier agents left, makes this agent's own
 * directory and points `current` at it. Only ever a speed-up: when any of that fails, there is
 * no mailbox and callers use the socket.
 */
export async function openMailbox(socket: string, options: MailboxOptions = {}): Promise<Mailbox> {
  if (!MAILBOX_SUPPORTED || MKFIFO === undefined) return NO_MAILBOX;
  const base = mailboxDir(socket);
  const own = `agent-${process.pid}-${Date.now().toString(36)}`;
  try {
    await fs.rm(base, { recursive: true, force: true });
    await fs.mkdir(path.join(base, own), { recursive: true, mode: 0o700 });
    await fs.chmod(base, 0o700);
    const link = `${currentMailbox(socket)}.${own}`;
    await fs.symlink(own, link);
    await fs.rename(link, currentMailbox(socket));
  } catch {
    return NO_MAILBOX;
  }
  return keeper(socket, path.join(base, own), MKFIFO, options);
}

function keeper(socket: string, dir: string, mkfifo: string, options: MailboxOptions): Mailbox {
  const minMs = options.minRefillMs ?? 20;
  const maxMs = options.maxRefillMs ?? 1000;
  const boxes = new Map<string, Box>();
  let timer: NodeJS.Timeout | undefined;
  let delay = minMs;
  let closed = false;

  /** Writes copies until the pipe is full; how many it wrote. */
  const fill = (box: Box): number => {
    if (box.fd === undefined) return 0;
    let n = 0;
    for (;;) {
      try {
        writeSync(box.fd, box.record, 0, RECORD_BYTES);
        n++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') shut(box);
        return n;
      }
    }
  };

  /** Reads back every copy still in the pipe. */
  const drain = (box: Box) => {
    if (box.fd === undefined) return;
    const scratch = Buffer.allocUnsafe(RECORD_BYTES);
    try {
      while (readSync(box.fd, scratch, 0, RECORD_BYTES, null) > 0);
    } catch {
      // EAGAIN: empty
    }
  };

  const shut = (box: Box) => {
    if (box.fd === undefined) return;
    drain(box);
    closeSync(box.fd);
    box.fd = undefined;
  };

  const tick = () => {
    timer = undefined;
    let taken = 0;
    for (const box of boxes.values()) taken += fill(box);
    // Someone is reading: look again soon. Nobody is: look less and less often.
    delay = taken > 0 ? minMs : Math.min(delay * 2, maxMs);
    schedule();
  };

  const schedule = () => {
    if (closed || timer !== undefined || boxes.size === 0) return;
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  /** Each pipe is made under a name of its own and renamed into place, so late or repeated posts never collide. */
  let made = 0;
  const open = (key: string, box: Box) => {
    const fresh = `${box.file}.${++made}`;
    execFile(mkfifo, ['-m', '600', fresh], { env: {} }, (err) => {
      if (err !== null) return;
      if (closed || boxes.get(key) !== box) return unlinkQuietly(fresh);
      try {
        box.fd = openSync(fresh, constants.O_RDWR | constants.O_NONBLOCK);
        renameSync(fresh, box.file);
      } catch {
        shut(box);
        return unlinkQuietly(fresh);
      }
      fill(box);
      delay = minMs;
      schedule();
    });
  };

  const remove = (key: string) => {
    const box = boxes.get(key);
    if (box === undefined) return;
    boxes.delete(key);
    // Unlinked first, so that no new caller opens it; then whatever is left is taken back.
    unlinkQuietly(box.file);
    shut(box);
  };

  return {
    post(key, session) {
      if (closed) return;
      // Copies of an earlier session under this key are taken back before the new one goes in.
      remove(key);
      const record = encodeRecord(key, session);
      if (record === undefined) return;
      const file = path.join(dir, keyFileName(key));
      // Two keys whose names collide: the first keeps the pipe, the other is served by the socket.
      for (const other of boxes.values()) if (other.file === file) return;
      const fresh: Box = { file, record };
      boxes.set(key, fresh);
      open(key, fresh);
    },
    remove,
    refill() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      delay = minMs;
      tick();
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const key of [...boxes.keys()]) remove(key);
      try {
        // `current` is taken away only while it is still this agent's: a newer agent owns it otherwise.
        if (readlinkSync(currentMailbox(socket)) === path.basename(dir)) unlinkSync(currentMailbox(socket));
      } catch {
        // no link left
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
