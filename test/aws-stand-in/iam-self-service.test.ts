/**
 * The local STS's IAM self-service side, through the AWS SDK's own IAM client: virtual MFA devices
 * (two consecutive codes to enable, a wide window to resync), access keys (two at most, new ones
 * accepted after a delay), and the MFA policy's explicit deny, with IAM's error codes and messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListAccessKeysCommand,
  ResyncMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import type { LocalStsUser } from '../../src/aws-stand-in/types.js';
import { totp } from '../../src/mfa/totp.js';
import { keysOf, startHarness } from './harness.js';

const DAN: LocalStsUser = { userName: 'dan', accountId: '111111111111', accessKeyId: 'AKIADANEXAMPLE000005', secretAccessKey: 'dAn/8+Zz0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u', accessKeyCreated: '2023-05-06T07:08:09Z' };
const danKeys = { accessKeyId: DAN.accessKeyId, secretAccessKey: DAN.secretAccessKey };

describe('IAM self-service', () => {
  test('a virtual MFA device: created with its seed, enabled only by two consecutive codes, resynced after drift, deleted only unassigned', async () => {
    const h2 = await startHarness({ users: [DAN] });
    try {
      const iam = h2.iamClient(danKeys);
      const created = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dan' }));
      const serial = created.VirtualMFADevice!.SerialNumber!;
      assert.equal(serial, 'arn:aws:iam::111111111111:mfa/dan');
      const seed = Buffer.from(created.VirtualMFADevice!.Base32StringSeed!).toString('ascii');
      assert.match(seed, /^[A-Z2-7]{64}$/);
      assert.deepEqual([...created.VirtualMFADevice!.QRCodePNG!.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
      await assert.rejects(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dan' })), { name: 'EntityAlreadyExistsException', message: 'MFADevice entity at the same path and name already exists.' });

      const at = (ms: number) => totp(seed, h2.clock.ms + ms);
      const enable = (c1: string, c2: string) => iam.send(new EnableMFADeviceCommand({ UserName: 'dan', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
      await assert.rejects(enable(at(0), at(0)), { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.' });
      await assert.rejects(enable(at(-60_000), at(0)), { name: 'InvalidAuthenticationCodeException' }, 'not consecutive');
      await enable(at(-30_000), at(0));
      await assert.rejects(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), { name: 'DeleteConflictException' });

      // The device's clock runs four minutes fast: single codes fail until a resync.
      const fast = (ms: number) => totp(seed, h2.clock.ms + 240_000 + ms);
      h2.clock.ms += 60_000;
      await assert.rejects(h2.stsClient(danKeys).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: fast(0) })), { name: 'AccessDenied' });
      await iam.send(new ResyncMFADeviceCommand({ UserName: 'dan', SerialNumber: serial, AuthenticationCode1: fast(-30_000), AuthenticationCode2: fast(0) }));
      h2.clock.ms += 30_000;
      const session = await h2.stsClient(danKeys).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: fast(0) }));
      assert.ok(session.Credentials?.SessionToken);
    } finally {
      await h2.close();
    }
  });

  test('access keys need MFA under the policy: an explicit deny for long-term keys alone', async () => {
    const h2 = await startHarness({ users: [DAN] });
    try {
      await assert.rejects(h2.iamClient(danKeys).send(new ListAccessKeysCommand({})), {
        name: 'AccessDenied',
        message: 'User: arn:aws:iam::111111111111:user/dan is not authorized to perform: iam:ListAccessKeys on resource: user dan with an explicit deny in an identity-based policy',
      });
    } finally {
      await h2.close();
    }
  });

  test('access keys: CreateDate listed, two at most, a new key accepted by STS only after the delay, a deleted key refused', async () => {
    const h2 = await startHarness({ users: [{ ...DAN, mfaDevices: [{ serial: 'arn:aws:iam::111111111111:mfa/dan', seed: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' }] }], newKeyDelayMs: 5000 });
    try {
      const mfa = keysOf((await h2.stsClient(danKeys).send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::111111111111:mfa/dan', TokenCode: totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', h2.clock.ms) }))).Credentials);
      const iam = h2.iamClient(mfa);
      // With session credentials IAM wants the user named (IAM API reference, ListAccessKeys).
      const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'dan' }));
      assert.deepEqual(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status, k.CreateDate!.toISOString()]), [[DAN.accessKeyId, 'Active', '2023-05-06T07:08:09.000Z']]);

      const made = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dan' }))).AccessKey!;
      assert.match(made.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
      const fresh = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };
      await assert.rejects(h2.stsClient(fresh).send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' }, 'not yet');
      h2.clock.ms += 5000;
      assert.equal((await h2.stsClient(fresh).send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::111111111111:user/dan');

      await assert.rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'dan' })), { name: 'LimitExceededException', message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'dan', AccessKeyId: DAN.accessKeyId }));
      await assert.rejects(h2.stsClient(danKeys).send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
      await assert.rejects(iam.send(new DeleteAccessKeyCommand({ UserName: 'dan', AccessKeyId: DAN.accessKeyId })), { name: 'NoSuchEntityException', message: `The Access Key with id ${DAN.accessKeyId} cannot be found.` });
    } finally {
      await h2.close();
    }
  });
});
