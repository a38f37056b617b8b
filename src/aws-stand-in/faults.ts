/**
 * The errors the local STS answers with. Codes, messages and HTTP statuses are copied
 * from what real STS and IAM return, because clients (and this project) match on them.
 */

export class StsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export const missingAuthenticationToken = (): StsFault =>
  new StsFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');

export const incompleteSignature = (message: string): StsFault => new StsFault(400, 'IncompleteSignature', message);

export const invalidClientTokenId = (): StsFault =>
  new StsFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');

export const expiredToken = (): StsFault =>
  new StsFault(403, 'ExpiredToken', 'The security token included in the request is expired');

export const signatureDoesNotMatch = (message?: string): StsFault =>
  new StsFault(
    403,
    'SignatureDoesNotMatch',
    message ??
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

export const accessDenied = (message: string): StsFault => new StsFault(403, 'AccessDenied', message);

export const validationError = (message: string): StsFault => new StsFault(400, 'ValidationError', message);

export const invalidAction = (action: string, version: string): StsFault =>
  new StsFault(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`);

export const missingAction = (): StsFault => new StsFault(400, 'MissingAction', 'Missing Action');

export const noSuchEntity = (message: string): StsFault => new StsFault(404, 'NoSuchEntity', message);

export const internalFailure = (): StsFault =>
  new StsFault(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver');

/** A principal outside the role's trust policy, a missing MFA or ExternalId, or an unknown role: AWS does not say which. */
export const assumeRoleDenied = (callerArn: string, roleArn: string): StsFault =>
  accessDenied(`User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

export const assumeRoleMfaFailed = (): StsFault =>
  accessDenied('MultiFactorAuthentication failed with invalid MFA one time pass code.');

// Two spaces after "code." in the real message.
export const sessionTokenMfaFailed = (): StsFault =>
  accessDenied(
    'MultiFactorAuthentication failed, unable to validate MFA code.  ' +
      'Please verify your MFA serial number is valid and associated with this user.',
  );

export const roleChainingTooLong = (): StsFault =>
  validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');

export const roleMaxSessionExceeded = (): StsFault =>
  validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

export const invalidParameterValue = (message: string): StsFault => new StsFault(400, 'InvalidParameterValue', message);

export const malformedPolicyDocument = (message: string): StsFault => new StsFault(400, 'MalformedPolicyDocument', message);

export const packedPolicyTooLarge = (percent: number): StsFault =>
  new StsFault(400, 'PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);

// IAM's own errors (Version 2010-05-08).

export const limitExceeded = (message: string): StsFault => new StsFault(409, 'LimitExceeded', message);

export const entityAlreadyExists = (message: string): StsFault => new StsFault(409, 'EntityAlreadyExists', message);

export const deleteConflict = (message: string): StsFault => new StsFault(409, 'DeleteConflict', message);

export const invalidAuthenticationCode = (): StsFault =>
  new StsFault(403, 'InvalidAuthenticationCode', 'Authentication code for device is not valid.');

/** What AWS says when a policy's Deny statement (here: no MFA) refuses an action. */
export const explicitDeny = (callerArn: string, action: string, resource: string): StsFault =>
  accessDenied(`User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`);
