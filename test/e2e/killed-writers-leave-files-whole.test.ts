import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIni } from '../../src/config/ini.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { EncryptedFileStore } from '../../src/secrets/file-store.js';

const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'writer.js');
const FILE_KILLS = 100;
const KEY_FILE_KILLS = 20;

const OTHER_CREDS = '# keep me\n[work]\naws_access_key_id = AKIAWORK000000000001\naws_secret_access_key = workSecretWorkSecretWorkSecretWorkSecret\n';
const OTHER_CONFIG = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\n; roles\n[profile target]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\n';

/** Starts a writer, waits until it is writing, lets it run a random while, then SIGKILLs it. */
function killWriterAtRandom(home: string, what: 'files' | 'keys'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, `kill-${what}`, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), Math.random() * (what === 'keys' ? 400 : 30)));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited by itself (${code})`))));
  });
}

function sandbox(): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-kill-'));
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws/credentials'), OTHER_CREDS);
  writeFileSync(path.join(home, '.aws/config'), OTHER_CONFIG);
  return home;
}

test(`credentials, config and cache writers killed at random points ${FILE_KILLS} times leave every file whole`, async () => {
  const home = sandbox();
  try {
    for (let i = 0; i < FILE_KILLS; i++) {
      await killWriterAtRandom(home, 'files');
      const creds = readFileSync(path.join(home, '.aws/credentials'), 'utf8');
      assert.ok(creds.startsWith(OTHER_CREDS), `kill ${i}: the other section is intact`);
      const target = parseIni(creds, 'credentials').find((s) => s.header === 'target');
      assert.ok(target, `kill ${i}: [target] present`);
      assert.deepEqual(Object.keys(target!.values), ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'expiration']);
      const tag = target!.values.aws_access_key_id!.slice(4, 12);
      assert.equal(target!.values.aws_session_token, `token${tag}`.repeat(50), `kill ${i}: one write, not two halves`);
      const config = readFileSync(path.join(home, '.aws/config'), 'utf8');
      assert.ok(config.startsWith(OTHER_CONFIG), `kill ${i}: config intact`);
      assert.ok(parseIni(config, 'config').some((s) => s.header === 'profile target-mfa'));
      assert.equal((await dirStore({ mode: 'file', dir: path.join(home, 'cache'), ram: false, uid: process.getuid?.(), waitMs: 10_000 }).list()).length, 1, `kill ${i}: the cache entry parses`);
    }
    // Temporary files of killed writers are cleared by the next write; at most the last one's remain.
    const debris = readdirSync(path.join(home, '.aws')).filter((f) => f.endsWith('.tmp'));
    assert.ok(debris.length <= 2, `leftover temporary files: ${debris.join(', ')}`);
    process.stdout.write(`# ${FILE_KILLS} writers killed; every file parsed after each kill\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test(`the encrypted key file survives ${KEY_FILE_KILLS} killed writers`, async () => {
  const home = sandbox();
  const store = new EncryptedFileStore({ file: path.join(home, 'keys.enc'), passphrase: async () => 'pass phrase' });
  try {
    for (let i = 0; i < KEY_FILE_KILLS; i++) {
      await killWriterAtRandom(home, 'keys');
      const keys = await store.get('alice');
      assert.match(keys!.accessKeyId, /^AKIA\d{8}AAAAAAAA$/, `kill ${i}: the key file decrypts`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
