import type { ChainPlan } from '../config/chain.js';
import type { LongTermKeys } from '../credentials.js';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';

/** The IAM user's long-term key, from the secret store (aws-vault's keyring provider). */
export async function longTermKeys(deps: Pick<Deps, 'secrets'>, profile: string): Promise<LongTermKeys> {
  const store = deps.secrets();
  const k = await store.get(profile);
  if (k === undefined) {
    throw new MfaLoginError('E_NO_KEYS', `no keys stored for profile ${profile} in ${store.location}`, { hint: `store them with: mfa-login add ${profile}` });
  }
  return k;
}

/**
 * The chain's MFA device. Asked for only when a code is about to be needed, never on a cache hit,
 * and after the keys were read: the hint never sends the user to store them again with `add`.
 */
export function mfaDevice(plan: ChainPlan): string {
  if (plan.mfaSerial === undefined) {
    const name = plan.source.profile;
    throw new MfaLoginError('E_NO_MFA_SERIAL', `profile ${name} has no mfa_serial, so there is no MFA device to ask a code for`, {
      hint: `add "mfa_serial = arn:aws:iam::ACCOUNT:mfa/NAME" (your device's ARN, under Security credentials in the IAM console) to [${name === 'default' ? 'default' : `profile ${name}`}] in the AWS config file; no device yet? mfa-login mfa create ${name}`,
    });
  }
  return plan.mfaSerial;
}
