import type { Credentials } from '../credentials.js';
import { isAccountId } from '../forms.js';
import { toRfc3339 } from './rfc3339.js';

/**
 * The stdout of a `credential_process`: one JSON object and a newline, nothing else (the SDKs
 * parse all of stdout). `Version` must be the number 1; `Expiration` must be an RFC 3339 string,
 * botocore rejects an epoch number.
 */
export function formatCredentialProcess(creds: Credentials, accountId?: string): string {
  // botocore feeds AccountId into account-based endpoint rules: a malformed one breaks calls later,
  // far from here.
  if (accountId !== undefined && !isAccountId(accountId)) {
    throw new RangeError(`AccountId must be 12 digits, got ${JSON.stringify(accountId)}`);
  }
  const out: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
  };
  if (creds.sessionToken !== undefined) out.SessionToken = creds.sessionToken;
  if (creds.expiration !== undefined) out.Expiration = toRfc3339(creds.expiration);
  if (accountId !== undefined) out.AccountId = accountId;
  return `${JSON.stringify(out)}\n`;
}
