import type { Deps } from '../../deps.js';
import type { LongTermKeys } from '../../credentials.js';
import { MfaLoginError } from '../../errors.js';
import { patterns, stsSettings } from '../../config/chain.js';
import { configHeaderFor, loadProfiles, sharedFilePaths, type ProfileSet } from '../../config/profiles.js';
import { removeSectionKeys, setSectionValues } from '../../output/ini-edit.js';
import { parseIni } from '../../config/ini.js';
import { explainStsError } from '../../providers/sts-errors.js';
import { iamUserName, StsError, stsTarget } from '../../sts/sts.js';
import { editProfileFile, readProfiles, shortPath } from '../../session/profiles-io.js';
import { checkBeforeWriting } from '../../files/file-safety.js';
import { forgetEverywhere } from '../../session/forget.js';
import { updateKeyInfo } from '../../secrets/key-info.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { askUntil, ATTEMPTS } from '../../terminal/ask-again.js';

export interface AddInput {
  profile: string;
  fromEnv: boolean;
  import: boolean;
  mfaSerial?: string;
  yes: boolean;
}

const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;
const SECRET = /^[A-Za-z0-9/+=]{16,128}$/;
/** What the key id prompt says of what was typed: an ASIA key is a session's, not a wrong AKIA. */
const keyIdProblem = (v: string) => (/^ASIA/i.test(v.trim()) ? 'ASIA... is a temporary key, which add does not store: give the IAM user\'s long-term AKIA... key' : 'An access key ID looks like AKIAIOSFODNN7EXAMPLE');

/**
 * `mfa-login add <profile>`: check the keys with STS before storing anything, store them, and make
 * sure the profile knows its MFA device (the most common first-run mistake is a missing or wrong
 * mfa_serial).
 */
export async function add(deps: Deps, input: AddInput): Promise<void> {
  if (input.mfaSerial !== undefined && !patterns.MFA_ARN.test(input.mfaSerial) && !/^[\w+=/:,.@-]{9,256}$/.test(input.mfaSerial)) {
    throw new MfaLoginError('E_USAGE', `--mfa-serial ${input.mfaSerial} is not an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME); nothing was stored`);
  }
  const files = await readProfiles(deps);
  const profile = files.profiles.get(input.profile);
  const store = deps.secrets();
  const typing = !input.import && !input.fromEnv && deps.stdinIsTty;
  // A store that cannot take the keys (no D-Bus, a locked keychain, a mistyped passphrase) is
  // found out before a person pastes them and STS is asked, not after.
  if (typing) await store.ready(input.profile);
  let keys = await keysFrom(deps, input, files);
  if (!typing) await store.ready(input.profile);
  // Found out before the keys are stored: they would then be in two places.
  if (input.import) await checkBeforeWriting(files.credentialsFile);

  // Every STS setting of the profile (endpoint_url, region, sts_regional_endpoints,
  // use_fips_endpoint), as login and credential-process read them.
  const target = stsTarget(profile ? stsSettings(profile) : {}, deps.env);
  let identity: { arn: string };
  for (let attempt = 1; ; attempt++) {
    try {
      identity = await deps.sts().getCallerIdentity(keys, target);
      break;
    } catch (e) {
      const again = typing && attempt < ATTEMPTS ? retypeAfter(e, keys) : undefined;
      if (again === undefined) throw explainStsError(e, { action: 'GetCallerIdentity', profile: input.profile, accessKeyId: keys.accessKeyId, keysJustGiven: true });
      deps.terminal.say(`${again.problem} (try ${attempt + 1} of ${ATTEMPTS})`);
      keys = await typedKeys(deps, input.profile, again.keep);
    }
  }

  await store.set(input.profile, keys);
  // Sessions obtained with the old keys belong to whoever those keys were.
  await forgetEverywhere(deps, input.profile);
  deps.stdout(`Stored the keys of ${identity.arn} (${keys.accessKeyId}) for profile ${input.profile} in ${shortPath(deps, store.location)}.\n`);
  await rememberKeyDate(deps, input.profile, keys, target, iamUserName(identity.arn));

  if (input.import) await removeImported(deps, files.credentialsFile, input.profile, keys);

  const existing = profile?.settings.mfa_serial;
  if (existing !== undefined && input.mfaSerial === undefined) {
    deps.stdout(`MFA device: ${existing} (from ${profile!.where.mfa_serial}).\n`);
    return;
  }
  const found = input.mfaSerial !== undefined ? { serial: input.mfaSerial } : await findMfaDevice(deps, keys, identity.arn, target, input);
  if (found.serial !== undefined) {
    await recordSerial(deps, files, input, found.serial);
    return;
  }
  // A profile whose keys are stored exists: without a section, every next command would say
  // "profile not found" and send the user back here to store the keys again.
  if (!profile) await addSection(deps, files, input.profile);
  if (found.advice !== undefined) deps.stdout(found.advice);
}

