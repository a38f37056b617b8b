/**
 * STS (Version 2011-06-15) actions: GetSessionToken, AssumeRole, GetFederationToken,
 * GetCallerIdentity. The rules each enforces are listed, with AWS's page for each, in aws-rules.ts.
 */
import { deflateRawSync } from 'node:zlib';
import {
  accessDenied,
  assumeRoleDenied,
  explicitDeny,
  assumeRoleMfaFailed,
  invalidParameterValue,
  malformedPolicyDocument,
  packedPolicyTooLarge,
  roleChainingTooLong,
  roleMaxSessionExceeded,
  sessionTokenMfaFailed,
} from './faults.js';
import {
  assumedRoleArn,
  callerAccount,
  callerArn,
  callerUserId,
  parseRoleArn,
  partitionOf,
  underMfaPolicy,
  uniqueId,
  type KeyRecord,
} from './identity.js';
import type { ServerState } from './state.js';
import type { LocalStsLogEntry, LocalStsRole, LocalStsSessionScope } from './types.js';
import { ParameterReader, PATTERNS } from './validation.js';
import { node, text } from './xml.js';

export interface ActionContext {
  caller: KeyRecord;
  params: URLSearchParams;
  nowMs: number;
  state: ServerState;
  /** What the log records of this request; a handler may add what it issued. */
  entry?: LocalStsLogEntry;
}

/** Returns the content of `<ActionResult>`. */
export type ActionHandler = (context: ActionContext) => string | Promise<string>;

const CHAINED_ROLE_MAX_SECONDS = 3600;
/** Sessions of the account's root user last at most an hour; asking for more is not refused, it gets an hour. */
const ROOT_SESSION_MAX_SECONDS = 3600;

/** GetSessionToken and GetFederationToken: only long-term keys may call them. */
const sessionCredentialsRefused = (action: string) => accessDenied(`Cannot call ${action} with session credentials`);

