/**
 * Another writer, in its own process, for the tests of concurrent and killed writers.
 *
 *   node writer.js kill-files HOME   rewrites every kind of file mfa-login writes, as fast as it can,
 *                                    until it is killed: the credentials file (as `login` does), the
 *                                    config file (as `setup` does), a session cache entry. Prints
 *                                    "ready" once it is writing.
 *   node writer.js kill-keys HOME    the same with the encrypted key file.
 *   node writer.js slow FILE SECTION GATE
 *                                    one locked edit of FILE that adds [SECTION], slowed down: prints
 *                                    "editing" once it holds the lock and has read the file, and
 *                                    replaces the file only once GATE exists. Prints "wrote".
 *   node writer.js edit FILE SECTION WAIT_MS
 *                                    one locked edit adding [SECTION], waiting up to WAIT_MS for the
 *                                    lock. Prints "wrote", or the error and exits 1.
 *   node writer.js hold LOCK         takes the lock LOCK, prints "held", and keeps it until killed.
 *
 * The edits go through the product's one locked read-modify-write (editFile), as every command's do.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setSectionValues } from '../../src/output/ini-edit.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { EncryptedFileStore } from '../../src/secrets/file-store.js';
import { editFile } from '../../src/files/edit-file.js';
import { takeLock } from '../../src/files/lock-file.js';

const [mode, ...args] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sectionOf = (tag: string): [string, string][] => [
  ['aws_access_key_id', `ASIA${tag}AAAAAAAA`],
  ['aws_secret_access_key', `secret${tag}`.padEnd(40, 'x')],
  ['aws_session_token', `token${tag}`.repeat(50)],
  ['expiration', '2030-01-01T00:00:00Z'],
];
// Nothing here waits for ever: a test that fails leaves no writer behind for long.
const BOUND_MS = 120_000;
setTimeout(() => process.exit(3), BOUND_MS).unref();

if (mode === 'kill-files' || mode === 'kill-keys') {
  const home = args[0]!;
  const creds = path.join(home, '.aws/credentials');
  const config = path.join(home, '.aws/config');
  const cache = dirStore({ mode: 'file', dir: path.join(home, 'cache'), ram: false, uid: process.getuid?.(), waitMs: 10_000 });
  const store = new EncryptedFileStore({ file: path.join(home, 'keys.enc'), passphrase: async () => 'pass phrase' });
  for (let i = 0; ; i++) {
    const tag = String(i).padStart(8, '0');
    if (mode === 'kill-keys') {
      await store.set('alice', { accessKeyId: `AKIA${tag}AAAAAAAA`, secretAccessKey: `k${tag}`.padEnd(40, 'k') });
      if (i === 0) process.stdout.write('ready\n');
      continue;
    }
    await editFile(creds, (text) => setSectionValues(text ?? '', 'target', sectionOf(tag)), { waitMs: 10_000 });
    await editFile(config, (text) => setSectionValues(text ?? '', 'profile target-mfa', [['credential_process', `/usr/bin/node /x/bin/mfa-login.js credential-process target-${tag}`]]), { waitMs: 10_000 });
    const got = await cache.acquire('0'.repeat(40), new Date(Date.now() + 3600_000), 'target');
    if (got.lease) {
      await got.lease.put({ kind: 'role', profiles: ['alice', 'target'], subject: 'arn:aws:iam::222222222222:role/Admin', credentials: { accessKeyId: `ASIA${tag}AAAAAAAA`, secretAccessKey: 's'.repeat(40), sessionToken: `t${tag}`, expiration: new Date(Date.now() + 1000) } });
    }
    if (i === 0) process.stdout.write('ready\n');
  }
} else if (mode === 'slow') {
  const [file, section, gate] = args as [string, string, string];
  await editFile(
    file,
    async (text) => {
      process.stdout.write('editing\n');
      while (!existsSync(gate)) await sleep(20);
      return setSectionValues(text ?? '', section, sectionOf('SLOWSLOW'));
    },
    { waitMs: 60_000 },
  );
  process.stdout.write('wrote\n');
  process.exit(0);
} else if (mode === 'edit') {
  const [file, section, waitMs] = args as [string, string, string];
  try {
    await editFile(file, (text) => setSectionValues(text ?? '', section, sectionOf('EDITEDIT')), { waitMs: Number(waitMs) });
    process.stdout.write('wrote\n');
    process.exit(0);
  } catch (e) {
    process.stdout.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
} else if (mode === 'hold') {
  await takeLock(args[0]!, { waitMs: 60_000, busy: () => new Error('busy'), cannotTake: (e) => e });
  process.stdout.write('held\n');
  setInterval(() => {}, 60_000);
}
