/**
 * The agent's mailbox, as the cached credential path reads it. Started fresh for every AWS call,
 * Node needs 10 to 12 ms to load `net` and its streams and make a first socket round trip: more
 * than everything else on that path together. So for each session it holds, the agent (see
 * mailbox-keeper.ts) also keeps a named pipe filled with copies of it, and a caller takes one
 * with three fs calls, without the event loop. Anything unexpected here means "no answer", and
 * the caller asks the agent over its socket instead.
 *
 * A copy is one record of exactly RECORD_BYTES: the JSON of {v, key, session} and a newline,
 * padded with spaces. On Linux that is PIPE_BUF, so each write lands whole or not at all, and
 * each read of that size takes exactly one record, however many callers read at once. The pipes
 * live in a directory of the serving agent's own, beside the socket (in the same directory only
 * the user can enter), reached through the link `current`: an agent that lost its socket to a
 * new one can post nothing callers would see. The copies are in kernel memory, never on disk.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { CachedSession } from '../cache/session-cache.js';
import { keyFileName } from '../cache/key-file-name.js';
import { sessionFromJson, type SessionJson } from './session-json.js';

export const RECORD_BYTES = 4096;
export const RECORD_VERSION = 1;

/** Only where pipes keep 4096-byte writes whole (PIPE_BUF): elsewhere the socket serves alone. */
export const MAILBOX_SUPPORTED = process.platform === 'linux';

export function mailboxDir(socket: string): string {
  return `${socket}.mailbox`;
}

/** The link to the serving agent's directory, which it replaces atomically when it starts. */
export function currentMailbox(socket: string): string {
  return `${mailboxDir(socket)}/current`;
}

export function mailboxPath(socket: string, key: string): string {
  return `${currentMailbox(socket)}/${keyFileName(key)}`;
}

/** The record for a session, or undefined when it would not fit in one. */
export function encodeRecord(key: string, session: SessionJson): Buffer | undefined {
  // JSON.stringify escapes every newline inside strings: the first newline ends the record.
  const json = Buffer.from(`${JSON.stringify({ v: RECORD_VERSION, key, session })}\n`, 'utf8');
  if (json.length > RECORD_BYTES) return undefined;
  const record = Buffer.alloc(RECORD_BYTES, 0x20);
  json.copy(record);
  return record;
}

/**
 * Takes one copy of the session stored under `key`, if the agent has posted one that lasts until
 * `validUntil`. Never blocks: an empty pipe, a pipe with no agent behind it, or no pipe at all
 * is undefined. What is there is not checked to be a pipe: the directory is the agent's own,
 * in a directory only the user can enter, and on a cold start each check costs time.
 */
export function takeFromMailbox(socket: string, key: string, validUntil: Date): CachedSession | undefined {
  if (!MAILBOX_SUPPORTED) return undefined;
  let fd: number;
  try {
    fd = openSync(mailboxPath(socket, key), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const record = Buffer.allocUnsafe(RECORD_BYTES);
  let n = 0;
  try {
    n = readSync(fd, record, 0, RECORD_BYTES, null);
  } catch {
    return undefined; // EAGAIN: the pipe is empty for now
  } finally {
    closeSync(fd);
  }
  const end = record.indexOf(0x0a);
  if (n !== RECORD_BYTES || end < 0) return undefined;
  try {
    const r = JSON.parse(record.toString('utf8', 0, end)) as { v?: unknown; key?: unknown; session?: unknown };
    if (r.v !== RECORD_VERSION || r.key !== key) return undefined;
    const session = sessionFromJson(r.session);
    return session !== undefined && session.credentials.expiration.getTime() >= validUntil.getTime() ? session : undefined;
  } catch {
    return undefined;
  }
}
