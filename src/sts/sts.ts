import type { Credentials, LongTermKeys, SessionCredentials } from '../credentials.js';
import type { StsSettings } from '../config/chain.js';
import { userRegion } from '../settings.js';
import type { StsEnv } from './sts-env.js';

/** Where a call goes, after environment overrides: what the SDK client is built from. */
export interface StsTarget {
  region: string;
  endpoint?: string;
  useFips: boolean;
  useGlobalEndpoint: boolean;
}

export interface GetSessionTokenInput {
  keys: LongTermKeys;
  durationSeconds: number;
  serialNumber?: string;
  tokenCode?: string;
  target: StsTarget;
}

export interface AssumeRoleInput {
  credentials: Credentials;
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  sourceIdentity?: string;
  /** Session tags (at most 50) and the keys among them that pass down a role chain. */
  tags?: { key: string; value: string }[];
  transitiveTagKeys?: string[];
  /** Managed and inline session policies: the session gets at most what they and the role allow. */
  policyArns?: string[];
  policy?: string;
  serialNumber?: string;
  tokenCode?: string;
  target: StsTarget;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface AssumedRole {
  credentials: SessionCredentials;
  assumedRoleArn: string;
}

/** A virtual MFA device just created: its secret is shown once, then dropped. */
export interface NewMfaDevice {
  serialNumber: string;
  /** The Base32 seed's characters; callers zero it once it has been shown. */
  base32Seed: Uint8Array;
}

/** What EnableMFADevice and ResyncMFADevice take: two consecutive codes of the device. */
export interface MfaDeviceCodes {
  userName: string;
  serialNumber: string;
  code1: string;
  code2: string;
}

/** An access key as ListAccessKeys describes it. */
export interface AccessKeyInfo {
  accessKeyId: string;
  status: string;
  createDate: Date;
}

/**
 * Long-term keys and nothing else: IAM calls that leave out UserName work out the user from the
 * key that signed them, which only a long-term key can say (with temporary credentials IAM
 * answers "Must specify userName when calling with non-User credentials"). Session credentials
 * carry a sessionToken and so do not fit this type.
 */
export type LongTermOnly = LongTermKeys & { sessionToken?: never };

/**
 * The STS and IAM calls the broker makes. Passed in, so nothing else builds a client. IAM calls
 * about a user take the user's name wherever the API has one: the product calls them with MFA
 * sessions, which IAM does not resolve to a user by themselves.
 */
export interface Sts {
  getSessionToken(input: GetSessionTokenInput): Promise<SessionCredentials>;
  assumeRole(input: AssumeRoleInput): Promise<AssumedRole>;
  getCallerIdentity(credentials: Credentials, target: StsTarget): Promise<CallerIdentity>;
  /** Serial numbers of the signing user's own MFA devices (IAM ListMFADevices without UserName). */
  listMfaDevices(keys: LongTermOnly, target: StsTarget): Promise<string[]>;
  // IAM self-service: what the MFA policy lets a user do for themselves (see `mfa-login policy`).
  createVirtualMfaDevice(credentials: Credentials, target: StsTarget, name: string): Promise<NewMfaDevice>;
  enableMfaDevice(credentials: Credentials, target: StsTarget, codes: MfaDeviceCodes): Promise<void>;
  resyncMfaDevice(credentials: Credentials, target: StsTarget, codes: MfaDeviceCodes): Promise<void>;
  deleteVirtualMfaDevice(credentials: Credentials, target: StsTarget, serialNumber: string): Promise<void>;
  /** A new access key for `userName`; IAM allows two per user. */
  createAccessKey(credentials: Credentials, target: StsTarget, userName: string): Promise<LongTermKeys & { createDate: Date }>;
  listAccessKeys(credentials: Credentials, target: StsTarget, userName: string): Promise<AccessKeyInfo[]>;
  deleteAccessKey(credentials: Credentials, target: StsTarget, userName: string, accessKeyId: string): Promise<void>;
}

/**
 * The IAM user name in a user ARN, which is its last path segment (arn:aws:iam::1:user/team/alice
 * is alice); undefined for anything that is not an IAM user (the root user, a role session).
 */
export function iamUserName(arn: string): string | undefined {
  return /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** A refusal from STS/IAM or a failure to reach it, carrying what the caller needs to explain it. */
export class StsError extends Error {
  constructor(
    /** The AWS error code (`AccessDenied`, `ExpiredToken`, ...) or `NetworkError`. */
    readonly code: string,
    message: string,
    readonly status: number | undefined,
    /** The server's Date header, when the response had one: used to detect clock skew. */
    readonly serverDate: Date | undefined,
    /** The endpoint that answered (or did not). */
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'StsError';
  }
}

/**
 * Applies the standard overrides to a profile's STS settings, in the order the SDKs apply them:
 * AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then the profile's endpoint_url; AWS_REGION, then
 * AWS_DEFAULT_REGION (less a region mfa-login itself set there: settings.ts, userRegion), then
 * the profile's region, then us-east-1; AWS_STS_REGIONAL_ENDPOINTS and
 * AWS_USE_FIPS_ENDPOINT over their profile keys.
 */
export function stsTarget(settings: StsSettings, env: StsEnv, service: 'sts' | 'iam' = 'sts'): StsTarget {
  const serviceVar = service === 'sts' ? env.AWS_ENDPOINT_URL_STS : env.AWS_ENDPOINT_URL_IAM;
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true';
  const endpoint = ignoreConfigured ? undefined : serviceVar || env.AWS_ENDPOINT_URL || settings.endpointUrl;
  const region = userRegion(env) || settings.region || 'us-east-1';
  const fipsVar = env.AWS_USE_FIPS_ENDPOINT?.toLowerCase();
  const useFips = fipsVar !== undefined && fipsVar !== '' ? fipsVar === 'true' : settings.useFips === true;
  const regional = env.AWS_STS_REGIONAL_ENDPOINTS || settings.regionalEndpoints || 'regional';
  const target: StsTarget = { region, useFips, useGlobalEndpoint: regional === 'legacy' && region === 'us-east-1' };
  if (endpoint) target.endpoint = endpoint;
  return target;
}

/**
 * The URL a call to `target` goes to, as the SDK resolves it: the endpoint when one is set, else
 * sts[-fips].REGION.amazonaws.com (.com.cn in China), or the global sts.amazonaws.com for
 * `legacy` in us-east-1. For messages and the clock check, which makes its own request.
 */
export function stsUrl(target: StsTarget): string {
  if (target.endpoint) return target.endpoint;
  const suffix = target.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  if (target.useFips) return `https://sts-fips.${target.region}.${suffix}`;
  if (target.useGlobalEndpoint) return `https://sts.${suffix}`;
  return `https://sts.${target.region}.${suffix}`;
}
