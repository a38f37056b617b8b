import type { Deps } from '../../deps.js';
import type { Credentials, LongTermKeys } from '../../credentials.js';
import { MfaLoginError } from '../../errors.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { readKeyInfo, updateKeyInfo } from '../../secrets/key-info.js';
import { StsError } from '../../sts/sts.js';
import { shortPath } from '../../session/profiles-io.js';
import { sessionFor } from '../../session/session.js';
import { deleteKeyCommand, explainIamError, iamUser, type IamUser } from '../../session/iam-user.js';
import { forgetEverywhere } from '../../session/forget.js';

export interface RotateInput {
  profile: string;
  mfaToken?: string;
  duration?: number;
}

/** New IAM keys take a few seconds to reach STS; past this, something else is wrong. */
const NEW_KEY_WAIT_MS = 90_000;
const NEW_KEY_POLL_MS = 1000;


/**
 * `mfa-login rotate <profile>`: a new access key made with the MFA session, used only once STS
 * accepts it, then stored; the old key deleted in IAM and its sessions forgotten. The key in the
 * store works at every step: the new one replaces it only after it has been seen to work, and
 * the old one is deleted only after the new one is stored. Each step is written down first
 * (secrets/key-info.ts), so that `doctor` can say what an interruption left behind. Every IAM
 * call names the user: IAM does not work out who an MFA session's user is.
 */
export async function rotate(deps: Deps, input: RotateInput): Promise<void> {
  const { profile } = input;
  const user = await iamUser(deps, profile, 'rotate');
  if (user.config?.settings.mfa_serial === undefined) {
    throw new MfaLoginError('E_NO_MFA_SERIAL', `profile ${profile} has no mfa_serial: creating and deleting access keys needs an MFA session`, { hint: `set up an MFA device first: mfa-login mfa create ${profile}` });
  }
  const { got } = await sessionFor(deps, { profile, ...(input.mfaToken !== undefined ? { mfaToken: input.mfaToken } : {}), ...(input.duration !== undefined ? { duration: input.duration } : {}) });
  const mfa = got.credentials;
  const sts = deps.sts();
  const old = user.keys;

  const pending = (await readKeyInfo(deps)).rotations[profile];
  const listed = await sts.listAccessKeys(mfa, user.iam, user.userName).catch((e) => {
    throw explainIamError(e, profile, 'list the access keys');
  });
  const stored = listed.find((k) => k.accessKeyId === old.accessKeyId);
  if (stored === undefined) {
    throw new MfaLoginError('E_NO_KEYS', `the key stored for ${profile} (${old.accessKeyId}) is not among ${user.userArn}'s access keys in IAM`, { hint: `store the user's current key: mfa-login add ${profile}` });
  }

  // An earlier rotate stored the new key and was stopped before deleting the old one: finish it.
  if (pending?.stage === 'stored' && pending.newKeyId === old.accessKeyId) {
    if (listed.some((k) => k.accessKeyId === pending.oldKeyId)) {
      await sts.deleteAccessKey(mfa, user.iam, user.userName, pending.oldKeyId).catch((e) => {
        throw explainIamError(e, profile, `delete the old access key ${pending.oldKeyId}`);
      });
    }
    await forgetEverywhere(deps, profile);
    await updateKeyInfo(deps, (info) => {
      delete info.rotations[profile];
    });
    deps.stdout(`Finished the interrupted rotation of ${profile}: the old key ${pending.oldKeyId} is deleted in IAM; ${old.accessKeyId} stays stored.\n`);
    return;
  }

  await updateKeyInfo(deps, (info) => {
    info.keys[profile] = { accessKeyId: old.accessKeyId, created: toRfc3339(stored.createDate) };
    // A record whose new key is gone from IAM describes nothing left to clean up.
    if (info.rotations[profile] && !listed.some((k) => k.accessKeyId === info.rotations[profile]!.newKeyId)) delete info.rotations[profile];
  });
  const other = listed.find((k) => k.accessKeyId !== old.accessKeyId);
  if (other !== undefined) {
    throw new MfaLoginError('E_STS', `${user.userName} already has two access keys, the most IAM allows: ${other.accessKeyId} (created ${toRfc3339(other.createDate)}, ${other.status}) is not the one stored for ${profile} (${old.accessKeyId}); nothing was created`, {
      hint: `if nothing uses it, delete it, then rotate again: ${deleteKeyCommand(profile, other.accessKeyId, user.userName)}`,
    });
  }

  await setRotation(deps, profile, { stage: 'creating', oldKeyId: old.accessKeyId, userName: user.userName, started: toRfc3339(deps.now()) });
  let created: LongTermKeys & { createDate: Date };
  try {
    created = await sts.createAccessKey(mfa, user.iam, user.userName);
  } catch (e) {
    await setRotation(deps, profile, undefined);
    throw explainIamError(e, profile, 'create a new access key');
  }
  const fresh: LongTermKeys = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
  await setRotation(deps, profile, { stage: 'created', oldKeyId: old.accessKeyId, newKeyId: fresh.accessKeyId, userName: user.userName, started: toRfc3339(deps.now()) });
  await pauseAt(deps, 'created');

  // Until the new key is stored, undoing means deleting it: the stored key never changed.
  const undo = async (why: string, cause: unknown): Promise<never> => {
    try {
      await sts.deleteAccessKey(mfa, user.iam, user.userName, fresh.accessKeyId);
      await setRotation(deps, profile, undefined);
      throw new MfaLoginError('E_STS', `${why}; the new key ${fresh.accessKeyId} has been deleted again, and the stored key ${old.accessKeyId} is unchanged and works`, { hint: `try again later: mfa-login rotate ${profile}`, cause });
    } catch (e) {
      if (e instanceof MfaLoginError) throw e;
      throw new MfaLoginError('E_STS', `${why}; the stored key ${old.accessKeyId} is unchanged and works, but the new key ${fresh.accessKeyId} could not be deleted (${(e as Error).message})`, { hint: deleteKeyCommand(profile, fresh.accessKeyId, user.userName), cause });
    }
  };

  try {
    await untilAccepted(deps, user, fresh);
  } catch (e) {
    return undo(e instanceof MfaLoginError ? e.message : `STS did not accept the new key: ${(e as Error).message}`, e);
  }
  try {
    await deps.secrets().set(profile, fresh);
  } catch (e) {
    return undo(`the new key could not be stored (${(e as Error).message})`, e);
  }
  await updateKeyInfo(deps, (info) => {
    info.keys[profile] = { accessKeyId: fresh.accessKeyId, created: toRfc3339(created.createDate) };
    info.rotations[profile] = { stage: 'stored', oldKeyId: old.accessKeyId, newKeyId: fresh.accessKeyId, userName: user.userName, started: toRfc3339(deps.now()) };
  });
  await pauseAt(deps, 'stored');

  try {
    await sts.deleteAccessKey(mfa, user.iam, user.userName, old.accessKeyId);
  } catch (e) {
    const why = e instanceof StsError ? `${e.code}: ${e.message}` : (e as Error).message;
    throw new MfaLoginError('E_STS', `the new key ${fresh.accessKeyId} is stored for ${profile} and works, but the old key ${old.accessKeyId} could not be deleted in IAM (${why})`, { hint: `finish the rotation with: mfa-login rotate ${profile}`, cause: e });
  }
  const forgotten = await forgetEverywhere(deps, profile);
  await setRotation(deps, profile, undefined);
  deps.stdout(
    `Rotated the access key of ${user.userArn} (profile ${profile}):\n` +
      `  new key ${fresh.accessKeyId}, created ${toRfc3339(created.createDate)}, stored in ${shortPath(deps, deps.secrets().location)}\n` +
      `  old key ${old.accessKeyId} deleted in IAM${forgotten > 0 ? `; ${forgotten} session${forgotten === 1 ? '' : 's'} made with it forgotten` : ''}\n`,
  );
}

