import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childEnvironment, OWN_SECRET_VARIABLES } from '../src/child-env.js';

test('a child gets our environment less our own secrets, and no unset variable', () => {
  const env = { PATH: '/usr/bin', AWS_PROFILE: 'prod', MFA_LOGIN_FILE_PASSPHRASE: 'pass', MFA_LOGIN_MFA_TOKEN: '123456', MFA_LOGIN_CACHE: 'file', GONE: undefined };
  assert.deepEqual(childEnvironment(env), { PATH: '/usr/bin', AWS_PROFILE: 'prod', MFA_LOGIN_CACHE: 'file' });
});

test('every own secret is kept out, even when empty', () => {
  const env = Object.fromEntries(OWN_SECRET_VARIABLES.map((k) => [k, '']));
  assert.deepEqual(childEnvironment(env), {});
});
