import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MfaLoginError } from '../../src/errors.js';
import { EncryptedFileStore, type PassphraseRequest } from '../../src/secrets/file-store.js';
import { defaultKeyFilePath } from '../../src/settings.js';
import { distSecrets, run, tempDir } from './helpers.js';

const alice = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/Secret+Key/ExampleExampleExample01' };
const bob = { accessKeyId: 'AKIABOBEXAMPLE000002', secretAccessKey: 'bob/Secret+Key/ExampleExampleExample0002' };

function storeIn(dir: string, passphrase = 'correct horse battery staple') {
  const asked: PassphraseRequest[] = [];
  const file = path.join(dir, 'mfa-login', 'keys.enc');
  const store = new EncryptedFileStore({
    file,
    passphrase: async (request) => {
      asked.push(request);
      return passphrase;
    },
  });
  return { store, file, asked };
}

async function failure(p: Promise<unknown>): Promise<MfaLoginError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MfaLoginError, `not a MfaLoginError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('EncryptedFileStore', () => {
  test('round trip, across store instances, with the passphrase asked once per instance', async () => {
    const dir = tempDir('filestore');
    const { store, file, asked } = storeIn(dir);
    assert.equal(store.backend, 'file');
    assert.equal(store.location, file);

    await store.set('zeta', bob);
    await store.set('alpha', alice);
    await store.set('ünïcødé 🔐', alice);
    await store.set('__proto__', bob);
    assert.deepEqual(await store.get('alpha'), alice);
    assert.deepEqual(await store.list(), ['__proto__', 'alpha', 'zeta', 'ünïcødé 🔐']);
    assert.deepEqual(asked, [{ file, creating: true }, { file, creating: true, repeat: true }], 'a new passphrase is asked twice');

    const again = storeIn(dir);
    assert.deepEqual(await again.store.get('zeta'), bob);
    assert.deepEqual(await again.store.get('__proto__'), bob);
    assert.deepEqual(await again.store.get('ünïcødé 🔐'), alice);
    assert.equal(await again.store.get('nobody'), undefined);
    await again.store.set('alpha', bob);
    assert.equal(await again.store.remove('zeta'), true);
    assert.equal(await again.store.remove('zeta'), false);
    assert.deepEqual(asked.length, 2);
    assert.deepEqual(again.asked, [{ file, creating: false }]);

    const third = storeIn(dir);
    assert.deepEqual(await third.store.list(), ['__proto__', 'alpha', 'ünïcødé 🔐']);
    assert.deepEqual(await third.store.get('alpha'), bob);
  });

  test('concurrent sets in one process both land', async () => {
    const { store } = storeIn(tempDir('filestore'));
    await Promise.all([store.set('a', alice), store.set('b', bob), store.set('c', alice)]);
    assert.deepEqual(await store.list(), ['a', 'b', 'c']);
  });

  test('a missing file is an empty store, and no passphrase is asked for it', async () => {
    const { store, asked } = storeIn(tempDir('filestore'));
    assert.equal(await store.get('alpha'), undefined);
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.remove('alpha'), false);
    assert.deepEqual(asked, []);
  });

  test('a wrong passphrase says so, naming the file', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir, 'right');
    await store.set('alpha', alice);
    const e = await failure(storeIn(dir, 'wrong').store.get('alpha'));
    assert.equal(e.code, 'E_FILE_STORE_PASSPHRASE');
    assert.equal(e.message, `cannot decrypt ${file}: wrong passphrase or damaged file`);
    assert.ok(e.hint);
    assert.ok(!e.message.includes(alice.secretAccessKey));
  });

  test('a damaged file, or edited scrypt parameters, read as "wrong passphrase or damaged"', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir);
    await store.set('alpha', alice);
    const original = readFileSync(file, 'utf8');
    const [header, body] = original.split('\n') as [string, string];

    const edits = [
      `${header}\n${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}\n`,
      `${header.replace('"p":1', '"p":2')}\n${body}\n`,
      `${header.replace(/"iv":"[^"]*"/, '"iv":"AAAAAAAAAAAAAAAA"')}\n${body}\n`,
    ];
    for (const text of edits) {
      writeFileSync(file, text);
      const e = await failure(storeIn(dir).store.get('alpha'));
      assert.equal(e.code, 'E_FILE_STORE_PASSPHRASE');
    }

    writeFileSync(file, '[default]\naws_access_key_id = x\n');
    const e = await failure(storeIn(dir).store.get('alpha'));
    assert.equal(e.code, 'E_FILE');
    assert.equal(e.message, `${file} is not an mfa-login key file`);
  });

  test('file mode 0600 in a directory 0700, header with format version and scrypt parameters', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir);
    await store.set('alpha', alice);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? '') as Record<string, unknown>;
    assert.equal(header.format, 'mfa-login-keys');
    assert.equal(header.version, 1);
    assert.equal(header.kdf, 'scrypt');
    assert.equal(header.N, 2 ** 15);
    assert.equal(header.cipher, 'aes-256-gcm');
    assert.equal(typeof header.salt, 'string');
  });

  test('neither the keys nor the profile names appear in the file bytes', async () => {
    const { store, file } = storeIn(tempDir('filestore'));
    await store.set('production-admin', alice);
    const bytes = readFileSync(file);
    for (const needle of [alice.secretAccessKey, alice.accessKeyId, 'production-admin', 'correct horse']) {
      assert.equal(bytes.indexOf(Buffer.from(needle)), -1, `${needle} is readable in the file`);
    }
  });

  test('a write that fails halfway keeps the old file intact and leaves no temporary file', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir);
    await store.set('alpha', alice);
    const before = readFileSync(file);

    // A real failure in the middle of writing: the kernel refuses to grow any file past 2 KiB
    // (EFBIG; SIGXFSZ ignored so the write returns an error instead of killing the process).
    const script = `
      const { EncryptedFileStore } = await import(process.env.STORE_URL);
      const store = new EncryptedFileStore({ file: process.env.KEY_FILE, passphrase: async () => 'correct horse battery staple' });
      try {
        await store.set('huge', { accessKeyId: 'AKIAHUGE', secretAccessKey: 'x'.repeat(50000) });
        console.log(JSON.stringify({ ok: true }));
      } catch (e) {
        console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }));
      }
    `;
    const out = await run('sh', ['-c', 'trap "" XFSZ; ulimit -f 4 && exec "$@"', 'sh', process.execPath, '--input-type=module', '-e', script], {
      env: { ...process.env, STORE_URL: new URL('file-store.js', distSecrets).href, KEY_FILE: file },
    });
    const result = JSON.parse(out.stdout) as { ok: boolean; code?: string; message?: string };
    assert.equal(result.ok, false, out.stderr);
    assert.equal(result.code, 'E_FILE');
    assert.match(result.message ?? '', new RegExp(`^cannot write ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(EFBIG|too large)`, 'i'));

    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(readdirSync(path.dirname(file)), ['keys.enc']);
    const reopened = storeIn(dir).store;
    assert.deepEqual(await reopened.list(), ['alpha']);
    assert.deepEqual(await reopened.get('alpha'), alice);
  });

  test('a new passphrase typed differently the second time stores nothing and says so', async () => {
    const dir = tempDir('filestore');
    const file = path.join(dir, 'mfa-login', 'keys.enc');
    const answers = ['first try', 'first tyr'];
    const asked: PassphraseRequest[] = [];
    const store = new EncryptedFileStore({ file, passphrase: async (r) => (asked.push(r), answers.shift()!) });
    const e = await failure(store.set('alpha', alice));
    assert.equal(e.code, 'E_FILE_STORE_PASSPHRASE');
    assert.equal(e.message, `the two passphrases typed for the new ${file} differ; nothing was stored`);
    assert.equal(e.exitStatus, 7);
    assert.deepEqual(asked, [{ file, creating: true }, { file, creating: true, repeat: true }]);
    assert.deepEqual(readdirSync(dir), [], 'no key file, no directory for it, no lock');
  });

  test('scrypt parameters far from the ones written are a damaged file, found before the passphrase is asked or scrypt runs', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir);
    await store.set('alpha', alice);
    const [header, body] = readFileSync(file, 'utf8').split('\n') as [string, string];
    // 2^22 took 145 s and 4 GiB before this bound; N=2 made scrypt itself fail.
    for (const [field, value] of [['N', 2 ** 22], ['N', 2 ** 30], ['N', 2 ** 17], ['N', 2], ['N', 2 ** 13], ['N', 3 * 2 ** 14], ['r', 1], ['r', 64], ['p', 0], ['p', 3], ['p', 1000], ['N', '"32768"']] as const) {
      writeFileSync(file, `${header.replace(new RegExp(`"${field}":\\d+`), `"${field}":${value}`)}\n${body}\n`);
      const opened = storeIn(dir);
      const started = Date.now();
      const e = await failure(opened.store.get('alpha'));
      assert.equal(e.code, 'E_FILE_STORE_PASSPHRASE', `${field}=${value}`);
      assert.match(e.message, new RegExp(`^cannot decrypt .*keys\\.enc: damaged file \\(its scrypt parameters \\(N=.*\\) are not ones mfa-login writes\\)$`), `${field}=${value}`);
      assert.deepEqual(opened.asked, [], `${field}=${value}: no passphrase asked`);
      assert.ok(Date.now() - started < 10_000, `${field}=${value}: ${Date.now() - started} ms`);
    }
  });

  test('typed by a person (three tries): an empty new passphrase, then two that differ, are asked again, and the keys are stored', async () => {
    const dir = tempDir('filestore');
    const file = path.join(dir, 'mfa-login', 'keys.enc');
    const answers = ['', 'first try', 'first tyr', 'second', 'second'];
    const asked: PassphraseRequest[] = [];
    const store = new EncryptedFileStore({ file, attempts: 3, passphrase: async (r) => (asked.push(r), answers.shift()!) });
    await store.ready();
    assert.deepEqual(readdirSync(dir), [], 'ready() writes nothing');
    await store.set('alpha', alice);
    assert.deepEqual(asked, [
      { file, creating: true },
      { file, creating: true, problem: 'The passphrase cannot be empty.' },
      { file, creating: true, repeat: true },
      { file, creating: true, problem: 'The two passphrases differ.' },
      { file, creating: true, repeat: true },
    ]);
    assert.deepEqual(await storeIn(dir, 'second').store.get('alpha'), alice);
  });

  test('typed by a person: a wrong passphrase for the file is asked again; three wrong ones are the error', async () => {
    const dir = tempDir('filestore');
    const { store, file } = storeIn(dir, 'right');
    await store.set('alpha', alice);
    const answers = ['wrong', 'right'];
    const asked: PassphraseRequest[] = [];
    const retyped = new EncryptedFileStore({ file, attempts: 3, passphrase: async (r) => (asked.push(r), answers.shift()!) });
    await retyped.ready();
    assert.deepEqual(await retyped.get('alpha'), alice);
    assert.deepEqual(asked, [{ file, creating: false }, { file, creating: false, problem: 'That passphrase does not open the file.' }]);

    const hopeless = new EncryptedFileStore({ file, attempts: 3, passphrase: async () => 'wrong' });
    const e = await failure(hopeless.get('alpha'));
    assert.equal(e.message, `cannot decrypt ${file}: wrong passphrase or damaged file`);
  });

  test('an empty passphrase is refused', async () => {
    const { store } = storeIn(tempDir('filestore'), '');
    const e = await failure(store.set('alpha', alice));
    assert.equal(e.code, 'E_FILE_STORE_PASSPHRASE');
  });
});

describe('defaultKeyFilePath', () => {
  const cases: Array<[Record<string, string | undefined>, string]> = [
    [{}, '/home/u/.config/mfa-login/keys.enc'],
    [{ XDG_CONFIG_HOME: '/xdg' }, '/xdg/mfa-login/keys.enc'],
    [{ XDG_CONFIG_HOME: '' }, '/home/u/.config/mfa-login/keys.enc'],
    [{ XDG_CONFIG_HOME: 'relative/dir' }, '/home/u/.config/mfa-login/keys.enc'],
  ];
  for (const [env, expected] of cases) {
    test(JSON.stringify(env), () => assert.equal(defaultKeyFilePath(env, '/home/u'), expected));
  }
});
