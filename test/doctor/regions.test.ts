import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regions } from '../../src/doctor/regions.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const FILES = { configFile: `${HOME}/.aws/config`, credentialsFile: `${HOME}/.aws/credentials` };
const role = (name: string, source: string, extra = '') => `[profile ${name}]\nrole_arn = arn:aws:iam::222222222222:role/${name}\nsource_profile = ${source}\n${extra}`;

function check(config: string) {
  const { deps } = memoryDeps();
  return regions.run(deps, { files: loadProfiles(FILES, config, undefined), storeName: 'keychain', clockTimeoutMs: 1000 });
}

test('every role profile with a region, its own or up its chain: one ok line naming them', async () => {
  const config = `[profile alice]\nregion = eu-west-1\n${role('prod', 'alice')}${role('admin', 'prod', 'region = us-east-1\n')}`;
  assert.deepEqual(await check(config), [{ level: 'ok', area: 'config', text: 'regions: every role profile has one (admin, prod)' }]);
});

test('one role without a region: a warning, and the section to add it to', async () => {
  const [f, ...rest] = await check(`[profile alice]\n${role('prod', 'alice')}`);
  assert.deepEqual(rest, []);
  assert.equal(f!.level, 'warn');
  assert.match(f!.text, /^regions: prod has no region, nor does any profile up its source_profile chain: "aws --profile" fails/);
  assert.equal(f!.fix, 'add region = REGION to [profile prod] in ~/.aws/config');
});

test('several: named together, in the plural', async () => {
  const [f] = await check(`[default]\n${role('b', 'default')}${role('a', 'default')}`);
  assert.match(f!.text, /^regions: a, b have no region, nor do the profiles up their source_profile chain/);
  assert.equal(f!.fix, 'add region = REGION to [profile a], [profile b] in ~/.aws/config');
});

test('roles that do not resolve are left to the profiles check; no roles, nothing to say', async () => {
  assert.deepEqual(await check(role('loop', 'loop')), []);
  assert.deepEqual(await check('[profile alice]\n'), []);
});
