/**
 * A caller in its own process, for the concurrency tests (not a test file).
 *   node child.js COMMAND KEY [ARG]      with the store chosen by the environment (MFA_LOGIN_CACHE, HOME, ...)
 * COMMAND: race (acquire; with a lease, wait 300 ms and put a session with a random id),
 * hold (acquire, then wait to be killed), release-after MS (acquire; with a lease, wait and release).
 * Prints one JSON event per line. Run with no arguments (as `node --test DIR` does), it does nothing.
 */
import { randomBytes } from 'node:crypto';
import { openSessionStore } from '../../src/session-store/open.js';
import { isMfaLoginError } from '../../src/errors.js';
import { settingsFrom } from '../../src/settings.js';

const [command, key, arg] = process.argv.slice(2);

const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, at: Date.now() })}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const cache = openSessionStore(settingsFrom(process.env, process.env.HOME!));
  const got = await cache.acquire(key!, new Date(Date.now() + 15 * 60_000), `child-${process.pid}`);
  say({ event: 'acquired', got: got.lease ? 'lease' : 'session', ...(got.session ? { id: got.session.credentials.accessKeyId } : {}) });
  if (command === 'hold') {
    setInterval(() => {}, 60_000);
    return;
  }
  if (got.session !== undefined) {
    say({ event: 'done', got: 'session', id: got.session.credentials.accessKeyId });
    return;
  }
  if (command === 'release-after') {
    await sleep(Number(arg ?? 0));
    await got.lease.release();
    say({ event: 'released' });
    return;
  }
  await sleep(300);
  const id = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  await got.lease.put({
    kind: 'mfa-session',
    profiles: ['alice'],
    subject: 'arn:aws:iam::111111111111:mfa/alice',
    credentials: { accessKeyId: id, secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date(Date.now() + 3600_000) },
  });
  say({ event: 'done', got: 'lease', id });
}

if (command !== undefined) {
  main().catch((e: unknown) => {
    say({ event: 'error', code: isMfaLoginError(e) ? e.code : 'BUG', message: (e as Error).message });
    process.exitCode = 1;
  });
}
