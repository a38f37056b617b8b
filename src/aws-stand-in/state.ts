/** Everything the server remembers between requests. */
import {
  newSecretAccessKey,
  newSessionAccessKeyId,
  newSessionToken,
  type KeyRecord,
} from './identity.js';
import { MfaVerifier } from './mfa.js';
import type { LocalStsRole, LocalStsUser } from './types.js';

/** An IAM user's long-term access key, as ListAccessKeys shows it. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Milliseconds, whole seconds as IAM reports them. */
  createDate: number;
  status: 'Active' | 'Inactive';
}

/** A virtual MFA device: created unassigned, then enabled for one user. */
export interface VirtualMfaDevice {
  serial: string;
  seed: string;
  accountId: string;
  user?: LocalStsUser;
  enableDate?: number;
}

/**
 * How long a new access key takes to be accepted unless a test says otherwise: AWS documents that
 * IAM changes take time to propagate, and a client must wait for a new key (IAM user guide,
 * "Changes that I make are not always immediately visible").
 */
export const DEFAULT_NEW_KEY_DELAY_MS = 2000;

/** The fixture does not say when a key was made; this stands in. */
const DEFAULT_KEY_CREATED = '2024-01-01T00:00:00Z';

export class ServerState {
  readonly users: LocalStsUser[];
  readonly roles = new Map<string, LocalStsRole>();
  /** Long-term and issued keys, by access key id. */
  readonly keys = new Map<string, KeyRecord>();
  /** Each user's long-term keys, in creation order (IAM allows two). */
  readonly accessKeys = new Map<LocalStsUser, AccessKey[]>();
  /** Virtual MFA devices by serial number (ARN), the fixture's own included. */
  readonly devices = new Map<string, VirtualMfaDevice>();
  readonly mfa: MfaVerifier;
  /** Console sign-in tokens handed out by the federation endpoint, by token. */
  readonly signinTokens = new Map<string, { arn: string; expiresAt: number }>();

  constructor(users: LocalStsUser[], roles: LocalStsRole[], allowCodeReuse = false, readonly roleSessionSecondsCap?: number, readonly newKeyDelayMs = DEFAULT_NEW_KEY_DELAY_MS) {
    // Copies: enabling a device changes a user, and fixtures are shared between servers in tests.
    this.users = users.map((u) => ({ ...u, ...(u.mfaDevices ? { mfaDevices: u.mfaDevices.map((d) => ({ ...d })) } : {}) }));
    users = this.users;
    this.mfa = new MfaVerifier(allowCodeReuse);
    for (const user of users) {
      this.keys.set(user.accessKeyId, {
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
        kind: 'user',
        user,
        mfa: false,
      });
      const created = Date.parse(user.accessKeyCreated ?? DEFAULT_KEY_CREATED);
      this.accessKeys.set(user, [{ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, createDate: created, status: 'Active' }]);
      for (const d of user.mfaDevices ?? []) this.devices.set(d.serial, { serial: d.serial, seed: d.seed, accountId: user.accountId, user, enableDate: created });
    }
    for (const role of roles) this.roles.set(role.roleArn, role);
  }

  /** Issues fresh random session keys that expire `durationSeconds` after `nowMs`. */
  issue(
    nowMs: number,
    durationSeconds: number,
    session: Pick<KeyRecord, 'kind' | 'user' | 'role' | 'mfa' | 'sourceIdentity' | 'chained' | 'federatedName' | 'scope'>,
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

  /** A new long-term key for `user`, accepted by STS only `newKeyDelayMs` from now. */
  createAccessKey(user: LocalStsUser, nowMs: number): AccessKey {
    const key: AccessKey = {
      accessKeyId: newSessionAccessKeyId('AKIA'),
      secretAccessKey: newSecretAccessKey(),
      createDate: Math.floor(nowMs / 1000) * 1000,
      status: 'Active',
    };
    this.accessKeys.get(user)!.push(key);
    this.keys.set(key.accessKeyId, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, kind: 'user', user, mfa: false, activeFrom: nowMs + this.newKeyDelayMs });
    return key;
  }

  /** True when `user` had the key; it stops working at once. */
  deleteAccessKey(user: LocalStsUser, accessKeyId: string): boolean {
    const list = this.accessKeys.get(user)!;
    const i = list.findIndex((k) => k.accessKeyId === accessKeyId);
    if (i < 0) return false;
    list.splice(i, 1);
    this.keys.delete(accessKeyId);
    return true;
  }

  findUser(accountId: string, userName: string): LocalStsUser | undefined {
    return this.users.find((u) => u.accountId === accountId && u.userName === userName && u.root !== true);
  }
}
