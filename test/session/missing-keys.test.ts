import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { missingKeys } from '../../src/session/missing-keys.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const CONFIG = `${HOME}/.aws/config`;
const KEYS = { accessKeyId: 'AKIAALICE', secretAccessKey: 's' };
const config = [
  '[profile alice]',
  'mfa_serial = arn:aws:iam::111111111111:mfa/alice',
  '[profile prod]',
  'role_arn = arn:aws:iam::222222222222:role/admin',
  'source_profile = alice',
  '[profile bare]',
  'region = eu-west-1',
  '',
].join('\n');
const HINT = 'store keys with: mfa-login add NAME';

async function why(profile: string, options: Parameters<typeof memoryDeps>[0] = {}): Promise<MfaLoginError> {
  const m = memoryDeps({ files: { [CONFIG]: config }, keys: { alice: KEYS }, ...options });
  return missingKeys(m.deps, profile, HINT);
}

test('a slip of a profile with keys: did you mean that one, not "store keys under the slip"', async () => {
  const e = await why('alcie');
  assert.equal(e.code, 'E_PROFILE_UNKNOWN');
  assert.equal(e.exitStatus, EXIT.config);
  assert.equal(e.message, 'profile alcie not found; did you mean alice? (profiles with keys: alice)');
  assert.equal(e.hint, 'see which profiles have keys with: mfa-login list');
});

test('a name found nowhere is an unknown profile, in login\'s words', async () => {
  const e = await why('nosuch');
  assert.equal(e.code, 'E_PROFILE_UNKNOWN');
  assert.equal(e.message, 'profile nosuch not found; known profiles: alice, bare, prod');
});

test('a role profile has no keys of its own: it says whose keys reach it', async () => {
  const e = await why('prod');
  assert.equal(e.code, 'E_NO_KEYS');
  assert.equal(e.exitStatus, EXIT.missingKeys);
  assert.equal(e.message, 'profile prod is a role (role_arn): it has no keys of its own, it is reached with those of alice');
  assert.equal(e.hint, HINT);
});

test('a profile without keys is told where none were found, and how to store them', async () => {
  const e = await why('bare');
  assert.equal(e.code, 'E_NO_KEYS');
  assert.equal(e.message, `no keys stored for profile bare in ${HOME}/.config/mfa-login/keys.enc`);
  assert.equal(e.hint, HINT);
});

test('a key store that cannot be opened does not replace "not found": the record of stored keys names them', async () => {
  const m = memoryDeps({
    files: { [CONFIG]: config },
    listKeys: async () => {
      throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', 'no passphrase');
    },
  });
  m.files.set(m.deps.settings.keys.infoFile, JSON.stringify({ stores: { carol: { backend: 'keychain' } } }));
  const e = await missingKeys(m.deps, 'carlo', HINT);
  assert.equal(e.message, 'profile carlo not found; did you mean carol? (profiles with keys: carol)');
});

test('a failure that is not ours (a bug) is not swallowed', async () => {
  const m = memoryDeps({ files: { [CONFIG]: config }, listKeys: async () => assert.fail('boom') });
  await assert.rejects(missingKeys(m.deps, 'alcie', HINT), /boom/);
});