/** Adds an empty `[profile NAME]` to the config file, unless the profile is there by now. */
async function addSection(deps: Deps, files: ProfileSet, profile: string): Promise<void> {
  const header = configHeaderFor(profile);
  let added = false;
  await editProfileFile(deps, files.configFile, (text) => {
    added = !loadProfiles(files, text, undefined).profiles.get(profile)?.inConfig;
    if (!added) return text;
    const gap = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return `${text}${gap}[${header}]\n`;
  });
  if (added) deps.stdout(`Added [${header}] to ${shortPath(deps, files.configFile)}.\n`);
}

/**
 * Takes the imported keys out of the credentials file, and only them: decided under the file's
 * lock on what the section holds then. A key pair written there since the import read the file
 * (`aws configure`, another tool) is someone else's, and stays.
 */
async function removeImported(deps: Deps, file: string, profile: string, keys: LongTermKeys): Promise<void> {
  let found: Record<string, string> | undefined;
  await editProfileFile(deps, file, (text) => {
    found = parseIni(text, file).find((s) => s.header === profile)?.values;
    if (found?.aws_access_key_id !== keys.accessKeyId || found.aws_secret_access_key !== keys.secretAccessKey) return text;
    return removeSectionKeys(text, profile, ['aws_access_key_id', 'aws_secret_access_key']);
  });
  const shown = shortPath(deps, file);
  if (found?.aws_access_key_id === keys.accessKeyId && found.aws_secret_access_key === keys.secretAccessKey) {
    deps.stdout(`Removed them from [${profile}] in ${shown}.\n`);
  } else if (found?.aws_access_key_id !== undefined || found?.aws_secret_access_key !== undefined) {
    const other = found.aws_access_key_id !== undefined && found.aws_access_key_id !== keys.accessKeyId ? `another key (${found.aws_access_key_id})` : 'another secret';
    deps.stderr(`mfa-login: note: [${profile}] in ${shown} now holds ${other}, written there since the import began; it was left as it is\n`);
  } else {
    deps.stdout(`They are no longer in [${profile}] in ${shown}.\n`);
  }
}

/** Where the keys come from: --import, --from-env, stdin when it is not a terminal, else a prompt. */
async function keysFrom(deps: Deps, input: AddInput, files: ProfileSet): Promise<LongTermKeys> {
  let keys: LongTermKeys;
  let from: string;
  if (input.import) {
    const p = files.profiles.get(input.profile);
    const id = p?.settings.aws_access_key_id;
    const secret = p?.settings.aws_secret_access_key;
    if (!p?.inCredentials || id === undefined || secret === undefined || !p.where.aws_access_key_id!.startsWith(files.credentialsFile)) {
      throw new MfaLoginError('E_NO_KEYS', `[${input.profile}] in ${files.credentialsFile} has no aws_access_key_id and aws_secret_access_key to import`, { hint: `run without --import to type them: mfa-login add ${input.profile}` });
    }
    if (p.settings.aws_session_token !== undefined) {
      throw new MfaLoginError('E_NO_KEYS', `[${input.profile}] in ${files.credentialsFile} holds a temporary session, not long-term keys`, { hint: 'import the IAM user\'s long-term access key (it starts with AKIA)' });
    }
    keys = { accessKeyId: id, secretAccessKey: secret };
    from = `[${input.profile}] in ${files.credentialsFile}`;
  } else if (input.fromEnv) {
    const id = deps.env.AWS_ACCESS_KEY_ID;
    const secret = deps.env.AWS_SECRET_ACCESS_KEY;
    if (!id || !secret) {
      throw new MfaLoginError('E_NO_KEYS', '--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to be set', {});
    }
    if (deps.env.AWS_SESSION_TOKEN) {
      throw new MfaLoginError('E_NO_KEYS', 'the environment holds a temporary session (AWS_SESSION_TOKEN is set), not long-term keys', { hint: 'store the IAM user\'s long-term access key (it starts with AKIA)' });
    }
    keys = { accessKeyId: id, secretAccessKey: secret };
    from = 'the environment';
  } else if (!deps.stdinIsTty) {
    keys = parseKeysText(await deps.readStdin());
    from = 'standard input';
  } else {
    keys = await typedKeys(deps, input.profile);
    from = 'the terminal';
  }
  if (keys.accessKeyId.startsWith('ASIA')) {
    throw new MfaLoginError('E_NO_KEYS', `the access key from ${from} is temporary (it starts with ASIA); store the IAM user's long-term key (AKIA...)`, {});
  }
  const how = from === 'standard input' ? { hint: 'pipe two lines (the access key id, then the secret) or the CSV the IAM console downloads; or run in a terminal to be asked' } : {};
  if (!ACCESS_KEY_ID.test(keys.accessKeyId)) {
    throw new MfaLoginError('E_NO_KEYS', `the access key id from ${from} does not look like one (expected AKIA followed by letters and digits)`, how);
  }
  if (!SECRET.test(keys.secretAccessKey)) {
    throw new MfaLoginError('E_NO_KEYS', `the secret access key from ${from} does not look like one (expected 40 characters of letters, digits, / and +)`, how);
  }
  return keys;
}

