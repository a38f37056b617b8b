/** The fixture a local STS is started from: who exists, and which roles they may assume. */

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

export interface LocalStsMfaDevice {
  /** The device ARN a client passes as `SerialNumber`, e.g. `arn:aws:iam::111111111111:mfa/alice`. */
  serial: string;
  /** Base32 TOTP seed, as shown when the virtual device was registered. */
  seed: string;
}

export interface LocalStsUser {
  userName: string;
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  partition?: Partition;
  mfaDevices?: LocalStsMfaDevice[];
  /** Whether the user's IAM policy allows iam:ListMFADevices on itself; default true. */
  canListMfaDevices?: boolean;
  /** IAM's CreateDate of `accessKeyId` (RFC 3339); default 2024-01-01T00:00:00Z. */
  accessKeyCreated?: string;
  /**
   * Whether the MFA-enforcing policy (the one `mfa-login policy` prints) is attached: IAM calls
   * other than the MFA self-service ones are then refused to a caller without MFA. Default true.
   */
  mfaPolicy?: boolean;
  /**
   * The account's root user rather than an IAM user: ARN `arn:PARTITION:iam::ACCOUNT:root`, sessions
   * of at most an hour, no roles, no IAM policy. `userName` then only names it in the fixture.
   */
  root?: boolean;
}

export interface LocalStsRole {
  roleArn: string;
  /** The role's MaxSessionDuration in seconds (3600–43200); default 3600. */
  maxSessionDuration?: number;
  /** Trust policy condition `aws:MultiFactorAuthPresent`. */
  requireMfa?: boolean;
  /** Trust policy condition `sts:ExternalId`. */
  externalId?: string;
  /** Principals the trust policy names: ARNs or account ids; absent means any caller. */
  trustedPrincipals?: string[];
  /**
   * Whether the trust policy also allows `sts:SetSourceIdentity`: without it AWS refuses an
   * AssumeRole that sets a source identity or carries one down a chain. Default false, as a
   * trust policy that does not name the action.
   */
  allowsSourceIdentity?: boolean;
  /**
   * Whether the trust policy also allows `sts:TagSession`: without it AWS refuses an AssumeRole
   * that passes session tags or carries transitive tags from the calling session. Default false.
   */
  allowsTagSession?: boolean;
}

export interface LocalStsOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Milliseconds since the epoch; simulated time for tests. Default Date.now. */
  now?: () => number;
  users: LocalStsUser[];
  roles?: LocalStsRole[];
  /** Accept a code more than once (unlike AWS): only for benchmarks that repeat the cold path. */
  allowCodeReuse?: boolean;
  /**
   * Role sessions end after at most this many seconds, whatever DurationSeconds asked (which is
   * still checked against AWS's limits): a stand-in for the hour of role chaining, so a test sees
   * several role lifetimes in a minute. Unlike AWS; only for tests of renewal.
   */
  roleSessionSecondsCap?: number;
  /**
   * Milliseconds after CreateAccessKey before a new key is accepted (AWS takes a few seconds);
   * until then requests signed with it fail with InvalidClientTokenId. Default
   * DEFAULT_NEW_KEY_DELAY_MS (state.ts); 0 makes new keys work at once, unlike AWS.
   */
  newKeyDelayMs?: number;
}

export interface LocalStsLogEntry {
  action: string;
  accessKeyId: string;
  status: number;
  errorCode?: string;
  /** Whether the caller's credentials carried MFA (`aws:MultiFactorAuthPresent`); absent when unauthenticated. */
  mfa?: boolean;
  /**
   * The caller's session tags (`aws:PrincipalTag`), as CloudTrail shows them for a request made
   * with a tagged session; GetCallerIdentity does not return them, so tests read them here.
   */
  principalTags?: Record<string, string>;
  /** Of an AssumeRole that succeeded: what scoped the new session (the tags include inherited transitive ones). */
  issued?: LocalStsSessionScope;
}

/** A role session's tags and session policies, as the local STS issued it. */
export interface LocalStsSessionScope {
  tags?: Record<string, string>;
  /** Keys of `tags` that pass on to the next hop (compared without case, as tag keys are). */
  transitiveTagKeys?: string[];
  policyArns?: string[];
  policy?: string;
  /** The PackedPolicySize answered, a percentage of STS's packed limit. */
  packedPolicySize?: number;
}

export interface LocalSts {
  url: string;
  port: number;
  /** Requests per Action, failed ones included. */
  calls: Record<string, number>;
  log: LocalStsLogEntry[];
  resetCalls(): void;
  close(): Promise<void>;
}
