/**
 * The IAM (Version 2010-05-08) actions an MFA broker touches: reading the caller's MFA devices,
 * the self-service steps of a new user (create, enable, resync a virtual MFA device) and access
 * key rotation (create, list, delete), with the errors real IAM answers with.
 */
import QRCode from 'qrcode';
import {
  accessDenied,
  deleteConflict,
  entityAlreadyExists,
  explicitDeny,
  invalidAuthenticationCode,
  invalidClientTokenId,
  limitExceeded,
  noSuchEntity,
  validationError,
} from './faults.js';
import { callerAccount, callerArn, partitionOf, underMfaPolicy, uniqueId, userArn } from './identity.js';
import { RESYNC_WINDOW_STEPS } from './mfa.js';
import type { ActionContext, ActionHandler } from './sts-actions.js';
import { randomSeed } from '../mfa/totp.js';
import type { LocalStsUser } from './types.js';
import { ParameterReader, PATTERNS } from './validation.js';
import { node, text } from './xml.js';

/** Stands in for the date a device or user was created; the fixture does not say. */
const CREATED = '2024-01-01T00:00:00Z';
/** IAM's quota of access keys per user, active or not. */
const ACCESS_KEYS_PER_USER = 2;
/** Enabling takes the codes the device shows now: the current step and the one before. */
const ENABLE_WINDOW_STEPS = 2;

/**
 * The actions AWS's "require MFA" policy (the one `mfa-login policy` prints) lets a caller without
 * MFA perform: what a new or locked-out user needs to get MFA. Everything else in IAM is refused
 * with an explicit deny. DeleteVirtualMFADevice only for a device named after the user.
 */
