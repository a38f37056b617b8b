/** Takes one copy from the agent mailbox and prints its key id and token length, or "none". Not a test file. */
import { takeFromMailbox } from '../../src/agent/mailbox.js';

const [socket, key] = process.argv.slice(2);
const s = takeFromMailbox(socket!, key!, new Date(Date.now() + 15 * 60_000));
process.stdout.write(s === undefined ? 'none\n' : `${s.credentials.accessKeyId} ${s.credentials.sessionToken.length}\n`);
