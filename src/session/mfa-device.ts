import QRCode from 'qrcode';
import type { Deps } from '../deps.js';
import { EXIT, MfaLoginError } from '../errors.js';
import { configHeaderFor } from '../config/profiles.js';
import { setSectionValues } from '../output/ini-edit.js';
import { StsError } from '../sts/sts.js';
import { editProfileFile, shortPath } from './profiles-io.js';
import { checkBeforeWriting } from '../files/file-safety.js';
import { explainIamError, iamUser, type IamUser } from './iam-user.js';
import { askUntil, ATTEMPTS } from '../terminal/ask-again.js';
import { base32Decode, hotp, totpStep } from '../mfa/totp.js';

export interface MfaInput {
  profile: string;
  /** The device's name (default: the IAM user's name). */
  name?: string;
}

const DEVICE_NAME = /^[\w+=,.@-]{1,226}$/;

/**
 * A virtual MFA device for the profile's IAM user (`mfa-login mfa create`, and `add` for a user
 * with none), shown once on the terminal (QR code and Base32 secret), enabled with two consecutive
 * codes, and recorded as the profile's mfa_serial. Every call it makes is one the MFA policy allows without MFA.
 */
export async function createMfaDevice(deps: Deps, input: MfaInput): Promise<void> {
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
  const entry = appEntry(name, user);

  // The QR code and the secret are shown on the alternate screen, and taken off the terminal with
  // it once the device is enabled (or gone): nobody reads them off the scrollback later.
  let onAltScreen = false;
  const leaveAltScreen = () => {
    if (onAltScreen) deps.terminal.write(LEAVE_ALT_SCREEN);
    onAltScreen = false;
  };
  // From here the device exists: whatever stops the enabling, it is deleted again. Once its QR
  // code was shown, the app holds an entry for it that will never give a good code again.
  let shown = false;
  const cleanUp = async (why: string): Promise<{ message: string; hint?: string }> => {
    try {
      await sts.deleteVirtualMfaDevice(user.keys, user.iam, serial);
      const dead = shown ? `, so the entry ${entry} in your authenticator app is dead` : '';
      return {
        message: `${why}; the device ${serial} was not enabled and has been deleted${dead}`,
        hint: `${shown ? 'remove that entry from the app, then start again' : 'start again'}: mfa-login mfa create ${input.profile}`,
      };
    } catch (e) {
      return { message: `${why}; the device ${serial} was not enabled, and deleting it failed too (${e instanceof Error ? e.message : String(e)}): delete it in the IAM console before trying again` };
    }
  };
  // Ctrl-C outside a prompt is a signal: the CLI's own handler would exit at once, leaving the
  // device behind. While the device is unenabled, this one deletes it first.
  const saved = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const onSigint = () => {
    leaveAltScreen();
    void cleanUp('interrupted').then((line) => {
      deps.stderr(`mfa-login: ${line.message}\n${line.hint !== undefined ? `  hint: ${line.hint}\n` : ''}`);
      process.exit(EXIT.interrupted);
    });
  };
  process.on('SIGINT', onSigint);
  // The seed, decoded, is kept only to check the codes as they are typed.
  let key: Buffer | undefined;
  try {
    key = base32Decode(Buffer.from(device.base32Seed).toString('ascii'));
    deps.terminal.write(ENTER_ALT_SCREEN);
    onAltScreen = true;
    await show(deps, device.base32Seed, name, user);
    shown = true;
    device.base32Seed.fill(0);
    const [code1, code2] = await askCheckedCodes(deps, key, entry);
    key.fill(0);
    await sts.enableMfaDevice(user.keys, user.iam, { userName: user.userName, serialNumber: serial, code1, code2 });
  } catch (e) {
    device.base32Seed.fill(0);
    key?.fill(0);
    leaveAltScreen();
    const why =
      e instanceof MfaLoginError && e.code === 'E_INTERRUPTED'
        ? 'interrupted'
        : e instanceof MfaLoginError && e.code === 'E_MFA_REJECTED'
          ? e.message
          : e instanceof StsError && e.code === 'InvalidAuthenticationCode'
            ? 'IAM did not accept the two codes (they must be two consecutive codes of the device, sent soon after they appear)'
            : e instanceof Error
              ? `enabling failed: ${e.message}`
              : 'enabling failed';
    const line = await cleanUp(why);
    throw new MfaLoginError(e instanceof MfaLoginError && e.code === 'E_INTERRUPTED' ? 'E_INTERRUPTED' : 'E_MFA_REJECTED', line.message, { cause: e, ...(line.hint !== undefined ? { hint: line.hint } : {}) });
  } finally {
    leaveAltScreen();
    process.removeListener('SIGINT', onSigint);
    for (const l of saved) process.on('SIGINT', l as () => void);
  }

  const header = configHeaderFor(input.profile);
  await editProfileFile(deps, user.files.configFile, (text) => setSectionValues(text, header, [['mfa_serial', serial]], 'config'));
  deps.stdout(`Enabled MFA device ${serial} for ${user.userArn}.\nRecorded mfa_serial = ${serial} in [${header}] of ${shortPath(deps, user.files.configFile)}.\nLog in with: mfa-login login ${input.profile}\n`);
}

