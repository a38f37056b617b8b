/**
 * A child process that rewrites every kind of file mfa-login writes, as fast as it can, until it
 * is killed: the credentials file (as `login` does), the config file (as `setup` does), a session
 * cache entry and the encrypted key file. Prints "ready" once it is writing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../src/files/atomic-write.js';
import { setSectionValues } from '../../src/output/ini-edit.js';
import { dirStore } from '../../src/cache/dir-store.js';
import { EncryptedFileStore } from '../../src/secrets/file-store.js';

const home = process.argv[2]!;
// The key file costs a scrypt derivation per process start; it gets its own, smaller share of kills.
const what = process.argv[3] === 'keys' ? 'keys' : 'files';
const creds = path.join(home, '.aws/credentials');
const config = path.join(home, '.aws/config');
const cache = dirStore({ mode: 'file', dir: path.join(home, 'cache'), ram: false, uid: process.getuid?.(), waitMs: 10_000 });
const store = new EncryptedFileStore({ file: path.join(home, 'keys.enc'), passphrase: async () => 'pass phrase' });

for (let i = 0; ; i++) {
  const tag = String(i).padStart(8, '0');
  if (what === 'keys') {
    await store.set('alice', { accessKeyId: `AKIA${tag}AAAAAAAA`, secretAccessKey: `k${tag}`.padEnd(40, 'k') });
    if (i === 0) process.stdout.write('ready\n');
    continue;
  }
  const text = readFileSync(creds, 'utf8');
  await writeFileAtomic(creds, setSectionValues(text, 'target', [
    ['aws_access_key_id', `ASIA${tag}AAAAAAAA`],
    ['aws_secret_access_key', `secret${tag}`.padEnd(40, 'x')],
    ['aws_session_token', `token${tag}`.repeat(50)],
    ['expiration', '2030-01-01T00:00:00Z'],
  ]));
  await writeFileAtomic(config, setSectionValues(readFileSync(config, 'utf8'), 'profile target-mfa', [['credential_process', `/usr/bin/node /x/bin/mfa-login.js credential-process target-${tag}`]]));
  const got = await cache.acquire('0'.repeat(40), new Date(Date.now() + 3600_000), 'target');
  if (got.lease) {
    await got.lease.put({ kind: 'role', profiles: ['alice', 'target'], subject: 'arn:aws:iam::222222222222:role/Admin', credentials: { accessKeyId: `ASIA${tag}AAAAAAAA`, secretAccessKey: 's'.repeat(40), sessionToken: `t${tag}`, expiration: new Date(Date.now() + 1000) } });
  }
  if (i === 0) process.stdout.write('ready\n');
}
