/** Everything the server remembers between requests. */
import {
  newSecretAccessKey,
  newSessionAccessKeyId,
  newSessionToken,
  type KeyRecord,
} from './identity.js';
import { MfaVerifier } from './mfa.js';
import type { LocalStsRole, LocalStsUser } from './types.js';

export class ServerState {
  readonly users: LocalStsUser[];
  readonly roles = new Map<string, LocalStsRole>();
  /** Long-term and issued keys, by access key id. */
  readonly keys = new Map<string, KeyRecord>();
  readonly mfa: MfaVerifier;
  /** Console sign-in tokens handed out by the federation endpoint, by token. */
  readonly signinTokens = new Map<string, { arn: string; expiresAt: number }>();

  constructor(users: LocalStsUser[], roles: LocalStsRole[], allowCodeReuse = false, readonly roleSessionSecondsCap?: number) {
    this.users = users;
    this.mfa = new MfaVerifier(allowCodeReuse);
    for (const user of users) {
      this.keys.set(user.accessKeyId, {
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
        kind: 'user',
        user,
        mfa: false,
      });
    }
    for (const role of roles) this.roles.set(role.roleArn, role);
  }

  /** Issues fresh random session keys that expire `durationSeconds` after `nowMs`. */
  issue(
    nowMs: number,
    durationSeconds: number,
    session: Pick<KeyRecord, 'kind' | 'user' | 'role' | 'mfa' | 'sourceIdentity' | 'chained'>,
  ): KeyRecord {
    // Real expirations are whole seconds.
    const expiresAt = Math.floor(nowMs / 1000) * 1000 + durationSeconds * 1000;
    const record: KeyRecord = {
      ...session,
      accessKeyId: newSessionAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt,
    };
    this.keys.set(record.accessKeyId, record);
    return record;
  }

  findUser(accountId: string, userName: string): LocalStsUser | undefined {
    return this.users.find((u) => u.accountId === accountId && u.userName === userName);
  }
}