export const stsActions: Record<string, ActionHandler> = {
  GetCallerIdentity({ caller }) {
    return text('UserId', callerUserId(caller)) + text('Account', callerAccount(caller)) + text('Arn', callerArn(caller));
  },

  GetSessionToken({ caller, params, nowMs, state }) {
    const read = new ParameterReader(params);
    const requested = read.integer('DurationSeconds', { min: 900, max: 129600 });
    const serial = read.string('SerialNumber', { min: 9, max: 256, pattern: PATTERNS.serialNumber });
    const code = read.string('TokenCode', { min: 6, max: 6, pattern: PATTERNS.tokenCode });
    read.done();

    if (caller.kind !== 'user') throw sessionCredentialsRefused('GetSessionToken');
    const duration = caller.user.root ? Math.min(requested ?? ROOT_SESSION_MAX_SECONDS, ROOT_SESSION_MAX_SECONDS) : (requested ?? 43200);
    let mfa = false;
    if (serial !== undefined || code !== undefined) {
      if (serial === undefined || code === undefined || !state.mfa.verify(caller.user, serial, code, nowMs)) {
        throw sessionTokenMfaFailed();
      }
      mfa = true;
    }
    const issued = state.issue(nowMs, duration, { kind: 'session', user: caller.user, mfa });
    return credentialsXml(issued);
  },

  GetFederationToken({ caller, params, nowMs, state }) {
    const read = new ParameterReader(params);
    const name = read.string('Name', { required: true, min: 2, max: 32, pattern: PATTERNS.sessionName });
    const requested = read.integer('DurationSeconds', { min: 900, max: 129600 });
    read.done();

    if (caller.kind !== 'user') throw sessionCredentialsRefused('GetFederationToken');
    // Long-term keys carry no MFA: the MFA policy denies everything but its self-service list.
    if (underMfaPolicy(caller.user)) throw explicitDeny(callerArn(caller), 'sts:GetFederationToken', `arn:${partitionOf(caller.user)}:sts::${caller.user.accountId}:federated-user/${name}`);
    const duration = caller.user.root ? Math.min(requested ?? ROOT_SESSION_MAX_SECONDS, ROOT_SESSION_MAX_SECONDS) : (requested ?? 43200);
    // No MFA context: a federated user's session never carries aws:MultiFactorAuthPresent.
    const issued = state.issue(nowMs, duration, { kind: 'federated', user: caller.user, mfa: false, federatedName: name! });
    return credentialsXml(issued) + node('FederatedUser', text('FederatedUserId', callerUserId(issued)), text('Arn', callerArn(issued)));
  },

  AssumeRole({ caller, params, nowMs, state, entry }) {
    const read = new ParameterReader(params);
    const roleArn = read.string('RoleArn', { required: true, min: 20, max: 2048 });
    const sessionName = read.string('RoleSessionName', { required: true, min: 2, max: 64, pattern: PATTERNS.sessionName });
    const requested = read.integer('DurationSeconds', { min: 900, max: 43200 });
    const externalId = read.string('ExternalId', { min: 2, max: 1224, pattern: PATTERNS.externalId });
    const serial = read.string('SerialNumber', { min: 9, max: 256, pattern: PATTERNS.serialNumber });
    const code = read.string('TokenCode', { min: 6, max: 6, pattern: PATTERNS.tokenCode });
    const sourceIdentity = read.string('SourceIdentity', { min: 2, max: 64, pattern: PATTERNS.sessionName });
    const tags = read.list('Tags', MAX_SESSION_TAGS, (prefix, member) => ({
      key: read.string(`${prefix}.Key`, { required: true, min: 1, max: 128, pattern: PATTERNS.tagKey }, `${member}.key`)!,
      value: read.string(`${prefix}.Value`, { required: true, min: 0, max: 256, pattern: PATTERNS.tagValue }, `${member}.value`)!,
    }));
    const transitiveKeys = read.list('TransitiveTagKeys', MAX_SESSION_TAGS, (prefix, member) => read.string(prefix, { required: true, min: 1, max: 128, pattern: PATTERNS.tagKey }, member)!);
    const policyArns = read.list('PolicyArns', MAX_POLICY_ARNS, (prefix, member) => read.string(`${prefix}.arn`, { min: 20, max: 2048, pattern: PATTERNS.arn }, `${member}.arn`));
    const policy = read.string('Policy', { min: 1, max: 2048, pattern: PATTERNS.policy });
    read.done();
    const scope = sessionScope(caller, tags, transitiveKeys, policyArns, policy);

    // AWS gives the same answer for an unknown role, an untrusted caller, a wrong ExternalId
    // and a missing MFA, so that callers cannot probe which roles exist.
    const denied = assumeRoleDenied(callerArn(caller), roleArn!);
    if (caller.user.root && caller.kind !== 'role') throw accessDenied('Roles may not be assumed by root accounts.');
    // A federated user's session may call no STS action but GetCallerIdentity.
    if (caller.kind === 'federated') throw denied;
    const role = state.roles.get(roleArn!);
    if (!role || !parseRoleArn(role.roleArn) || !trusts(role, caller)) throw denied;
    if (role.externalId !== undefined && externalId !== role.externalId) throw denied;

    const duration = requested ?? 3600;
    const chained = caller.kind !== 'user';
    if (chained && duration > CHAINED_ROLE_MAX_SECONDS) throw roleChainingTooLong();
    if (!chained && duration > (role.maxSessionDuration ?? 3600)) throw roleMaxSessionExceeded();

    // The MFA policy denies sts:AssumeRole to a caller without MFA: long-term keys with no code, a
    // session without MFA. (A role session is not the user's: the user's policy does not apply.)
    if (caller.kind !== 'role' && underMfaPolicy(caller.user) && !caller.mfa && code === undefined) {
      throw explicitDeny(callerArn(caller), 'sts:AssumeRole', roleArn!);
    }
    let mfa = caller.mfa;
    if (serial !== undefined || code !== undefined) {
      // Only an IAM user has MFA devices; a role session passing a serial cannot match one.
      const valid =
        serial !== undefined && code !== undefined && !caller.role && state.mfa.verify(caller.user, serial, code, nowMs);
      if (!valid) throw assumeRoleMfaFailed();
      mfa = true;
    }
    if (role.requireMfa && !mfa) throw denied;

    // A source identity, once set, follows the session down a role chain and cannot be changed.
    if (caller.sourceIdentity !== undefined && sourceIdentity !== undefined && sourceIdentity !== caller.sourceIdentity) {
      throw denied;
    }
    // Setting one, or carrying one into this role, needs sts:SetSourceIdentity in its trust policy.
    if ((sourceIdentity ?? caller.sourceIdentity) !== undefined && role.allowsSourceIdentity !== true) throw denied;
    // Likewise session tags, passed or inherited as transitive: sts:TagSession, which AWS names.
    if (scope.tags !== undefined && role.allowsTagSession !== true) {
      throw accessDenied(`User: ${callerArn(caller)} is not authorized to perform: sts:TagSession on resource: ${roleArn}`);
    }
    if (scope.packedPolicySize !== undefined && scope.packedPolicySize > 100) throw packedPolicyTooLarge(scope.packedPolicySize);
    const session = { role, sessionName: sessionName! };
    const issued = state.issue(nowMs, Math.min(duration, state.roleSessionSecondsCap ?? duration), {
      kind: 'role',
      user: caller.user,
      role: session,
      mfa,
      sourceIdentity: sourceIdentity ?? caller.sourceIdentity,
      chained,
      ...(Object.keys(scope).length > 0 ? { scope } : {}),
    });
    if (entry && Object.keys(scope).length > 0) entry.issued = scope;
    return (
      credentialsXml(issued) +
      node(
        'AssumedRoleUser',
        text('AssumedRoleId', `${uniqueId('AROA', role.roleArn)}:${session.sessionName}`),
        text('Arn', assumedRoleArn(session)),
      ) +
      (scope.packedPolicySize !== undefined ? text('PackedPolicySize', String(scope.packedPolicySize)) : '') +
      (issued.sourceIdentity !== undefined ? text('SourceIdentity', issued.sourceIdentity) : '')
    );
  },
};

