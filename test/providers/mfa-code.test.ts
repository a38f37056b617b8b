import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MfaLoginError } from '../../src/errors.js';
import { withCode } from '../../src/providers/mfa-code.js';
import { codes } from './fakes.js';

const SERIAL = 'arn:aws:iam::111111111111:mfa/alice';
const refused = () => new MfaLoginError('E_MFA_REJECTED', 'STS refused the code');

/** withCode with a call that refuses the codes in `bad`, and what it said on the terminal. */
function run(source: ReturnType<typeof codes>, bad: string[], error = refused) {
  const said: string[] = [];
  const sent: string[] = [];
  const result = withCode({ terminal: { say: (l) => void said.push(l) } }, { source: () => source, profile: 'prod', serial: SERIAL }, async (code) => {
    sent.push(code);
    if (bad.includes(code)) throw error();
    return `session for ${code}`;
  });
  return { result, said, sent };
}

test('a person whose code is refused is asked again, told why, up to a good one', async () => {
  const source = codes('terminal', '111111', '222222');
  const r = run(source, ['111111']);
  assert.equal(await r.result, 'session for 222222');
  assert.deepEqual(r.sent, ['111111', '222222']);
  assert.deepEqual(r.said, ['✘ STS refused that code. If you just used it, wait for the next one.']);
  assert.deepEqual(source.requests, [{ profile: 'prod', serial: SERIAL, attempt: 1 }, { profile: 'prod', serial: SERIAL, attempt: 2 }]);
});

test('three refused codes from a person: the third refusal stands', async () => {
  const r = run(codes('terminal', '111111', '222222', '333333', '444444'), ['111111', '222222', '333333']);
  await assert.rejects(r.result, (e: unknown) => e instanceof MfaLoginError && e.code === 'E_MFA_REJECTED');
  assert.deepEqual(r.sent, ['111111', '222222', '333333']);
  assert.equal(r.said.length, 2);
});

for (const kind of ['flag', 'environment', 'mfa_process'] as const) {
  test(`a code from ${kind} that is refused stands at once: it would hand over the same code again`, async () => {
    const r = run(codes(kind, '111111', '222222'), ['111111']);
    await assert.rejects(r.result, /STS refused the code/);
    assert.deepEqual(r.sent, ['111111']);
    assert.deepEqual(r.said, []);
  });
}

test('any other failure is not a reason to ask for another code', async () => {
  const r = run(codes('terminal', '111111', '222222'), ['111111'], () => new MfaLoginError('E_STS', 'throttled'));
  await assert.rejects(r.result, /throttled/);
  assert.deepEqual(r.sent, ['111111']);
});
