import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MfaLoginError } from '../../src/errors.js';
import type { CodeSource } from '../../src/mfa/code-source.js';
import { mfaSessionSeconds, sessionToken } from '../../src/providers/session-token.js';
import { stsTarget } from '../../src/sts/sts.js';
import { ALICE_KEYS, ALICE_MFA, codes, ENDPOINT, fakeDeps, refusals } from './fakes.js';

const target = stsTarget({ endpointUrl: ENDPOINT }, {});
const request = (source: CodeSource) => ({ profile: 'alice', keys: ALICE_KEYS, serial: ALICE_MFA, durationSeconds: 3600, target, code: { source: () => source, profile: 'prod' } });

test('the MFA session is GetSessionToken with the long-term key, the device and one code', async () => {
  const f = fakeDeps();
  const source = codes('flag', '123456');
  const s = await sessionToken(f.deps, request(source));
  assert.equal(f.sts.sessionTokenCalls.length, 1);
  assert.deepEqual(f.sts.sessionTokenCalls[0], { keys: ALICE_KEYS, durationSeconds: 3600, serialNumber: ALICE_MFA, tokenCode: '123456', target });
  assert.deepEqual(source.requests, [{ profile: 'prod', serial: ALICE_MFA, attempt: 1 }]);
  assert.deepEqual({ kind: s.kind, profiles: s.profiles, subject: s.subject, sourceKeyId: s.sourceKeyId }, { kind: 'mfa-session', profiles: ['alice'], subject: ALICE_MFA, sourceKeyId: ALICE_KEYS.accessKeyId });
  assert.equal(s.credentials.expiration.getTime(), f.clock.ms + 3600_000);
});

const retries: Array<{ name: string; source: () => ReturnType<typeof codes>; refused: string[]; attempts: number[]; said: number; error?: RegExp }> = [
  { name: 'a person whose first two codes are refused is asked a third time', source: () => codes('terminal', '111111', '222222', '333333'), refused: ['111111', '222222'], attempts: [1, 2, 3], said: 2 },
  { name: 'a person whose three codes are all refused gets the refusal', source: () => codes('terminal', '111111', '222222', '333333', '444444'), refused: ['111111', '222222', '333333'], attempts: [1, 2, 3], said: 2, error: /^STS refused the MFA code for arn:aws:iam::111111111111:mfa\/alice \(profile alice\)/ },
  { name: 'a refused --mfa-token fails at once: asking again gives the same code', source: () => codes('flag', '111111', '222222'), refused: ['111111'], attempts: [1], said: 0, error: /STS refused the MFA code/ },
  { name: 'a refused mfa_process code fails at once', source: () => codes('mfa_process', '111111', '222222'), refused: ['111111'], attempts: [1], said: 0, error: /STS refused the MFA code/ },
];

for (const c of retries) {
  test(`code retry: ${c.name}`, async () => {
    const f = fakeDeps();
    for (const code of c.refused) f.sts.refusedCodes.add(code);
    const source = c.source();
    const got = sessionToken(f.deps, request(source));
    if (c.error) {
      await assert.rejects(got, (e: unknown) => e instanceof MfaLoginError && e.code === 'E_MFA_REJECTED' && c.error!.test(e.message));
    } else {
      assert.equal((await got).credentials.accessKeyId.startsWith('ASIAMFA'), true);
    }
    assert.deepEqual(source.requests.map((r) => r.attempt), c.attempts);
    assert.equal(f.sts.sessionTokenCalls.length, c.attempts.length);
    assert.deepEqual(f.said, Array(c.said).fill('✘ STS refused that code. If you just used it, wait for the next one.'));
  });
}

test('code retry: a refusal that is not about the code is not retried, even for a person', async () => {
  const f = fakeDeps();
  f.sts.failNext('getSessionToken', refusals.InvalidClientTokenId);
  const source = codes('terminal', '111111', '222222');
  await assert.rejects(sessionToken(f.deps, request(source)), { code: 'E_STS', message: 'AWS does not recognise the access key AKIAALICE000000001 stored for profile alice' });
  assert.equal(source.requests.length, 1);
});

const durations: Array<[number | undefined, number | RegExp]> = [
  [undefined, 43200],
  [1800, 1800],
  [129600, 129600],
  [1799, /^duration_seconds 1799 of profile alice is out of range for an MFA session \(1800 to 129600 seconds\)$/],
  [129601, /^duration_seconds 129601 of profile alice is out of range/],
];

for (const [requested, expected] of durations) {
  test(`MFA session length ${requested ?? '(none asked)'} -> ${expected}`, () => {
    if (typeof expected === 'number') assert.equal(mfaSessionSeconds('alice', requested), expected);
    else assert.throws(() => mfaSessionSeconds('alice', requested), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_CONFIG' && expected.test(e.message) && e.hint === 'use a value from 1800 (30 minutes) to 129600 (36 hours)');
  });
}
