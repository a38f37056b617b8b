import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { keyStore } from '../../src/doctor/key-store.js';
import type { Learnt } from '../../src/doctor/check.js';
import { memoryDeps } from '../memory-deps.js';
import { refusal } from '../refusal.js';

const KEYS = { accessKeyId: 'AKIA', secretAccessKey: 's' };
const fresh = (): Learnt => ({ storeName: 'the key store', clockTimeoutMs: 1000 });

test('a readable store: its name and how many profiles have keys, learnt for the later checks', async () => {
  const learnt = fresh();
  const findings = await keyStore.run(memoryDeps({ keys: { alice: KEYS, bob: KEYS } }).deps, learnt);
  assert.deepEqual(findings, [{ level: 'ok', area: 'keychain', text: 'key store: file ~/.config/mfa-login/keys.enc is readable, keys for 2 profiles' }]);
  assert.deepEqual(learnt.stored, ['alice', 'bob']);
  assert.equal(learnt.storeName, 'file ~/.config/mfa-login/keys.enc');
  assert.equal((await keyStore.run(memoryDeps({ keys: { alice: KEYS } }).deps, fresh()))[0]!.text, 'key store: file ~/.config/mfa-login/keys.enc is readable, keys for 1 profile');
  assert.equal((await keyStore.run(memoryDeps().deps, fresh()))[0]!.text, 'key store: file ~/.config/mfa-login/keys.enc is readable, no keys stored yet');
});

test('a key file that needs its passphrase, with no terminal: the variable to set, not "no code source"', async () => {
  const learnt = fresh();
  const { deps } = memoryDeps({ listKeys: async () => Promise.reject(new MfaLoginError('E_MFA_NO_SOURCE', 'no terminal')) });
  const e = await refusal(keyStore.run(deps, learnt), 'E_FILE_STORE_PASSPHRASE', EXIT.keychain);
  assert.equal(e.message, 'file ~/.config/mfa-login/keys.enc needs its passphrase and there is no terminal to ask on');
  assert.equal(e.hint, 'set MFA_LOGIN_FILE_PASSPHRASE, or run mfa-login doctor in a terminal');
  assert.equal(learnt.stored, undefined);
});

test('any other failure of the store is its own', async () => {
  const locked = new MfaLoginError('E_KEYCHAIN_LOCKED', 'the keychain is locked');
  await assert.rejects(keyStore.run(memoryDeps({ listKeys: async () => Promise.reject(locked) }).deps, fresh()), (e) => e === locked);
});