const WITHOUT_MFA = new Set(['CreateVirtualMFADevice', 'EnableMFADevice', 'GetUser', 'ListMFADevices', 'ListVirtualMFADevices', 'ResyncMFADevice', 'DeleteVirtualMFADevice']);

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const iamActions: Record<string, ActionHandler> = {
  ListMFADevices(context) {
    const user = targetUser(context);
    if (context.caller.kind !== 'role' && context.caller.user.canListMfaDevices === false) {
      throw accessDenied(
        `User: ${callerArn(context.caller)} is not authorized to perform: iam:ListMFADevices on resource: user ${user.userName} ` +
          'because no identity-based policy allows the iam:ListMFADevices action',
      );
    }
    const members = (user.mfaDevices ?? []).map((device) =>
      node('member', text('UserName', user.userName), text('SerialNumber', device.serial), text('EnableDate', iso(context.state.devices.get(device.serial)?.enableDate ?? Date.parse(CREATED)))),
    );
    return text('IsTruncated', false) + node('MFADevices', ...members);
  },

  GetUser(context) {
    const user = targetUser(context);
    return node(
      'User',
      text('Path', '/'),
      text('UserName', user.userName),
      text('UserId', uniqueId('AIDA', userArn(user))),
      text('Arn', userArn(user)),
      text('CreateDate', CREATED),
    );
  },

  async CreateVirtualMFADevice({ caller, params, state }) {
    const read = new ParameterReader(params);
    const name = read.string('VirtualMFADeviceName', { required: true, min: 1, max: 226, pattern: PATTERNS.userName });
    const path = read.string('Path', { min: 1, max: 512 }) ?? '/';
    read.done();
    if (caller.role) throw validationError('Must specify userName when calling with non-User credentials');
    const serial = `arn:${partitionOf(caller.user)}:iam::${callerAccount(caller)}:mfa${path}${name}`;
    if (state.devices.has(serial)) throw entityAlreadyExists('MFADevice entity at the same path and name already exists.');
    const seed = randomSeed();
    state.devices.set(serial, { serial, seed, accountId: callerAccount(caller) });
    // What the console's QR code holds; authenticator apps show the part before ':' as the issuer.
    const uri = `otpauth://totp/Amazon%20Web%20Services:${name}@${callerAccount(caller)}?secret=${seed}&issuer=Amazon%20Web%20Services`;
    const png = await QRCode.toBuffer(uri, { type: 'png' });
    return node(
      'VirtualMFADevice',
      text('SerialNumber', serial),
      // Blobs travel base64-encoded: the seed is the base64 of its own base32 text, as at AWS.
      text('Base32StringSeed', Buffer.from(seed, 'ascii').toString('base64')),
      text('QRCodePNG', png.toString('base64')),
    );
  },

  EnableMFADevice(context) {
    const { user, device, code1, code2 } = deviceAndCodes(context);
    if (device.user) throw entityAlreadyExists('MFA Device is already in use.');
    if (!context.state.mfa.verifyConsecutive(device.serial, device.seed, code1, code2, context.nowMs, ENABLE_WINDOW_STEPS, false)) throw invalidAuthenticationCode();
    device.user = user;
    device.enableDate = context.nowMs;
    (user.mfaDevices ??= []).push({ serial: device.serial, seed: device.seed });
    return '';
  },

  ResyncMFADevice(context) {
    const { user, device, code1, code2 } = deviceAndCodes(context);
    if (device.user !== user) throw noSuchEntity(`MFA Device with serial number ${device.serial} does not exist.`);
    if (!context.state.mfa.verifyConsecutive(device.serial, device.seed, code1, code2, context.nowMs, RESYNC_WINDOW_STEPS, true)) throw invalidAuthenticationCode();
    return '';
  },

  DeactivateMFADevice(context) {
    const read = new ParameterReader(context.params);
    const name = read.string('UserName', { min: 1, max: 128, pattern: PATTERNS.userName });
    const serial = read.string('SerialNumber', { required: true, min: 9, max: 256, pattern: PATTERNS.serialNumber })!;
    read.done();
    const user = userNamed(context, name);
    const device = context.state.devices.get(serial);
    if (!device || device.user !== user) throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
    delete device.user;
    delete device.enableDate;
    user.mfaDevices = (user.mfaDevices ?? []).filter((d) => d.serial !== serial);
    return '';
  },

  DeleteVirtualMFADevice({ caller, params, state }) {
    const read = new ParameterReader(params);
    const serial = read.string('SerialNumber', { required: true, min: 9, max: 256, pattern: PATTERNS.serialNumber })!;
    read.done();
    // The policy allows this without MFA only on a device named after the caller.
    if (!caller.mfa && caller.kind === 'user' && underMfaPolicy(caller.user) && !serial.endsWith(`:mfa/${caller.user.userName}`)) {
      throw explicitDeny(callerArn(caller), 'iam:DeleteVirtualMFADevice', serial);
    }
    const device = state.devices.get(serial);
    if (!device || device.accountId !== callerAccount(caller)) throw noSuchEntity(`VirtualMFADevice with serial ${serial} does not exist.`);
    if (device.user) throw deleteConflict('MFA Device is in use and cannot be deleted. Deactivate the device first.');
    state.devices.delete(serial);
    return '';
  },

  CreateAccessKey(context) {
    const user = targetUser(context);
    const existing = context.state.accessKeys.get(user)!;
    if (existing.length >= ACCESS_KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    const key = context.state.createAccessKey(user, context.nowMs);
    return node(
      'AccessKey',
      text('UserName', user.userName),
      text('AccessKeyId', key.accessKeyId),
      text('Status', key.status),
      text('SecretAccessKey', key.secretAccessKey),
      text('CreateDate', iso(key.createDate)),
    );
  },

  ListAccessKeys(context) {
    const user = targetUser(context);
    const members = context.state.accessKeys.get(user)!.map((k) =>
      node('member', text('UserName', user.userName), text('AccessKeyId', k.accessKeyId), text('Status', k.status), text('CreateDate', iso(k.createDate))),
    );
    return node('AccessKeyMetadata', ...members) + text('IsTruncated', false);
  },

  DeleteAccessKey(context) {
    const read = new ParameterReader(context.params);
    const name = read.string('UserName', { min: 1, max: 128, pattern: PATTERNS.userName });
    const id = read.string('AccessKeyId', { required: true, min: 16, max: 128, pattern: [/^[\w]+$/, '[\\w]+'] })!;
    read.done();
    const user = userNamed(context, name);
    if (!context.state.deleteAccessKey(user, id)) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    return '';
  },
};

/**
 * Real IAM refuses GetSessionToken credentials without MFA, and GetFederationToken credentials
 * always, outright: it answers as if the token were unknown rather than with AccessDenied.
 * Long-term keys of a user under the MFA policy reach only the self-service actions; the rest
 * is an explicit deny.
 */
export function checkIamCaller({ caller, params }: ActionContext): void {
  if ((caller.kind === 'session' && !caller.mfa) || caller.kind === 'federated') throw invalidClientTokenId();
  const action = params.get('Action') ?? '';
  if (caller.kind === 'user' && underMfaPolicy(caller.user) && !WITHOUT_MFA.has(action)) {
    throw explicitDeny(callerArn(caller), `iam:${action}`, `user ${params.get('UserName') ?? caller.user.userName}`);
  }
}

/** `UserName` if given, otherwise the user whose keys signed the request. */
function targetUser(context: ActionContext): LocalStsUser {
  const read = new ParameterReader(context.params);
  const name = read.string('UserName', { min: 1, max: 128, pattern: PATTERNS.userName });
  read.done();
  return userNamed(context, name);
}

/**
 * The user an action is about. Only long-term keys say who that is by themselves: with temporary
 * credentials (an MFA session, a role) AWS wants the name (IAM API reference, ListAccessKeys: "If
 * a temporary access key is used, then UserName is required"). The MFA policy lets a user act on
 * their own user only: another user's name is refused as no policy allowing it.
 */
function userNamed({ caller, params, state }: ActionContext, name: string | undefined): LocalStsUser {
  if (name === undefined) {
    if (caller.kind !== 'user') throw validationError('Must specify userName when calling with non-User credentials');
    return caller.user;
  }
  // Authorization comes before the lookup, as at AWS: a name the policy does not cover is refused
  // whether or not such a user exists.
  if (caller.kind !== 'role' && underMfaPolicy(caller.user) && name !== caller.user.userName) {
    const action = `iam:${params.get('Action') ?? ''}`;
    throw accessDenied(`User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: user ${name} because no identity-based policy allows the ${action} action`);
  }
  const user = state.findUser(callerAccount(caller), name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

/** The four parameters EnableMFADevice and ResyncMFADevice share. */
function deviceAndCodes(context: ActionContext) {
  const read = new ParameterReader(context.params);
  const name = read.string('UserName', { required: true, min: 1, max: 128, pattern: PATTERNS.userName });
  const serial = read.string('SerialNumber', { required: true, min: 9, max: 256, pattern: PATTERNS.serialNumber })!;
  const code1 = read.string('AuthenticationCode1', { required: true, min: 6, max: 6, pattern: [/^\d+$/, '[\\d]+'] })!;
  const code2 = read.string('AuthenticationCode2', { required: true, min: 6, max: 6, pattern: [/^\d+$/, '[\\d]+'] })!;
  read.done();
  const user = userNamed(context, name);
  const device = context.state.devices.get(serial);
  if (!device || device.accountId !== user.accountId) throw noSuchEntity(`VirtualMFADevice with serial ${serial} does not exist.`);
  return { user, device, code1, code2 };
}
