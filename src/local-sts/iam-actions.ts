/** The two IAM (Version 2010-05-08) actions an MFA broker needs: ListMFADevices and GetUser. */
import { accessDenied, invalidClientTokenId, noSuchEntity, validationError } from './faults.js';
import { callerAccount, callerArn, uniqueId, userArn } from './identity.js';
import type { ActionContext, ActionHandler } from './sts-actions.js';
import type { LocalStsUser } from './types.js';
import { ParameterReader, PATTERNS } from './validation.js';
import { node, text } from './xml.js';

/** Stands in for the date a device or user was created; the fixture does not say. */
const CREATED = '2024-01-01T00:00:00Z';

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
      node('member', text('UserName', user.userName), text('SerialNumber', device.serial), text('EnableDate', CREATED)),
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
};

/**
 * Real IAM refuses GetSessionToken credentials without MFA outright, and answers as if the
 * token were unknown rather than with AccessDenied.
 */
export function checkIamCaller({ caller }: ActionContext): void {
  if (caller.kind === 'session' && !caller.mfa) throw invalidClientTokenId();
}

/** `UserName` if given, otherwise the user whose keys signed the request. */
function targetUser({ caller, params, state }: ActionContext): LocalStsUser {
  const read = new ParameterReader(params);
  const name = read.string('UserName', { min: 1, max: 128, pattern: PATTERNS.userName });
  read.done();
  if (name === undefined) {
    if (caller.role) throw validationError('Must specify userName when calling with non-User credentials');
    return caller.user;
  }
  const user = state.findUser(callerAccount(caller), name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}