/** Polls GetCallerIdentity with the new key until STS accepts it as the same user, within a bound. */
async function untilAccepted(deps: Deps, user: IamUser, keys: Credentials): Promise<void> {
  const deadline = Date.now() + NEW_KEY_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      const id = await deps.sts().getCallerIdentity(keys, user.sts);
      if (id.arn !== user.userArn) throw new MfaLoginError('E_STS', `the new key answers as ${id.arn}, not ${user.userArn}`);
      return;
    } catch (e) {
      if (!(e instanceof StsError) || (e.code !== 'InvalidClientTokenId' && e.code !== 'SignatureDoesNotMatch')) throw e;
      if (Date.now() >= deadline) throw new MfaLoginError('E_STS', `STS did not accept the new key ${keys.accessKeyId} within ${NEW_KEY_WAIT_MS / 1000} s`);
      if (!told) deps.stderr(`Waiting for AWS to accept the new key ${keys.accessKeyId} (new keys take a few seconds; at most ${NEW_KEY_WAIT_MS / 1000} s)...\n`);
      told = true;
      await new Promise((r) => setTimeout(r, NEW_KEY_POLL_MS));
    }
  }
}

async function setRotation(deps: Deps, profile: string, r: Parameters<Parameters<typeof updateKeyInfo>[1]>[0]['rotations'][string] | undefined): Promise<void> {
  await updateKeyInfo(deps, (info) => {
    if (r === undefined) delete info.rotations[profile];
    else info.rotations[profile] = r;
  });
}

/**
 * Tests only (MFA_LOGIN_TEST_PAUSE_AT=created|stored): stop here until killed, so that a test can
 * interrupt the rotation at exactly this point.
 */
async function pauseAt(deps: Deps, step: string): Promise<void> {
  if (deps.settings.testHooks.pauseAt !== step) return;
  deps.stderr(`mfa-login: paused at ${step} (MFA_LOGIN_TEST_PAUSE_AT)\n`);
  await new Promise(() => setInterval(() => {}, 60_000));
}
