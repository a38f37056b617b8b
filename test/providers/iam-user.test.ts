import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { longTermKeys, mfaDevice } from '../../src/providers/iam-user.js';
import { memoryDeps } from '../memory-deps.js';
import { refusal } from '../refusal.js';
import { ALICE_KEYS, ALICE_MFA, plan, role, USER } from './fakes.js';

test('the stored keys of a profile are handed back as stored', async () => {
  const { deps } = memoryDeps({ keys: { alice: ALICE_KEYS } });
  assert.deepEqual(await longTermKeys(deps, 'alice'), ALICE_KEYS);
});

test('no stored keys: the store is named, and the command that stores them', async () => {
  const { deps } = memoryDeps();
  const e = await refusal(longTermKeys(deps, 'bob'), 'E_NO_KEYS', EXIT.missingKeys);
  assert.equal(e.message, 'no keys stored for profile bob in /home/alice/.config/mfa-login/keys.enc');
  assert.equal(e.hint, 'store them with: mfa-login add bob');
});

test("the chain's MFA device is the nearest mfa_serial, also for a role reached through the user", () => {
  assert.equal(mfaDevice(plan(USER + role('prod', 'alice'), 'prod')), ALICE_MFA);
});

test('no mfa_serial anywhere: the section to add it to, and the command that makes a device', () => {
  const noDevice = (config: string, target: string) => {
    try {
      mfaDevice(plan(config, target));
    } catch (e) {
      assert.ok(e instanceof MfaLoginError);
      assert.equal(e.code, 'E_NO_MFA_SERIAL');
      assert.equal(e.exitStatus, EXIT.mfa);
      return e;
    }
    return assert.fail('a device was found');
  };
  const named = noDevice('[profile bob]\nregion = eu-west-1\n' + role('prod', 'bob'), 'prod');
  assert.equal(named.message, 'profile bob has no mfa_serial, so there is no MFA device to ask a code for');
  assert.match(named.hint!, /to \[profile bob\] in the AWS config file; no device yet\? mfa-login mfa create bob$/);
  assert.match(noDevice('[default]\nregion = eu-west-1\n', 'default').hint!, /to \[default\] in the AWS config file; no device yet\? mfa-login mfa create default$/);
});
