import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MfaLoginError } from '../../src/errors.js';
import { editProfileFile, readProfiles, shortPath } from '../../src/session/profiles-io.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const CONFIG = `${HOME}/.aws/config`;
const CREDENTIALS = `${HOME}/.aws/credentials`;

test('both files are read once into one profile set, with their texts and the profiles with stored keys', async () => {
  const config = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n';
  const credentials = '[alice]\naws_access_key_id = AKIA\naws_secret_access_key = s\n';
  const m = memoryDeps({ files: { [CONFIG]: config, [CREDENTIALS]: credentials } });
  m.files.set(m.deps.settings.keys.infoFile, JSON.stringify({ stores: { alice: { backend: 'keychain' } } }));
  const read = await readProfiles(m.deps);
  assert.equal(read.configText, config);
  assert.equal(read.credentialsText, credentials);
  assert.deepEqual([...read.profiles.keys()], ['alice']);
  assert.equal(read.profiles.get('alice')!.inCredentials, true);
  assert.deepEqual([...read.withKeys!], ['alice']);
});

test('no files: an empty set, no texts', async () => {
  const read = await readProfiles(memoryDeps().deps);
  assert.equal(read.profiles.size, 0);
  assert.equal(read.configText, undefined);
  assert.equal(read.credentialsText, undefined);
});

/** Deps whose readFile refuses `bad` as an unreadable file is refused. */
function unreadable(env: Record<string, string>, bad: string, hint?: string) {
  const m = memoryDeps({ env });
  m.deps.readFile = async (p) => {
    if (p === bad) throw new MfaLoginError('E_FILE', `cannot read ${p}: it is a directory`, hint === undefined ? {} : { hint });
    return undefined;
  };
  return readProfiles(m.deps);
}

test('a file a variable points at that cannot be read: the hint names the variable', async () => {
  await assert.rejects(unreadable({ AWS_CONFIG_FILE: '/srv/aws' }, '/srv/aws'), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_FILE');
    assert.equal(e.message, 'cannot read /srv/aws: it is a directory');
    assert.equal(e.hint, 'AWS_CONFIG_FILE=/srv/aws names it: point AWS_CONFIG_FILE at the file, or unset it for the default');
    return true;
  });
  await assert.rejects(unreadable({ AWS_SHARED_CREDENTIALS_FILE: '/srv/creds' }, '/srv/creds'), { hint: 'AWS_SHARED_CREDENTIALS_FILE=/srv/creds names it: point AWS_SHARED_CREDENTIALS_FILE at the file, or unset it for the default' });
});

test('the default file, or an error with a hint of its own, keeps its own words', async () => {
  await assert.rejects(unreadable({}, CONFIG), (e: unknown) => e instanceof MfaLoginError && e.hint === undefined);
  await assert.rejects(unreadable({ AWS_CONFIG_FILE: '/srv/aws' }, '/srv/aws', 'chmod u+r /srv/aws'), { hint: 'chmod u+r /srv/aws' });
});

test('paths under the home directory are shown with ~, others as they are', () => {
  const { deps } = memoryDeps();
  assert.equal(shortPath(deps, `${HOME}/.aws/config`), '~/.aws/config');
  assert.equal(shortPath(deps, `${HOME}x/.aws/config`), `${HOME}x/.aws/config`);
  assert.equal(shortPath(deps, '/etc/aws'), '/etc/aws');
});

test('a profile file is edited from empty text when there is none, and written 0600', async () => {
  const m = memoryDeps();
  await editProfileFile(m.deps, CONFIG, (t) => `${t}[profile bob]\nregion = eu-west-1\n`);
  assert.equal(m.files.get(CONFIG), '[profile bob]\nregion = eu-west-1\n');
  assert.equal(m.modes.get(CONFIG), 0o600);
});