/** xterm's alternate screen (what full-screen programs use), cleared and with the cursor at the top. */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

/** How the new device is named in an authenticator app: the label its QR code carries. */
function appEntry(name: string, user: IamUser): string {
  const account = /::(\d{12}):/.exec(user.userArn)?.[1] ?? '';
  return `"Amazon Web Services: ${name}@${account}"`;
}

/**
 * Two consecutive codes of the new device, each checked against its seed as it is typed: the
 * first must be the code of now (or of the step before, for a slow typist, or after, for a phone
 * a little ahead), the second the code of the step right after the first. A wrong one is said and
 * asked again (three tries each), so that one typo does not cost the scanned device; only two
 * good codes go to IAM. A second code from later than the next step stands in as a new first one.
 */
async function askCheckedCodes(deps: Deps, key: Uint8Array, entry: string): Promise<[string, string]> {
  const six = (v: string) => (/^\d{6}$/.test(v.trim()) ? true : 'A code is 6 digits');
  const stepNow = () => totpStep(deps.now().getTime());
  const stepOf = (code: string, from: number, to: number) => {
    for (let s = from; s <= to; s++) if (hotp(key, s) === code) return s;
    return undefined;
  };
  const rejected = (what: string) => new MfaLoginError('E_MFA_REJECTED', `${what} (${ATTEMPTS} tries), so nothing was sent to IAM`);

  let first = { code: '', step: 0 };
  await askUntil(
    deps.terminal,
    () => deps.terminal.ask('First code from the device:', { validate: six, judgedLater: true }),
    (v) => {
      const code = v.trim();
      const now = stepNow();
      const step = stepOf(code, now - 1, now + 1);
      if (step === undefined) return `${code} is not the code the new device shows now: check that it is the entry ${entry} in the app (scanned just now), and type the code it shows.`;
      first = { code, step };
      return true;
    },
    () => rejected('none of the first codes typed is a code of the new device'),
  );
  const second = await askUntil(
    deps.terminal,
    () =>
      deps.terminal.ask('Wait for the code to change, then the next one:', {
        judgedLater: true,
        validate: (v) => (six(v) !== true ? six(v) : v.trim() === first.code ? 'That is the same code: wait until the device shows the next one' : true),
      }),
    (v) => {
      const code = v.trim();
      if (hotp(key, first.step + 1) === code) return true;
      const later = stepOf(code, first.step + 2, stepNow() + 1);
      if (later !== undefined) {
        const before = first.code;
        first = { code, step: later };
        return `${code} comes later than the code right after ${before}: it counts as the first code now. Wait for it to change once more, then type the next one.`;
      }
      return `${code} is not the code that follows ${first.code} on the new device: type the code it shows after ${first.code}.`;
    },
    () => rejected('none of the second codes typed is the code that follows the first'),
  );
  return [first.code, second.trim()];
}

/** The QR code and the secret, on the terminal only; the caller zeroes the seed right after. */
async function show(deps: Deps, seed: Uint8Array, name: string, user: IamUser): Promise<void> {
  const account = /::(\d{12}):/.exec(user.userArn)?.[1] ?? '';
  const issuer = encodeURIComponent('Amazon Web Services');
  const secret = Buffer.from(seed).toString('ascii');
  const uri = `otpauth://totp/${issuer}:${encodeURIComponent(`${name}@${account}`)}?secret=${secret}&issuer=${issuer}`;
  const qr = await QRCode.toString(uri, { type: 'terminal', small: true });
  deps.terminal.say(
    `Scan this with your authenticator app (shown once, never stored, and cleared from the screen once the device is enabled):\n\n${qr}\n` +
      `or type this secret by hand (time-based, 6 digits, 30 seconds):\n\n  ${secret.replace(/(.{4})/g, '$1 ').trim()}\n`,
  );
}
