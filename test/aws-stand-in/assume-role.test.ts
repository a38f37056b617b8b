import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import {
  ADMIN,
  ALICE_SERIAL,
  BOB_ONLY,
  bobKeys,
  carolKeys,
  DEPLOY,
  GOV_ROLE,
  harnessForTests,
  keysOf,
  PARTNER,
  READ_ONLY,
  SESSION_KEY_ID,
  type Keys,
} from './harness.js';

const ALICE_ARN = 'arn:aws:iam::111111111111:user/alice';
const denied = (caller: string, role: string) => ({
  name: 'AccessDenied',
  message: `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
});
const MFA_FAILED = { name: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.' };
const CHAINING = {
  name: 'ValidationError',
  message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
};

describe('AssumeRole', () => {
  const h = harnessForTests();

  // Carol's keys are GovCloud keys: they sign for a us-gov region.
  const assume = (keys: Keys | undefined, input: Partial<AssumeRoleCommandInput>) =>
    h.stsClient(keys, keys === carolKeys ? { region: 'us-gov-west-1' } : {}).send(new AssumeRoleCommand({ RoleArn: READ_ONLY, RoleSessionName: 'alice', ...input }));
  const session = async (mfa: boolean) =>
    keysOf(
      (await h.stsClient().send(new GetSessionTokenCommand(mfa ? { SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode() } : {})))
        .Credentials,
    );

  test('from long-term keys: role credentials, AssumedRoleUser and the assumed-role identity', async () => {
    const out = await assume(undefined, { RoleSessionName: 'alice@example.com', SourceIdentity: 'alice' });
    assert.match(out.Credentials!.AccessKeyId!, SESSION_KEY_ID);
    assert.equal(out.Credentials!.Expiration!.getTime(), Math.floor(h.clock.ms / 1000) * 1000 + 3600_000);
    assert.equal(out.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/ReadOnly/alice@example.com');
    assert.match(out.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z2-7]{17}:alice@example\.com$/);
    assert.equal(out.SourceIdentity, 'alice');

    const identity = await h.stsClient(keysOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, 'arn:aws:sts::222222222222:assumed-role/ReadOnly/alice@example.com');
    assert.equal(identity.Account, '222222222222');
    assert.equal(identity.UserId, out.AssumedRoleUser!.AssumedRoleId);
  });

  test('a role path is left out of the assumed-role ARN', async () => {
    const readOnly = keysOf((await assume(undefined, {})).Credentials);
    const out = await assume(readOnly, { RoleArn: DEPLOY, RoleSessionName: 'ci' });
    assert.equal(out.AssumedRoleUser!.Arn, 'arn:aws:sts::222222222222:assumed-role/Deploy/ci');
  });

  test('from long-term keys, up to the role\'s MaxSessionDuration and not beyond', async () => {
    const out = await assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode(), DurationSeconds: 43200 });
    assert.equal(out.Credentials!.Expiration!.getTime(), Math.floor(h.clock.ms / 1000) * 1000 + 43200_000);
    await assert.rejects(assume(undefined, { DurationSeconds: 3601 }), {
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
  });

  test('role chaining from a GetSessionToken session or a role session is capped at one hour', async () => {
    const mfaSession = await session(true);
    await assume(mfaSession, { DurationSeconds: 3600 });
    await assert.rejects(assume(mfaSession, { RoleArn: ADMIN, DurationSeconds: 3601 }), CHAINING);
    const role = keysOf((await assume(undefined, {})).Credentials);
    await assert.rejects(assume(role, { DurationSeconds: 7200 }), CHAINING);
  });

  test('a role that requires MFA refuses callers without it', async () => {
    await assert.rejects(assume(undefined, { RoleArn: ADMIN }), denied(ALICE_ARN, ADMIN));
    await assert.rejects(assume(await session(false), { RoleArn: ADMIN }), denied(ALICE_ARN, ADMIN));
  });

  test('MFA comes from the code, from the MFA session, or from an MFA role further up the chain', async () => {
    await assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode() });
    const mfaSession = await session(true);
    const admin = keysOf((await assume(mfaSession, { RoleArn: ADMIN })).Credentials);
    await assume(admin, { RoleArn: ADMIN, RoleSessionName: 'again' });
    // A role assumed without MFA passes none on.
    const plain = keysOf((await assume(undefined, {})).Credentials);
    await assert.rejects(
      assume(plain, { RoleArn: ADMIN }),
      denied('arn:aws:sts::222222222222:assumed-role/ReadOnly/alice', ADMIN),
    );
  });

  test('a wrong or reused code fails with the AssumeRole MFA message', async () => {
    const code = h.freshCode();
    await assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: code });
    await assert.rejects(assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: code }), MFA_FAILED);
    const wrong = String((Number(h.freshCode()) + 500_000) % 1_000_000).padStart(6, '0');
    await assert.rejects(assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: wrong }), MFA_FAILED);
    await assert.rejects(assume(undefined, { SerialNumber: 'arn:aws:iam::111111111111:mfa/nobody', TokenCode: h.code() }), MFA_FAILED);
  });

  test('ExternalId must match the trust policy\'s', async () => {
    await assert.rejects(assume(undefined, { RoleArn: PARTNER }), denied(ALICE_ARN, PARTNER));
    await assert.rejects(assume(undefined, { RoleArn: PARTNER, ExternalId: 'partner-43' }), denied(ALICE_ARN, PARTNER));
    await assume(undefined, { RoleArn: PARTNER, ExternalId: 'partner-42' });
  });

  test('only trusted principals, and an unknown role looks the same as an untrusted one', async () => {
    await assert.rejects(assume(undefined, { RoleArn: BOB_ONLY }), denied(ALICE_ARN, BOB_ONLY));
    await assume(bobKeys, { RoleArn: BOB_ONLY });
    await assert.rejects(assume(undefined, { RoleArn: DEPLOY }), denied(ALICE_ARN, DEPLOY));
    const missing = 'arn:aws:iam::222222222222:role/Missing';
    await assert.rejects(assume(undefined, { RoleArn: missing }), denied(ALICE_ARN, missing));
  });

  test('ARNs follow the partition, and no role is reachable from another partition', async () => {
    const out = await assume(carolKeys, { RoleArn: GOV_ROLE, RoleSessionName: 'carol' });
    assert.equal(out.AssumedRoleUser!.Arn, 'arn:aws-us-gov:sts::444444444444:assumed-role/Gov/carol');
    await assert.rejects(assume(undefined, { RoleArn: GOV_ROLE }), denied(ALICE_ARN, GOV_ROLE));
    await assert.rejects(assume(carolKeys, {}), denied('arn:aws-us-gov:iam::444444444444:user/carol', READ_ONLY));
  });

  test('parameters are validated with the service-model wording', async () => {
    await assert.rejects(assume(undefined, { RoleSessionName: 'alice smith' }), {
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'alice smith' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await assert.rejects(assume(undefined, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: 'abcdef' }), {
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'abcdef' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
    });
    await assert.rejects(assume(undefined, { RoleSessionName: undefined as unknown as string }), {
      name: 'ValidationError',
      message: "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    });
  });

  test('a source identity sticks down the chain and cannot be changed', async () => {
    const first = keysOf((await assume(undefined, { SourceIdentity: 'alice' })).Credentials);
    const second = await assume(first, { RoleArn: DEPLOY, RoleSessionName: 'ci' });
    assert.equal(second.SourceIdentity, 'alice');
    await assert.rejects(
      assume(first, { RoleArn: DEPLOY, RoleSessionName: 'ci', SourceIdentity: 'mallory' }),
      denied('arn:aws:sts::222222222222:assumed-role/ReadOnly/alice', DEPLOY),
    );
  });
});