const MAX_SESSION_TAGS = 50;
/** The AssumeRole API reference: "You can provide up to 10 managed policy ARNs" (the service model sets no bound). */
const MAX_POLICY_ARNS = 10;
/**
 * AWS packs the session policy, policy ARNs and tags into a binary form with a limit of its own
 * and does not publish either. The stand-in measures the deflated request against this many
 * bytes: small tag sets and policies fit, as at AWS, and 50 long tags do not. Its percentages are
 * not AWS's; the product only relies on the refusal's code.
 */
const PACKED_LIMIT_BYTES = 512;

/**
 * The new session's tags and policies, with the calling session's transitive tags, checked as STS
 * checks them (IAM User Guide, "Pass session tags in AWS STS"; AssumeRole API reference).
 */
function sessionScope(
  caller: KeyRecord,
  tags: { key: string; value: string }[] | undefined,
  transitiveKeys: string[] | undefined,
  policyArns: (string | undefined)[] | undefined,
  policy: string | undefined,
): LocalStsSessionScope {
  const own = new Map<string, { key: string; value: string }>();
  for (const tag of tags ?? []) {
    if (own.has(tag.key.toLowerCase())) throw invalidParameterValue('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    own.set(tag.key.toLowerCase(), tag);
  }
  if ((transitiveKeys ?? []).some((k) => !own.has(k.toLowerCase()))) {
    throw invalidParameterValue('The specified transitive tag key must be included in the requested tags.');
  }
  const inherited = caller.scope?.transitiveTagKeys ?? [];
  if (inherited.some((k) => own.has(k.toLowerCase()))) {
    throw invalidParameterValue("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
  }
  if (policy !== undefined) {
    try {
      JSON.parse(policy);
    } catch {
      throw malformedPolicyDocument('The policy is not in the valid JSON format.');
    }
  }
  const scope: LocalStsSessionScope = {};
  // Keys keep the case they were given in; STS compares them without it.
  const all: Record<string, string> = {};
  for (const k of inherited) all[k] = caller.scope!.tags![k]!;
  for (const tag of own.values()) all[tag.key] = tag.value;
  if (Object.keys(all).length > 0) scope.tags = all;
  const transitive = [...inherited, ...(transitiveKeys ?? []).map((k) => own.get(k.toLowerCase())!.key)];
  if (transitive.length > 0) scope.transitiveTagKeys = [...new Set(transitive)];
  const arns = (policyArns ?? []).filter((a): a is string => a !== undefined);
  if (arns.length > 0) scope.policyArns = arns;
  if (policy !== undefined) scope.policy = policy;
  // The packed size counts what this request passes; inherited tags are not in it.
  if (own.size > 0 || arns.length > 0 || policy !== undefined) {
    const packed = deflateRawSync(JSON.stringify([policy ?? '', arns, [...own.values()].map((t) => [t.key, t.value])])).length;
    scope.packedPolicySize = Math.ceil((100 * packed) / PACKED_LIMIT_BYTES);
  }
  return scope;
}

/** The principals a trust policy could name that this caller matches. */
function trusts(role: LocalStsRole, caller: KeyRecord): boolean {
  const partition = (caller.role ? parseRoleArn(caller.role.role.roleArn)?.partition : caller.user.partition) ?? 'aws';
  // Partitions are separate worlds: no trust policy reaches across them.
  if (parseRoleArn(role.roleArn)?.partition !== partition) return false;
  if (!role.trustedPrincipals) return true;
  const account = callerAccount(caller);
  const names = new Set([account, `arn:${partition}:iam::${account}:root`, callerArn(caller)]);
  if (caller.role) names.add(caller.role.role.roleArn);
  return role.trustedPrincipals.some((principal) => names.has(principal));
}

function credentialsXml(key: KeyRecord): string {
  return node(
    'Credentials',
    text('AccessKeyId', key.accessKeyId),
    text('SecretAccessKey', key.secretAccessKey),
    text('SessionToken', key.sessionToken ?? ''),
    text('Expiration', new Date(key.expiresAt!).toISOString().replace(/\.\d{3}Z$/, 'Z')),
  );
}
