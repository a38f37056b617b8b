import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetUserCommand, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { ALICE_SERIAL, AUDITOR, bobKeys, keysOf, READ_ONLY, startHarness, type Harness } from './harness.js';

describe('IAM', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('ListMFADevices lists the calling user\'s devices', async () => {
    const out = await h.iamClient().send(new ListMFADevicesCommand({}));
    assert.equal(out.IsTruncated, false);
    assert.deepEqual(
      out.MFADevices!.map((d) => [d.UserName, d.SerialNumber]),
      [['alice', ALICE_SERIAL]],
    );
    assert.ok(out.MFADevices![0]!.EnableDate instanceof Date);
  });

  test('ListMFADevices is refused when the user\'s policy does not allow it', async () => {
    await assert.rejects(h.iamClient(bobKeys).send(new ListMFADevicesCommand({})), {
      name: 'AccessDenied',
      message:
        'User: arn:aws:iam::111111111111:user/bob is not authorized to perform: iam:ListMFADevices on resource: user bob ' +
        'because no identity-based policy allows the iam:ListMFADevices action',
    });
  });

  test('GetUser describes the caller, or the named user', async () => {
    const me = await h.iamClient().send(new GetUserCommand({}));
    assert.equal(me.User!.Arn, 'arn:aws:iam::111111111111:user/alice');
    assert.match(me.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    const bob = await h.iamClient().send(new GetUserCommand({ UserName: 'bob' }));
    assert.equal(bob.User!.UserName, 'bob');
    await assert.rejects(h.iamClient().send(new GetUserCommand({ UserName: 'nobody' })), {
      // The SDK names the modelled error NoSuchEntityException; the wire code is NoSuchEntity.
      name: 'NoSuchEntityException',
      message: 'The user with name nobody cannot be found.',
    });
  });

  test('session credentials reach IAM only with MFA', async () => {
    const plain = keysOf((await h.stsClient().send(new GetSessionTokenCommand({}))).Credentials);
    await assert.rejects(h.iamClient(plain).send(new ListMFADevicesCommand({})), {
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
    const mfa = keysOf(
      (await h.stsClient().send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: h.freshCode() }))).Credentials,
    );
    const out = await h.iamClient(mfa).send(new ListMFADevicesCommand({}));
    assert.equal(out.MFADevices!.length, 1);
  });

  test('a role session must name the user, who must be in the role\'s account', async () => {
    const assume = async (RoleArn: string) =>
      keysOf((await h.stsClient().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'ro' }))).Credentials);
    const auditor = await assume(AUDITOR);
    await assert.rejects(h.iamClient(auditor).send(new ListMFADevicesCommand({})), {
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
    });
    const out = await h.iamClient(auditor).send(new ListMFADevicesCommand({ UserName: 'alice' }));
    assert.equal(out.MFADevices![0]!.SerialNumber, ALICE_SERIAL);
    await assert.rejects(h.iamClient(await assume(READ_ONLY)).send(new ListMFADevicesCommand({ UserName: 'alice' })), {
      name: 'NoSuchEntityException',
      message: 'The user with name alice cannot be found.',
    });
  });

  test('calls are counted per Action across both services', () => {
    assert.ok((h.sts.calls.ListMFADevices ?? 0) >= 5);
    assert.ok((h.sts.calls.GetUser ?? 0) >= 3);
    assert.ok(h.sts.log.some((e) => e.action === 'ListMFADevices' && e.status === 403 && e.errorCode === 'InvalidClientTokenId'));
  });
});