/**
 * Keys typed at the terminal. A secret that does not look like one is asked again (a key id is,
 * by its prompt): the key id typed before it is kept. `keep` is a key id already accepted.
 */
async function typedKeys(deps: Deps, profile: string, keep?: string): Promise<LongTermKeys> {
  const accessKeyId =
    keep ??
    (await deps.terminal.ask('Access key ID:', { validate: (v) => (ACCESS_KEY_ID.test(v.trim()) ? true : keyIdProblem(v)) })).trim();
  const secretAccessKey = (
    await askUntil(
      deps.terminal,
      () => deps.terminal.askSecret('Secret access key:'),
      (v) => (SECRET.test(v.trim()) ? true : `That is not a secret access key (${v.trim().length} characters; one is 40 characters of letters, digits, / and +): paste it again.`),
      () => new MfaLoginError('E_NO_KEYS', `the secret access key from the terminal does not look like one (expected 40 characters of letters, digits, / and +); nothing was stored`, { hint: `copy the secret from the .csv file the IAM console gave with the key (it is shown only once), then: mfa-login add ${profile}` }),
    )
  ).trim();
  return { accessKeyId, secretAccessKey };
}

/**
 * Keys STS refused that a person may just have mistyped: a secret that does not match its key
 * id (asked again, the key id kept), or a key id AWS does not know (both asked again). A clock
 * that is off is not a typo.
 */
function retypeAfter(e: unknown, keys: LongTermKeys): { problem: string; keep?: string } | undefined {
  if (!(e instanceof StsError) || /expired|skew/i.test(e.message)) return undefined;
  if (e.code === 'SignatureDoesNotMatch') return { problem: `AWS says that secret does not belong to ${keys.accessKeyId}: paste the secret again.`, keep: keys.accessKeyId };
  if (e.code === 'InvalidClientTokenId') return { problem: `AWS does not know the access key ${keys.accessKeyId}: type the key id and its secret again.` };
  return undefined;
}

/**
 * Keys piped in: two lines (id, then secret), `id secret` on one line, or a CSV the IAM console
 * downloads, found by its header: the access key's own (`Access key ID,Secret access key`) and the
 * new user's (`User name,Password,Access key ID,Secret access key,Console login link`).
 */
export function parseKeysText(text: string): LongTermKeys {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const header = lines.findIndex((l) => /access key id/i.test(l) && /secret access key/i.test(l));
  let id = '';
  let secret = '';
  if (header >= 0) {
    const cells = (line: string | undefined) => csvCells(line ?? '');
    const names = cells(lines[header]).map((n) => n.toLowerCase());
    const values = cells(lines[header + 1]);
    id = values[names.indexOf('access key id')] ?? '';
    secret = values[names.indexOf('secret access key')] ?? '';
  } else {
    const parts = lines.length === 1 ? lines[0]!.split(/[\s,]+/) : lines.length === 2 ? lines : [];
    [id = '', secret = ''] = parts.length === 2 ? parts : [];
  }
  if (!id || !secret) {
    throw new MfaLoginError('E_NO_KEYS', 'standard input did not hold an access key id and a secret access key', {
      hint: 'pipe two lines: the access key id, then the secret; or the CSV file the IAM console downloads; or run in a terminal to be asked',
    });
  }
  return { accessKeyId: id, secretAccessKey: secret };
}

/** The cells of one CSV line: quoted cells may hold commas, and `""` is a quote inside one. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** A device to record, or what to tell the user instead (shown once the profile exists). */
type FoundDevice = { serial: string; advice?: undefined } | { serial?: undefined; advice?: string };

/**
 * The user's MFA device: IAM ListMFADevices when the policy allows it (up to eight devices: let
 * the user choose), else the console's naming convention arn:PARTITION:iam::ACCOUNT:mfa/USER,
 * which the user confirms. The one device IAM lists is certain, and recorded without a question
 * when there is nobody to ask (keys piped in); a guess is only recorded with --yes or a yes.
 */
