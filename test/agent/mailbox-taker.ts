/**
 * Reads one record from the agent mailbox the raw way and says what it got: "empty" (nothing
 * there), "whole ID TOKENLENGTH" (a record that parses, for the key asked), or "torn" (anything
 * else). Not a test file.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { mailboxPath, RECORD_BYTES } from '../../src/agent/mailbox.js';

const [socket, key] = process.argv.slice(2) as [string, string];
const fd = openSync(mailboxPath(socket, key), constants.O_RDONLY | constants.O_NONBLOCK);
const record = Buffer.alloc(RECORD_BYTES);
let n = 0;
try {
  n = readSync(fd, record, 0, RECORD_BYTES, null);
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
} finally {
  closeSync(fd);
}
let said = n === 0 ? 'empty' : 'torn';
if (n === RECORD_BYTES) {
  try {
    const r = JSON.parse(record.toString('utf8', 0, record.indexOf(0x0a))) as { key: string; session: { credentials: { accessKeyId: string; sessionToken: string } } };
    if (r.key === key && /^ *$/.test(record.toString('utf8', record.indexOf(0x0a) + 1))) said = `whole ${r.session.credentials.accessKeyId} ${r.session.credentials.sessionToken.length}`;
  } catch {
    // torn
  }
}
process.stdout.write(`${said}\n`);
