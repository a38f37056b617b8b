import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { totp } from '../../src/mfa/totp.js';
import { ALICE_SEED, ALICE_SERIAL, bobKeys, harnessForTests, keysOf, SESSION_KEY_ID } from './harness.js';

const GST_MFA_FAILED =
  'MultiFactorAuthentication failed, unable to validate MFA code.  ' +
  'Please verify your MFA serial number is valid and associated with this user.';

describe('GetSessionToken', () => {
  const h = harnessForTests();

  test('GetCallerIdentity with long-term keys names the user', async () => {
    const identity = await h.stsClient().send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, 'arn:aws:iam::111111111111:user/alice');
    assert.equal(identity.Account, '111111111111');
    assert.match(identity.UserId!, /^AIDA[A-Z2-7]{17}$/);
  });

  test('without MFA: random session keys that last 12 hours by default', async () => {
    const out = await h.stsClient().send(new GetSessionTokenCommand({}));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, SESSION_KEY_ID);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length > 300);
    assert.equal(c.Expiration!.getTime(), Math.floor(h.clock.ms / 1000) * 1000 + 43200_000);
    const again = await h.stsClient().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.notEqual(again.Credentials!.AccessKeyId, c.AccessKeyId);
    assert.equal(again.Credentials!.Expiration!.getTime(), Math.floor(h.clock.ms / 1000) * 1000 + 900_000);
  });

  test('with a valid code; the session still identifies as the user', async () => {
    const out = await h.stsClient().send(
      new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode(), DurationSeconds: 129600 }),
    );
    const identity = await h.stsClient(keysOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, 'arn:aws:iam::111111111111:user/alice');
  });

  test('a code is refused the second time, with the wrong-code message', async () => {
    const code = h.freshCode();
    await h.stsClient().send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: code }));
    await assert.rejects(h.stsClient().send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: code })), {
      name: 'AccessDenied',
      message: GST_MFA_FAILED,
    });
  });

  test('codes one step either side of the server clock are accepted, two steps are not', async () => {
    h.freshCode();
    h.freshCode();
    const step = 30_000;
    const sts = h.stsClient();
    await sts.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms - step) }));
    await sts.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms + step) }));
    await assert.rejects(
      sts.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms + 2 * step) })),
      { name: 'AccessDenied', message: GST_MFA_FAILED },
    );
    h.clock.ms += 2 * step; // past the step used above
  });

  test('a wrong code, an unknown serial or a serial without a code are refused alike', async () => {
    const wrong = String((Number(h.freshCode()) + 1) % 1_000_000).padStart(6, '0');
    for (const input of [
      { SerialNumber: ALICE_SERIAL, TokenCode: wrong },
      { SerialNumber: 'arn:aws:iam::111111111111:mfa/mallory', TokenCode: h.code() },
      { SerialNumber: ALICE_SERIAL },
    ]) {
      await assert.rejects(h.stsClient().send(new GetSessionTokenCommand(input)), {
        name: 'AccessDenied',
        message: GST_MFA_FAILED,
      });
    }
    // The right code still works: failed attempts do not spend it.
    await h.stsClient().send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: h.code() }));
  });

  test('another user cannot use alice\'s device', async () => {
    await assert.rejects(
      h.stsClient(bobKeys).send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode() })),
      { name: 'AccessDenied', message: GST_MFA_FAILED },
    );
  });

  test('malformed codes and durations are ValidationErrors with the service-model wording', async () => {
    const cases: [object, string][] = [
      [
        { SerialNumber: ALICE_SERIAL, TokenCode: '12a' },
        "1 validation error detected: Value '12a' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
      ],
      [
        { SerialNumber: ALICE_SERIAL, TokenCode: '12345' },
        "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
      ],
      [
        { DurationSeconds: 899 },
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      ],
      [
        { DurationSeconds: 129601, TokenCode: '1234567' },
        "2 validation errors detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600; " +
          "Value '1234567' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6",
      ],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(h.stsClient().send(new GetSessionTokenCommand(input)), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'ValidationError');
        assert.equal(error.message, message);
        assert.equal(error.$metadata?.httpStatusCode, 400);
        return true;
      });
    }
  });

  test('session credentials cannot call GetSessionToken', async () => {
    const session = await h.stsClient().send(new GetSessionTokenCommand({}));
    await assert.rejects(h.stsClient(keysOf(session.Credentials)).send(new GetSessionTokenCommand({})), {
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });
});
