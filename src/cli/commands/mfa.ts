import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { StsError } from '../../sts/sts.js';
import { askTwoCodes, explainIamError, iamUser } from '../../session/iam-user.js';
import { createMfaDevice, type MfaInput } from '../../session/mfa-device.js';
import { ATTEMPTS } from '../../terminal/ask-again.js';

/** `mfa-login mfa create <profile>`: a virtual MFA device for the profile's IAM user (session/mfa-device.ts). */
export function mfaCreate(deps: Deps, input: MfaInput): Promise<void> {
  return createMfaDevice(deps, input);
}

/** `mfa-login mfa resync <profile>`: two consecutive codes bring a drifted device back in step. */
export async function mfaResync(deps: Deps, input: MfaInput): Promise<void> {
  const user = await iamUser(deps, input.profile, 'mfa resync', 'asks for two codes on a terminal');
  const serial = user.config?.settings.mfa_serial;
  if (serial === undefined) {
    throw new MfaLoginError('E_NO_MFA_SERIAL', `profile ${input.profile} has no mfa_serial to resync`, { hint: `set up a device with: mfa-login mfa create ${input.profile}` });
  }
  deps.terminal.say(`Resynchronising ${serial}: type two consecutive codes from the device.`);
  // Only IAM can check these codes (the seed is not here): a pair it refuses is asked again.
  for (let attempt = 1; ; attempt++) {
    const [code1, code2] = await askTwoCodes(deps);
    try {
      await deps.sts().resyncMfaDevice(user.keys, user.iam, { userName: user.userName, serialNumber: serial, code1, code2 });
      break;
    } catch (e) {
      if (!(e instanceof StsError && e.code === 'InvalidAuthenticationCode')) throw explainIamError(e, input.profile, 'resync the MFA device');
      if (attempt >= ATTEMPTS) {
        throw new MfaLoginError('E_MFA_REJECTED', `IAM did not accept the two codes for ${serial}: they must be two consecutive codes of that device`, { hint: `wait for a new code and run again: mfa-login mfa resync ${input.profile}`, cause: e });
      }
      deps.terminal.say(`IAM did not accept those two codes: type two consecutive codes of ${serial} again, the second after the first changes. (try ${attempt + 1} of ${ATTEMPTS})`);
    }
  }
  deps.stdout(`Resynchronised ${serial}. Log in with: mfa-login login ${input.profile}\n`);
}
