import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MfaLoginError } from '../../src/errors.js';
import { openSecretStore, type OpenSecretStoreOptions } from '../../src/secrets/open-store.js';
import { settingsFrom } from '../../src/settings.js';
import { distSecrets, isolatedEnv, realIo, run, tempDir } from './helpers.js';

const neverAsk = async (): Promise<string> => assert.fail('no passphrase should be asked');
const noWarning = (line: string) => assert.fail(`unexpected warning: ${line}`);

/** The stores for an environment, with the record beside the key file's default place in `home`. */
function open(env: Record<string, string | undefined>, home: string, askPassphrase: OpenSecretStoreOptions['askPassphrase'] = neverAsk) {
  const settings = settingsFrom(env, home);
  return openSecretStore({ settings, askPassphrase, io: realIo(settings), warn: noWarning });
}

describe('openSecretStore', () => {
  test('keychain by default, and when MFA_LOGIN_BACKEND is empty or "keychain"', () => {
    for (const env of [{}, { MFA_LOGIN_BACKEND: '' }, { MFA_LOGIN_BACKEND: 'keychain' }]) {
      const store = open(env, '/home/u');
      assert.equal(store.backend, 'keychain');
      assert.match(store.location, /Secret Service|Keychain|Credential Manager|OS keychain/);
    }
  });

  test('file: default path under XDG_CONFIG_HOME or ~/.config, MFA_LOGIN_FILE_STORE overrides', () => {
    const file = (env: Record<string, string>) => open({ MFA_LOGIN_BACKEND: 'file', ...env }, '/home/u');
    assert.equal(file({}).location, '/home/u/.config/mfa-login/keys.enc');
    assert.equal(file({ XDG_CONFIG_HOME: '/xdg' }).location, '/xdg/mfa-login/keys.enc');
    assert.equal(file({ MFA_LOGIN_FILE_STORE: '/srv/keys.enc' }).location, '/srv/keys.enc');
    assert.equal(file({ MFA_LOGIN_FILE_STORE: 'rel/keys.enc' }).location, path.resolve('rel/keys.enc'));
    assert.equal(file({}).backend, 'file');
  });

  test('anything else is a usage error naming the valid values', () => {
    assert.throws(
      () => open({ MFA_LOGIN_BACKEND: 'kwallet' }, '/home/u'),
      (e: unknown) =>
        e instanceof MfaLoginError && e.code === 'E_USAGE' && e.message === 'MFA_LOGIN_BACKEND="kwallet" is not a secret store: use "keychain" or "file"',
    );
  });

  test('file passphrase: MFA_LOGIN_FILE_PASSPHRASE without asking, else one prompt naming the file (two for a new file)', async () => {
    const dir = tempDir('openstore');
    const file = path.join(dir, 'keys.enc');
    const keys = { accessKeyId: 'AKIAOPENSTORE0000001', secretAccessKey: 'open/store/secret' };

    const fromEnv = open({ MFA_LOGIN_BACKEND: 'file', MFA_LOGIN_FILE_STORE: file, MFA_LOGIN_FILE_PASSPHRASE: 'pw' }, dir);
    await fromEnv.set('dev', keys);

    const prompts: string[] = [];
    const asking = open({ MFA_LOGIN_BACKEND: 'file', MFA_LOGIN_FILE_STORE: file }, dir, async (prompt) => {
      prompts.push(prompt);
      return 'pw';
    });
    assert.deepEqual(await asking.get('dev'), keys);
    assert.deepEqual(await asking.list(), ['dev']);
    assert.deepEqual(prompts, [`Passphrase for ${file}: `]);

    const creating: string[] = [];
    const fresh = open({ MFA_LOGIN_BACKEND: 'file', MFA_LOGIN_FILE_STORE: path.join(dir, 'new.enc') }, dir, async (prompt) => (creating.push(prompt), 'pw2'));
    await fresh.set('other', keys);
    assert.deepEqual(creating, [`New passphrase to encrypt ${path.join(dir, 'new.enc')}: `, 'The same passphrase again: ']);
  });

  test('@napi-rs/keyring is loaded on the first keychain operation, not by importing or opening', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(process.cwd() + '/').cache).some((k) => k.includes('@napi-rs'));
      const { openSecretStore } = await import(process.env.OPEN_STORE_URL);
      const io = { settings: { keys: { infoFile: process.env.HOME + '/keys.json' } }, readFile: async () => undefined, editFile: async () => false };
      const store = openSecretStore({ settings: { backend: 'keychain', keyFile: process.env.XDG_CONFIG_HOME + '/mfa-login/keys.enc' }, askPassphrase: async () => 'x', io, warn: () => {} });
      const afterOpen = loaded();
      await store.get('dev').catch(() => {});
      console.log(JSON.stringify({ backend: store.backend, afterOpen, afterGet: loaded() }));
    `;
    // No bus in the child: the get() fails fast without touching any keyring.
    const env = isolatedEnv(tempDir('lazy'), { OPEN_STORE_URL: new URL('open-store.js', distSecrets).href });
    const out = await run(process.execPath, ['--input-type=module', '-e', script], { env });
    assert.deepEqual(JSON.parse(out.stdout), { backend: 'keychain', afterOpen: false, afterGet: true }, out.stderr);
  });
});
