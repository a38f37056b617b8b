import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { readProfiles } from '../../session/profiles-io.js';
import { resolveChain } from '../../config/chain.js';

export interface PolicyInput {
  profile?: string;
  account?: string;
  partition?: string;
}

/**
 * The IAM side of what mfa-login satisfies, after AWS's own "require MFA" example policy: a user
 * without MFA may see and manage only their own password, access keys and MFA device, and call
 * sts:GetSessionToken (that is how they get MFA); everything else is denied. BoolIfExists also
 * denies long-term keys, whose requests carry no MultiFactorAuthPresent key at all.
 */
export function mfaRequiredPolicy(partition: string): object {
  const self = `arn:${partition}:iam::*:user/\${aws:username}`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowViewAccountInfo', Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'], Resource: '*' },
      {
        Sid: 'AllowManageOwnPasswordAndKeys',
        Effect: 'Allow',
        Action: ['iam:ChangePassword', 'iam:GetUser', 'iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:GetAccessKeyLastUsed'],
        Resource: self,
      },
      { Sid: 'AllowManageOwnVirtualMFADevice', Effect: 'Allow', Action: ['iam:CreateVirtualMFADevice'], Resource: `arn:${partition}:iam::*:mfa/*` },
      // So that `mfa-login mfa create` can delete a device it made but could not enable (AWS's
      // earlier version of this policy had it): only one named after the user, and IAM refuses to
      // delete a device that is enabled.
      { Sid: 'AllowDeleteOwnUnenabledVirtualMFADevice', Effect: 'Allow', Action: ['iam:DeleteVirtualMFADevice'], Resource: `arn:${partition}:iam::*:mfa/\${aws:username}` },
      {
        Sid: 'AllowManageOwnUserMFA',
        Effect: 'Allow',
        Action: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
        Resource: self,
      },
      {
        Sid: 'DenyAllExceptListedIfNoMFA',
        Effect: 'Deny',
        NotAction: [
          'iam:CreateVirtualMFADevice',
          'iam:DeleteVirtualMFADevice',
          'iam:EnableMFADevice',
          'iam:GetUser',
          'iam:ChangePassword',
          'iam:ListMFADevices',
          'iam:ListVirtualMFADevices',
          'iam:ResyncMFADevice',
          'sts:GetSessionToken',
        ],
        Resource: '*',
        Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    ],
  };
}

/** A role that only people who signed in with MFA may assume. */
export function mfaTrustPolicy(partition: string, account: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AssumeOnlyWithMFA',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ],
  };
}

/** `mfa-login policy [profile]`: prints both policies, filled in from the profile's MFA device when known. */
export async function policy(deps: Deps, input: PolicyInput): Promise<void> {
  let partition = input.partition;
  let account = input.account;
  if (input.profile !== undefined) {
    const plan = resolveChain(await readProfiles(deps), input.profile);
    const m = plan.mfaSerial === undefined ? null : /^arn:([^:]+):iam::(\d{12}):/.exec(plan.mfaSerial);
    if (m !== null) {
      partition ??= m[1];
      account ??= m[2];
    }
  }
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new MfaLoginError('E_USAGE', `--account ${account} is not a 12-digit account id`);
  }
  const p = partition ?? 'aws';
  const a = account ?? 'IDENTITY_ACCOUNT_ID';
  deps.stdout(
    `# 1. Attach to the IAM users (or their group) in account ${a}: every API call needs MFA,\n` +
      `#    except managing their own credentials and MFA device, and sts:GetSessionToken.\n` +
      `${JSON.stringify(mfaRequiredPolicy(p), null, 2)}\n\n` +
      `# 2. Trust policy for each role they assume in the target accounts: only with MFA.\n` +
      `${JSON.stringify(mfaTrustPolicy(p, a), null, 2)}\n\n` +
      `# mfa-login satisfies both: GetSessionToken with a code gives a session with MFA, and roles\n` +
      `# assumed from that session carry it.\n`,
  );
}
