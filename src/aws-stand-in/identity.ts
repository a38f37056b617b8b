/**
 * Who a request comes from: the access keys the server knows (long-term user keys from the
 * fixture, session keys it issued), and the ARNs and ids AWS derives from them.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { LocalStsRole, LocalStsSessionScope, LocalStsUser } from './types.js';

/** Real key ids are a 4-letter type prefix and 16 base32-alphabet characters. */
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface RoleSession {
  role: LocalStsRole;
  sessionName: string;
}

/** Anything that can sign a request. `kind` decides what STS lets it do. */
export interface KeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * 'user': long-term keys; 'session': from GetSessionToken; 'role': from AssumeRole; 'federated':
   * from GetFederationToken. All but 'user' are temporary credentials.
   */
  kind: 'user' | 'session' | 'role' | 'federated';
  /** The IAM user at the root of the chain. */
  user: LocalStsUser;
  sessionToken?: string;
  expiresAt?: number;
  role?: RoleSession;
  /** Whether the session carries `aws:MultiFactorAuthPresent`. */
  mfa: boolean;
  sourceIdentity?: string;
  /** A role session assumed with session credentials (role chaining), not with long-term keys. */
  chained?: boolean;
  /** A new access key works only from this moment on (milliseconds): IAM is eventually consistent. */
  activeFrom?: number;
  /** The Name given to GetFederationToken. */
  federatedName?: string;
  /** A role session's tags and session policies. */
  scope?: LocalStsSessionScope;
}

export function partitionOf(user: LocalStsUser): string {
  return user.partition ?? 'aws';
}

export function userArn(user: LocalStsUser): string {
  if (user.root) return `arn:${partitionOf(user)}:iam::${user.accountId}:root`;
  return `arn:${partitionOf(user)}:iam::${user.accountId}:user/${user.userName}`;
}

/** The root user is under no IAM policy; an IAM user is under the MFA policy unless the fixture says not. */
export function underMfaPolicy(user: LocalStsUser): boolean {
  return user.mfaPolicy !== false && user.root !== true;
}

/** The partition a signing region belongs to: keys are valid only inside their own. */
export function partitionOfRegion(region: string): string {
  return region.startsWith('us-gov-') ? 'aws-us-gov' : region.startsWith('cn-') ? 'aws-cn' : 'aws';
}

/** IAM is one global endpoint per partition, and requests to it are signed for this region. */
export const IAM_SIGNING_REGION: Record<string, string> = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-north-1' };

export interface ParsedRoleArn {
  partition: string;
  accountId: string;
  /** The name without the role's path: assumed-role ARNs leave the path out. */
  roleName: string;
}

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const m = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(arn);
  return m ? { partition: m[1]!, accountId: m[2]!, roleName: m[3]! } : undefined;
}

export function assumedRoleArn(session: RoleSession): string {
  const role = parseRoleArn(session.role.roleArn)!;
  return `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/${session.sessionName}`;
}

/** The ARN AWS names in "User: … is not authorized" messages and returns from GetCallerIdentity. */
export function callerArn(key: KeyRecord): string {
  if (key.kind === 'federated') return `arn:${partitionOf(key.user)}:sts::${key.user.accountId}:federated-user/${key.federatedName}`;
  return key.role ? assumedRoleArn(key.role) : userArn(key.user);
}

export function callerAccount(key: KeyRecord): string {
  return key.role ? parseRoleArn(key.role.role.roleArn)!.accountId : key.user.accountId;
}

/**
 * Unique ids (`AIDA…` for users, `AROA…` for roles) are derived from the ARN so that they
 * stay the same across restarts of the server, as real ones do across sessions.
 */
export function uniqueId(prefix: 'AIDA' | 'AROA', arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let i = 0; id.length < 21; i++) id += KEY_ALPHABET[digest[i]! % KEY_ALPHABET.length];
  return id;
}

export function callerUserId(key: KeyRecord): string {
  if (key.kind === 'federated') return `${key.user.accountId}:${key.federatedName}`;
  // The root user's UserId is the account id.
  if (!key.role && key.user.root) return key.user.accountId;
  if (!key.role) return uniqueId('AIDA', userArn(key.user));
  return `${uniqueId('AROA', key.role.role.roleArn)}:${key.role.sessionName}`;
}

export function newSessionAccessKeyId(prefix: 'ASIA' | 'AKIA' = 'ASIA'): string {
  let id = prefix;
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return id;
}

/** 40 characters of the base64 alphabet, `/` and `+` included, like real secrets. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/**
 * Real session tokens are opaque base64 blobs of several hundred characters; the fixed
 * prefix is the one current STS tokens start with, which makes them recognisable in logs.
 */
export function newSessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(600).toString('base64');
}
