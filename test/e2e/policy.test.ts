/**
 * The policy `mfa-login policy` prints, evaluated against the calls mfa-login makes: the MFA
 * self-service calls (create, enable, resync, delete an unenabled device) go through without MFA,
 * key rotation only with it. The e2e tests (rotate, mfa-device) check the calls they actually made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand, MFA_LOGIN } from './harness.js';
import { evaluate, identityPolicy, type Request } from './policy-evaluator.js';

async function printed(): Promise<string> {
  const r = await runCommand(process.execPath, [MFA_LOGIN, 'policy', '--account', '111111111111'], { PATH: process.env.PATH!, HOME: '/nonexistent' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const alice = (action: string, mfa: boolean | undefined, resource = `arn:aws:iam::111111111111:user/alice`): Request => ({ action, resource, username: 'alice', mfa });
const device = (name: string) => `arn:aws:iam::111111111111:mfa/${name}`;

test('the printed policy lets the MFA self-service calls through without MFA, and key rotation only with it', async () => {
  const policy = identityPolicy(await printed());
  const withoutMfa: Array<[Request, string]> = [
    [alice('iam:CreateVirtualMFADevice', undefined, device('alice')), 'mfa create'],
    [alice('iam:EnableMFADevice', undefined), 'mfa create'],
    [alice('iam:DeleteVirtualMFADevice', undefined, device('alice')), 'mfa create, when enabling fails'],
    [alice('iam:ResyncMFADevice', undefined), 'mfa resync'],
    [alice('iam:ListMFADevices', undefined), 'add'],
    [alice('sts:GetSessionToken', undefined, '*'), 'login'],
    [alice('sts:GetCallerIdentity', undefined, '*'), 'add, rotate'],
  ];
  for (const [r, who] of withoutMfa) assert.equal(evaluate(policy, r), 'Allow', `${r.action} (${who}) without MFA`);

  for (const action of ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey']) {
    assert.equal(evaluate(policy, alice(action, undefined)), 'Deny', `${action} with long-term keys alone`);
    assert.equal(evaluate(policy, alice(action, false)), 'Deny', `${action} with a session without MFA`);
    assert.equal(evaluate(policy, alice(action, true)), 'Allow', `${action} with the MFA session`);
    assert.equal(evaluate(policy, { ...alice(action, true), resource: 'arn:aws:iam::111111111111:user/bob' }), 'ImplicitDeny', `${action} on another user`);
  }
  // Only the user's own unenabled device may be deleted without MFA; anything else stays denied.
  assert.equal(evaluate(policy, alice('iam:DeleteVirtualMFADevice', undefined, device('bob'))), 'ImplicitDeny');
  assert.equal(evaluate(policy, alice('iam:DeactivateMFADevice', undefined)), 'Deny');
  assert.equal(evaluate(policy, alice('s3:ListBuckets', undefined, '*')), 'Deny');
});
