import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProfileName, sharedFilePaths } from '../../src/config/shared-files.js';

const HOME = '/home/alice';

/** What the AWS CLI reads: the variables when set and not empty, `~` expanded, else ~/.aws/. */
const PATHS: Array<[env: Record<string, string>, config: string, credentials: string]> = [
  [{}, '/home/alice/.aws/config', '/home/alice/.aws/credentials'],
  [{ AWS_CONFIG_FILE: '/etc/aws/config', AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/creds' }, '/etc/aws/config', '/etc/aws/creds'],
  [{ AWS_CONFIG_FILE: '~/work/config', AWS_SHARED_CREDENTIALS_FILE: '~' }, '/home/alice/work/config', '/home/alice'],
  [{ AWS_CONFIG_FILE: '', AWS_SHARED_CREDENTIALS_FILE: '' }, '/home/alice/.aws/config', '/home/alice/.aws/credentials'],
  // Only a leading `~/` is the home directory: `~bob/` is another user's, left as written.
  [{ AWS_CONFIG_FILE: '~bob/config', AWS_SHARED_CREDENTIALS_FILE: 'rel/creds' }, '~bob/config', 'rel/creds'],
];

for (const [env, configFile, credentialsFile] of PATHS) {
  test(`sharedFilePaths with ${JSON.stringify(env)}`, () => {
    assert.deepEqual(sharedFilePaths(env, HOME), { configFile, credentialsFile });
  });
}

test('the profile meant when none is named: AWS_PROFILE, then AWS_DEFAULT_PROFILE, then default', () => {
  assert.equal(defaultProfileName({}), 'default');
  assert.equal(defaultProfileName({ AWS_DEFAULT_PROFILE: 'dev' }), 'dev');
  assert.equal(defaultProfileName({ AWS_PROFILE: 'prod', AWS_DEFAULT_PROFILE: 'dev' }), 'prod');
  assert.equal(defaultProfileName({ AWS_PROFILE: '', AWS_DEFAULT_PROFILE: '' }), 'default');
});
