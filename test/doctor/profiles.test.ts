import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profiles } from '../../src/doctor/profiles.js';
import { loadProfiles } from '../../src/config/profiles.js';
import type { Learnt } from '../../src/doctor/check.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const PATHS = { configFile: `${HOME}/.aws/config`, credentialsFile: `${HOME}/.aws/credentials` };
const STORE = 'file ~/.config/mfa-login/keys.enc';

function check(config: string, stored: string[] | undefined, credentials?: string) {
  const learnt: Learnt = { files: loadProfiles(PATHS, config, credentials), ...(stored ? { stored } : {}), storeName: STORE, clockTimeoutMs: 1000 };
  return profiles.run(memoryDeps().deps, learnt);
}

const USERS = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n[profile bob]\nmfa_serial = arn:aws:iam::111111111111:mfa/bob\n';
const role = (name: string, source: string) => `[profile ${name}]\nrole_arn = arn:aws:iam::222222222222:role/${name}\nsource_profile = ${source}\n`;

test('every chain that resolves, in one line; one chain in words of its own', async () => {
  assert.deepEqual(await check(USERS + role('prod', 'alice'), ['alice', 'bob']), [{ level: 'ok', area: 'config', text: 'profiles: 3 chains resolve: alice, bob, prod' }]);
  assert.deepEqual(await check('[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n', ['alice']), [{ level: 'ok', area: 'config', text: 'profiles: the chain of alice resolves' }]);
  assert.deepEqual(await check('[profile plain]\nregion = eu-west-1\n', []), [{ level: 'ok', area: 'config', text: 'profiles: none has role_arn or mfa_serial yet' }]);
});

test('a chain that does not resolve fails with the resolver\'s words, paths with ~', async () => {
  const [first, failed] = await check(USERS + role('prod', 'nosuch'), ['alice', 'bob']);
  assert.equal(first!.text, 'profiles: 2 chains resolve: alice, bob');
  assert.equal(failed!.level, 'FAIL');
  assert.match(failed!.text, /^profile prod: /);
  assert.match(failed!.text, /nosuch/);
  assert.doesNotMatch(failed!.text + failed!.fix, new RegExp(HOME));
});

test('a misspelt key: a warning with the key it meant', async () => {
  const found = await check('[profile alice]\nmfa_seriall = arn:aws:iam::111111111111:mfa/alice\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = bob\n[profile bob]\n', ['bob']);
  const w = found.find((f) => f.level === 'warn')!;
  assert.match(w.text, /^profile settings: .*mfa_seriall.* did you mean mfa_serial\?$/);
  assert.equal(w.fix, 'rename the key to mfa_serial, or remove it');
});

test('a source without stored keys: who uses it, and whether add must --import them from the credentials file', async () => {
  const found = await check(USERS + role('prod', 'alice') + role('dev', 'bob'), [], '[bob]\naws_access_key_id = AKIABOB\naws_secret_access_key = s\n');
  const warnings = found.filter((f) => f.level === 'warn');
  assert.deepEqual(warnings, [
    { level: 'warn', area: 'config', text: `profile alice: no keys stored in ${STORE} (used by alice, prod)`, fix: 'mfa-login add alice' },
    { level: 'warn', area: 'config', text: `profile bob: no keys stored in ${STORE} (used by bob, dev)`, fix: 'move its keys from ~/.aws/credentials into the key store: mfa-login add bob --import' },
  ]);
  // A key store that could not be read says nothing about which keys are missing.
  assert.equal((await check(USERS, undefined)).filter((f) => f.level === 'warn').length, 0);
});

test('config files that do not parse: not checked', async () => {
  assert.deepEqual(await profiles.run(memoryDeps().deps, { storeName: STORE, clockTimeoutMs: 1000 }), [
    { level: 'warn', area: 'config', text: 'profiles: not checked, the config files do not parse (see above)' },
  ]);
});
