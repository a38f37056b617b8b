import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetUserCommand, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import type { LocalStsUser } from '../../src/aws-stand-in/types.js';
import { ALICE, ALICE_SERIAL, AUDITOR, BOB, bobKeys, CAROL, keysOf, READ_ONLY, startHarness, type Harness } from './harness.js';

/** Under the MFA-enforcing policy (the fixture's default). */
const PAT: LocalStsUser = { userName: 'pat', accountId: '111111111111', accessKeyId: 'AKIAPATEXAMPLE000008', secretAccessKey: 'pAt/8+Zz0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u' };
const patKeys = { accessKeyId: PAT.accessKeyId, secretAccessKey: PAT.secretAccessKey };

describe('IAM', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ users: [ALICE, BOB, CAROL, PAT] });
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

  test('GetUser describes the caller; under the MFA policy another user is not the caller\'s to read', async () => {
    const me = await h.iamClient().send(new GetUserCommand({}));
    assert.equal(me.User!.Arn, 'arn:aws:iam::111111111111:user/alice');
    assert.match(me.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal((await h.iamClient().send(new GetUserCommand({ UserName: 'bob' }))).User!.UserName, 'bob', 'alice is under no MFA policy');
    await assert.rejects(h.iamClient().send(new GetUserCommand({ UserName: 'nobody' })), {
      // The SDK names the modelled error NoSuchEntityException; the wire code is NoSuchEntity.
      name: 'NoSuchEntityException',
      message: 'The user with name nobody cannot be found.',
    });
    // Pat is: the policy allows iam:GetUser on user/${aws:username} only, whether or not the other user exists.
    assert.equal((await h.iamClient(patKeys).send(new GetUserCommand({ UserName: 'pat' }))).User!.UserName, 'pat');
    for (const other of ['alice', 'nobody']) {
      await assert.rejects(h.iamClient(patKeys).send(new GetUserCommand({ UserName: other })), {
        name: 'AccessDenied',
        message: `User: arn:aws:iam::111111111111:user/pat is not authorized to perform: iam:GetUser on resource: user ${other} because no identity-based policy allows the iam:GetUser action`,
      });
    }
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
    // A session is not the user: it must say whose devices it asks for.
    await assert.rejects(h.iamClient(mfa).send(new ListMFADevicesCommand({})), {
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
    });
    const out = await h.iamClient(mfa).send(new ListMFADevicesCommand({ UserName: 'alice' }));
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
    assert.ok((h.sts.calls.GetUser ?? 0) >= 6);
    assert.ok(h.sts.log.some((e) => e.action === 'ListMFADevices' && e.status === 403 && e.errorCode === 'InvalidClientTokenId'));
  });
});