async function findMfaDevice(deps: Deps, keys: LongTermKeys, userArn: string, target: ReturnType<typeof stsTarget>, input: AddInput): Promise<FoundDevice> {
  const m = /^arn:([^:]+):iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(userArn);
  if (m === null) {
    return { advice: `${userArn} is not an IAM user, so it has no MFA device to record; set mfa_serial by hand if you need one.\n` };
  }
  const [, partition, account, user] = m;
  let devices: string[] | undefined;
  try {
    devices = await deps.sts().listMfaDevices(keys, target);
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    deps.debug(`ListMFADevices refused (${e.code}); falling back to the device naming convention`);
  }
  const interactive = deps.terminal.available() && deps.stdinIsTty;
  if (devices !== undefined && devices.length === 0) {
    if (interactive && (await deps.terminal.confirm(`${userArn} has no MFA device. Create a virtual one now?`, true))) {
      await (await import('../../session/mfa-device.js')).createMfaDevice(deps, { profile: input.profile });
      return {};
    }
    return { advice: `${userArn} has no MFA device. Create one with: mfa-login mfa create ${input.profile}\n` };
  }
  if (devices !== undefined && devices.length > 1) {
    if (!interactive) {
      return { advice: `${userArn} has ${devices.length} MFA devices: ${devices.join(', ')}\nTo choose one, ${recordLine(deps, input.profile, 'ARN')}\n` };
    }
    return { serial: await deps.terminal.choose('Which MFA device should this profile use?', devices) };
  }
  const guessed = devices === undefined;
  const serial = devices?.[0] ?? `arn:${partition}:iam::${account}:mfa/${user}`;
  if (input.yes) return { serial };
  if (!interactive) {
    if (!guessed) {
      deps.stdout(`MFA device: ${serial} (the only one IAM lists for ${userArn}).\n`);
      return { serial };
    }
    return { advice: `Probable MFA device: ${serial} (IAM would not list the devices; this is the name the console gives)\nTo record it, ${recordLine(deps, input.profile, serial)}\n` };
  }
  const ok = await deps.terminal.confirm(guessed ? `Could not list your MFA devices; is it ${serial}?` : `Found MFA device ${serial}. Use it for ${input.profile}?`, true);
  return ok ? { serial } : { advice: `No MFA device recorded. When you know its ARN, ${recordLine(deps, input.profile, 'ARN')}\n` };
}

/**
 * IAM's CreateDate of the key, for the age `status` shows. ListAccessKeys needs MFA under the MFA
 * policy, which long-term keys alone do not carry: then nothing is remembered (the age shows as
 * unknown until the next rotate), rather than a guess.
 */
async function rememberKeyDate(deps: Deps, profile: string, keys: LongTermKeys, target: ReturnType<typeof stsTarget>, userName: string | undefined): Promise<void> {
  let created: string | undefined;
  try {
    // Only an IAM user's keys are listed by user name; other keys' age stays unknown.
    const listed = userName === undefined ? [] : await deps.sts().listAccessKeys(keys, stsTarget({ ...(target.endpoint ? { endpointUrl: target.endpoint } : {}), region: target.region }, deps.env, 'iam'), userName);
    const mine = listed.find((k) => k.accessKeyId === keys.accessKeyId);
    if (mine) created = toRfc3339(mine.createDate);
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    deps.debug(`ListAccessKeys refused (${e.code}): the key's age stays unknown`);
  }
  try {
    await updateKeyInfo(deps, (info) => {
      if (created === undefined) delete info.keys[profile];
      else info.keys[profile] = { accessKeyId: keys.accessKeyId, created };
    });
  } catch (e) {
    // The keys are stored: an age that cannot be written down only shows as unknown.
    if (!(e instanceof MfaLoginError)) throw e;
    deps.stderr(`mfa-login: warning: the key's age is not remembered: ${e.message}\n`);
  }
}

/**
 * How to record the device later: the one line to add to the config file. Running `add` again
 * would need the keys again, which are stored already (and, piped or imported, gone).
 */
function recordLine(deps: Deps, profile: string, serial: string): string {
  return `add "mfa_serial = ${serial}" to [${configHeaderFor(profile)}] in ${shortPath(deps, sharedFilePaths(deps.env, deps.homeDir).configFile)}`;
}

async function recordSerial(deps: Deps, files: ProfileSet, input: AddInput, serial: string): Promise<void> {
  const header = configHeaderFor(input.profile);
  await editProfileFile(deps, files.configFile, (text) => setSectionValues(text, header, [['mfa_serial', serial]], 'config'));
  deps.stdout(`Recorded mfa_serial = ${serial} in [${header}] of ${shortPath(deps, files.configFile)}.\n`);
}
