import QRCode from 'qrcode';
import type { Deps } from '../../deps.js';
import { EXIT, MfaLoginError } from '../../errors.js';
import { configHeaderFor } from '../../config/profiles.js';
import { setSectionValues } from '../../output/ini-edit.js';
import { StsError } from '../../sts/sts.js';
import { editProfileFile, shortPath } from '../profiles-io.js';
import { checkBeforeWriting } from '../../files/file-safety.js';
import { askTwoCodes, explainIamError, iamUser, type IamUser } from './iam-user.js';

export interface MfaInput {
  profile: string;
  /** The device's name (default: the IAM user's name). */
  name?: string;
}

const DEVICE_NAME = /^[\w+=,.@-]{1,226}$/;

/**
 * `mfa-login mfa create <profile>`: a virtual MFA device for the profile's IAM user, shown once on
 * the terminal (QR code and Base32 secret), enabled with two consecutive codes, and recorded as
 * the profile's mfa_serial. Every call it makes is one the MFA policy allows without MFA.
 */
export async function mfaCreate(deps: Deps, input: MfaInput): Promise<void> {
  if (input.name !== undefined && !DEVICE_NAME.test(input.name)) {
    throw new MfaLoginError('E_USAGE', `--name ${JSON.stringify(input.name)} is not a device name: up to 226 letters, digits and _+=,.@-`);
  }
  // The secret must reach the person's eyes only: never stdout, a pipe or a log.
  const user = await iamUser(deps, input.profile, 'mfa create', "shows the new device's secret on a terminal");
  const existing = user.config?.settings.mfa_serial;
  if (existing !== undefined) {
    throw new MfaLoginError('E_CONFIG', `profile ${input.profile} already has an MFA device: mfa_serial = ${existing} (${user.config!.where.mfa_serial}); remove that line to set up another one`, {
      hint: `if the device's codes are refused, resync it instead: mfa-login mfa resync ${input.profile}`,
    });
  }
  // Found out before a device is made and two codes are spent on it.
  await checkBeforeWriting(user.files.configFile);
  const name = input.name ?? user.userName;
  const sts = deps.sts();
  const device = await sts.createVirtualMfaDevice(user.keys, user.iam, name).catch((e) => {
    if (e instanceof StsError && e.code === 'EntityAlreadyExists') {
      return Promise.reject(new MfaLoginError('E_STS', `an MFA device named ${name} already exists in the account; nothing was created`, { hint: `choose another name: mfa-login mfa create ${input.profile} --name ${name}-2` }));
    }
    return Promise.reject(explainIamError(e, input.profile, 'create an MFA device'));
  });
  const serial = device.serialNumber;

  // From here the device exists: whatever stops the enabling, it is deleted again.
  const cleanUp = async (why: string): Promise<string> => {
    try {
      await sts.deleteVirtualMfaDevice(user.keys, user.iam, serial);
      return `${why}; the device ${serial} was not enabled and has been deleted, so the next try starts clean: mfa-login mfa create ${input.profile}`;
    } catch (e) {
      return `${why}; the device ${serial} was not enabled, and deleting it failed too (${e instanceof Error ? e.message : String(e)}): delete it in the IAM console before trying again`;
    }
  };
  // Ctrl-C outside a prompt is a signal: the CLI's own handler would exit at once, leaving the
  // device behind. While the device is unenabled, this one deletes it first.
  const saved = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const onSigint = () => {
    void cleanUp('interrupted').then((line) => {
      deps.stderr(`mfa-login: ${line}\n`);
      process.exit(EXIT.interrupted);
    });
  };
  process.on('SIGINT', onSigint);
  try {
    await show(deps, device.base32Seed, name, user);
    device.base32Seed.fill(0);
    const [code1, code2] = await askTwoCodes(deps);
    await sts.enableMfaDevice(user.keys, user.iam, { userName: user.userName, serialNumber: serial, code1, code2 });
  } catch (e) {
    device.base32Seed.fill(0);
    const why =
      e instanceof MfaLoginError && e.code === 'E_INTERRUPTED'
        ? 'interrupted'
        : e instanceof StsError && e.code === 'InvalidAuthenticationCode'
          ? 'IAM did not accept the two codes (they must be two consecutive codes of the device, sent soon after they appear)'
          : e instanceof Error
            ? `enabling failed: ${e.message}`
            : 'enabling failed';
    const line = await cleanUp(why);
    throw new MfaLoginError(e instanceof MfaLoginError && e.code === 'E_INTERRUPTED' ? 'E_INTERRUPTED' : 'E_MFA_REJECTED', line, { cause: e });
  } finally {
    process.removeListener('SIGINT', onSigint);
    for (const l of saved) process.on('SIGINT', l as () => void);
  }

  const header = configHeaderFor(input.profile);
  await editProfileFile(deps, user.files.configFile, (text) => setSectionValues(text, header, [['mfa_serial', serial]], 'config'));
  deps.stdout(`Enabled MFA device ${serial} for ${user.userArn}.\nRecorded mfa_serial = ${serial} in [${header}] of ${shortPath(deps, user.files.configFile)}.\nLog in with: mfa-login login ${input.profile}\n`);
}

/** The QR code and the secret, on the terminal only; the caller zeroes the seed right after. */
async function show(deps: Deps, seed: Uint8Array, name: string, user: IamUser): Promise<void> {
  const account = /::(\d{12}):/.exec(user.userArn)?.[1] ?? '';
  const issuer = encodeURIComponent('Amazon Web Services');
  const secret = Buffer.from(seed).toString('ascii');
  const uri = `otpauth://totp/${issuer}:${encodeURIComponent(`${name}@${account}`)}?secret=${secret}&issuer=${issuer}`;
  const qr = await QRCode.toString(uri, { type: 'terminal', small: true });
  deps.terminal.say(
    `Scan this with your authenticator app (shown once, never stored):\n\n${qr}\n` +
      `or type this secret by hand (time-based, 6 digits, 30 seconds):\n\n  ${secret.replace(/(.{4})/g, '$1 ').trim()}\n`,
  );
}

/** `mfa-login mfa resync <profile>`: two consecutive codes bring a drifted device back in step. */
export async function mfaResync(deps: Deps, input: MfaInput): Promise<void> {
  const user = await iamUser(deps, input.profile, 'mfa resync', 'asks for two codes on a terminal');
  const serial = user.config?.settings.mfa_serial;
  if (serial === undefined) {
    throw new MfaLoginError('E_NO_MFA_SERIAL', `profile ${input.profile} has no mfa_serial to resync`, { hint: `set up a device with: mfa-login mfa create ${input.profile}` });
  }
  deps.terminal.say(`Resynchronising ${serial}: type two consecutive codes from the device.`);
  const [code1, code2] = await askTwoCodes(deps);
  await deps
    .sts()
    .resyncMfaDevice(user.keys, user.iam, { userName: user.userName, serialNumber: serial, code1, code2 })
    .catch((e) => {
      if (e instanceof StsError && e.code === 'InvalidAuthenticationCode') {
        throw new MfaLoginError('E_MFA_REJECTED', `IAM did not accept the two codes for ${serial}: they must be two consecutive codes of that device`, { hint: `wait for a new code and run again: mfa-login mfa resync ${input.profile}`, cause: e });
      }
      throw explainIamError(e, input.profile, 'resync the MFA device');
    });
  deps.stdout(`Resynchronised ${serial}. Log in with: mfa-login login ${input.profile}\n`);
}
