import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MfaLoginError } from '../../src/errors.js';
import { explainFailure } from '../../src/session/endpoint.js';

test('what the endpoint tells a client: a code needed or a busy lease may pass (503), STS refused (502), else 500', () => {
  assert.deepEqual(explainFailure(new MfaLoginError('E_MFA_NO_SOURCE', 'a code is needed', { hint: 'mfa-login session prod' })), { status: 503, code: 'E_MFA_NO_SOURCE', message: 'a code is needed (mfa-login session prod)' });
  assert.equal(explainFailure(new MfaLoginError('E_BUSY', 'busy')).status, 503);
  assert.deepEqual(explainFailure(new MfaLoginError('E_STS_ACCESS_DENIED', 'denied')), { status: 502, code: 'E_STS_ACCESS_DENIED', message: 'denied' });
  assert.equal(explainFailure(new MfaLoginError('E_NO_KEYS', 'no keys')).status, 500);
  assert.deepEqual(explainFailure(new TypeError('x is undefined')), { status: 500, code: 'InternalError', message: 'unexpected error: x is undefined' });
  assert.deepEqual(explainFailure('a string'), { status: 500, code: 'InternalError', message: 'unexpected error: a string' });
});
