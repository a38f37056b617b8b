import { MfaLoginError } from '../errors.js';
import { getProfile, knownProfiles, type Profile, type ProfileSet } from './profiles.js';
import { nearMisses } from './near-miss.js';
import { isRegion } from '../forms.js';
import { checkPolicyArn, checkPolicyDocument, checkTransitive, parsePolicyArns, parseSessionTags, parseTagKeys, ScopeProblem, type SessionScope } from './session-scope.js';

/** How to reach STS for one step, from the profile's settings (env overrides are applied by the STS adapter). */
export interface StsSettings {
  region?: string;
  endpointUrl?: string;
  /** `legacy` sends us-east-1 traffic to the global endpoint, as older SDKs did. */
  regionalEndpoints?: 'legacy' | 'regional';
  useFips?: boolean;
}

/** The IAM user at the root of a chain: its keys are in the secret store under `profile`. */
export interface SourceStep {
  profile: string;
  durationSeconds?: number;
  sts: StsSettings;
}

/** A role hop; its SessionScope fields (session_tags, transitive_session_tags, policy_arns) are absent unless set. */
export interface RoleStep extends SessionScope {
  profile: string;
  roleArn: string;
  externalId?: string;
  roleSessionName?: string;
  sourceIdentity?: string;
  durationSeconds?: number;
  sts: StsSettings;
  /** The options that replaced the profile's own tags or policies (withScope): hints name what the user gave. */
  scopeFlags?: string[];
}

/** What it takes to get credentials for one profile: an IAM user, its MFA device, then roles in order. */
export interface ChainPlan {
  target: string;
  source: SourceStep;
  roles: RoleStep[];
  /** The MFA device: the nearest `mfa_serial` walking from the target towards the source. */
  mfaSerial?: string;
  mfaSerialFrom?: string;
  /** A command that prints a code (aws-vault's key), found the same way. */
  mfaProcess?: string;
  /** The profile's region: the target's, else the nearest one up the chain (the environment's wins over it: settings.ts, regionFor). */
  region?: string;
  /** Keys that look like misspellings of ours, for the user to see (never fatal). */
  warnings: string[];
}

/**
 * The shortest session worth asking for. A session is handed out only while it has more than
 * 15 minutes left (the margin botocore refreshes at), so one of 15 minutes is spent on arrival and
 * every call would cost a new code; 30 minutes is the least that then serves for 15.
 */
export const MIN_SESSION_SECONDS = 1800;
/** GetSessionToken's maximum for an IAM user; AssumeRole's is the role's own, at most 12 hours. */
export const MAX_MFA_SESSION_SECONDS = 129600;
export const MAX_ROLE_SESSION_SECONDS = 43200;
export const TOO_SHORT_WHY = 'a session is used only while more than 15 minutes of it are left, so a shorter one would ask for a new code on almost every call';

/**
 * The most roles a chain may have. Every role is one AssumeRole call with a session of at most an
 * hour (role chaining), and real chains have two or three; a longer one is a config written by a
 * program gone wrong, which should be told so before anything asks for a code, not walked.
 */
export const MAX_CHAIN_ROLES = 64;

const MFA_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):mfa\/[\w+=,.@/-]{1,256}$/;
/** Hardware MFA devices are named by serial number, not ARN; STS accepts [\w+=/:,.@-]{9,256}. */
const HARDWARE_SERIAL = /^[\w+=/:,.@-]{9,256}$/;
const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * Walks source_profile links from `target` to the IAM user at the root. Pure: the caller has
 * already read the files. A loop, a dangling source_profile or a malformed value stops here with
 * the file and line, before anything asks for a code.
 */
export function resolveChain(set: ProfileSet, target: string): ChainPlan {
  const path: Profile[] = [];
  const seen = new Set<string>();
  let current = getProfile(set, target);
  for (;;) {
    if (seen.has(current.name)) {
      const names = [...path.map((p) => p.name), current.name];
      throw new MfaLoginError('E_PROFILE_LOOP', `source_profile loop: ${names.join(' -> ')}`, {
        hint: `change source_profile in one of these profiles so that the chain ends at an IAM user (${path[path.length - 1]!.where.source_profile})`,
      });
    }
    path.push(current);
    seen.add(current.name);
    const s = current.settings;
    if (s.role_arn === undefined) break;
    if (path.length > MAX_CHAIN_ROLES) {
      throw new MfaLoginError('E_CONFIG', `the source_profile chain of profile ${target} has more than ${MAX_CHAIN_ROLES} roles, the most mfa-login follows (role ${MAX_CHAIN_ROLES + 1} from ${target} is ${current.name}, ${current.where.role_arn})`, {
        hint: `point source_profile of a profile in the chain at the IAM user, or at a role nearer to it`,
      });
    }
    if (s.source_profile === undefined) {
      const how = s.credential_source ? `credential_source = ${s.credential_source}` : 'no source_profile';
      const misspelt = nearMisses([current]).find((w) => w.endsWith('source_profile?'));
      throw new MfaLoginError('E_CONFIG', `profile ${current.name} has role_arn but ${how}; mfa-login assumes roles from an IAM user named by source_profile`, {
        hint: misspelt ?? `add "source_profile = <your IAM user profile>" to [profile ${current.name}] (${current.where.role_arn})`,
      });
    }
    const next = set.profiles.get(s.source_profile);
    if (next === undefined) {
      throw new MfaLoginError('E_PROFILE_UNKNOWN', `profile ${current.name} names source_profile ${s.source_profile}, which is not defined (${current.where.source_profile}); known profiles: ${knownProfiles(set)}`, {
        hint: `add [profile ${s.source_profile}] to ${set.configFile}, or fix source_profile`,
      });
    }
    current = next;
  }

  const root = path[path.length - 1]!;
  const rolesFromTarget = path.slice(0, -1);
  const plan: ChainPlan = {
    target,
    source: { profile: root.name, sts: stsSettings(root), ...opt('durationSeconds', mfaSessionDuration(root)) },
    roles: rolesFromTarget.reverse().map(roleStep),
    warnings: nearMisses(path),
  };
  const clash = inheritedTagClash(plan.roles);
  if (clash !== undefined) throw bad(path.find((p) => p.name === clash.profile)!, 'session_tags', clash.what);
  for (const key of ['session_tags', 'transitive_session_tags', 'policy_arns'] as const) {
    // GetSessionToken takes no tags or policies: the IAM user's own keys would be silently ignored.
    if (root.settings[key] !== undefined) plan.warnings.push(`${root.where[key]}: ${key} in profile ${root.name} has no effect: it applies to a role (role_arn), and this profile is the IAM user`);
  }
  for (const p of path) {
    if (plan.mfaSerial === undefined && p.settings.mfa_serial !== undefined) {
      plan.mfaSerial = mfaSerial(p);
      plan.mfaSerialFrom = p.name;
    }
    if (plan.mfaProcess === undefined && p.settings.mfa_process !== undefined) plan.mfaProcess = p.settings.mfa_process;
    if (plan.region === undefined && p.settings.region !== undefined) plan.region = p.settings.region;
  }
  return plan;
}

function roleStep(p: Profile): RoleStep {
  const s = p.settings;
  const roleArn = s.role_arn!;
  if (!ROLE_ARN.test(roleArn)) {
    throw bad(p, 'role_arn', `is not an IAM role ARN (expected arn:aws:iam::123456789012:role/NAME)`);
  }
  const step: RoleStep = { profile: p.name, roleArn, sts: stsSettings(p) };
  if (s.external_id !== undefined) {
    if (!EXTERNAL_ID.test(s.external_id)) throw bad(p, 'external_id', 'must be 2 to 1224 characters of letters, digits and +=,.@:/-');
    step.externalId = s.external_id;
  }
  if (s.role_session_name !== undefined) {
    if (!SESSION_NAME.test(s.role_session_name)) throw bad(p, 'role_session_name', 'must be 2 to 64 characters of letters, digits and +=,.@-');
    step.roleSessionName = s.role_session_name;
  }
  if (s.source_identity !== undefined) {
    if (!SESSION_NAME.test(s.source_identity)) throw bad(p, 'source_identity', 'must be 2 to 64 characters of letters, digits and +=,.@-');
    step.sourceIdentity = s.source_identity;
  }
  Object.assign(step, scopeOf(p, roleArn));
  const d = duration(p, 'duration_seconds');
  if (d !== undefined) {
    if (d < MIN_SESSION_SECONDS || d > MAX_ROLE_SESSION_SECONDS) {
      throw bad(p, 'duration_seconds', `must be between ${MIN_SESSION_SECONDS} (30 minutes) and ${MAX_ROLE_SESSION_SECONDS} (12 hours) seconds for a role${d < MIN_SESSION_SECONDS ? `: ${TOO_SHORT_WHY}` : ''}`);
    }
    step.durationSeconds = d;
  }
  return step;
}

/**
 * session_tags, transitive_session_tags and policy_arns of a role profile, checked against STS's
 * limits. aws-vault's keys and syntax; policy_arns is ours, in the AWS CLI's style (there is no
 * profile key for an inline policy: a file it named could change without the config changing, and
 * the cached path would not see it).
 */
function scopeOf(p: Profile, roleArn: string): SessionScope {
  const s = p.settings;
  const scope: SessionScope = {};
  const read = <T>(key: string, parse: (v: string) => T): T | undefined => {
    if (s[key] === undefined) return undefined;
    try {
      return parse(s[key]!);
    } catch (e) {
      if (e instanceof ScopeProblem) throw bad(p, key, e.what);
      throw e;
    }
  };
  const tags = read('session_tags', parseSessionTags);
  if (tags !== undefined) scope.tags = tags;
  const transitive = read('transitive_session_tags', (v) => {
    const keys = parseTagKeys(v);
    checkTransitive(keys, tags);
    return keys;
  });
  if (transitive !== undefined) scope.transitiveTagKeys = transitive;
  const arns = read('policy_arns', (v) => parsePolicyArns(v, roleArn));
  if (arns !== undefined) scope.policyArns = arns;
  return scope;
}

/**
 * A transitive tag passes to every later hop and STS refuses a later AssumeRole that sets the same
 * key ("If you pass a session tag with the same key as an inherited tag, the operation fails"):
 * the first hop in chain order that does so, and what to say about it.
 */
export function inheritedTagClash(roles: RoleStep[]): { profile: string; what: string } | undefined {
  const inherited = new Map<string, string>();
  for (const role of roles) {
    for (const tag of role.tags ?? []) {
      const from = inherited.get(tag.key.toLowerCase());
      if (from !== undefined) {
        return { profile: role.profile, what: `sets the tag ${tag.key}, which profile ${from} earlier in the chain passes on as transitive (transitive_session_tags): STS refuses to change an inherited transitive tag` };
      }
    }
    for (const key of role.transitiveTagKeys ?? []) inherited.set(key.toLowerCase(), role.profile);
  }
  return undefined;
}

/**
 * The plan with the target's role session scoped by a command's options (--session-tags,
 * --transitive-session-tags, --policy-arn, --policy): each one given replaces the profile's own
 * value for the target hop; hops before it keep theirs. Checked again as a whole, so options that
 * clash with the config fail here, before a code is asked for.
 */
export function withScope(plan: ChainPlan, override: SessionScope): ChainPlan {
  if (Object.values(override).every((v) => v === undefined)) return plan;
  const target = plan.roles[plan.roles.length - 1];
  const given = [override.tags && '--session-tags', override.transitiveTagKeys && '--transitive-session-tags', override.policyArns && '--policy-arn', override.policy !== undefined && '--policy'].filter((f): f is string => typeof f === 'string');
  const flags = given.join(', ');
  if (target === undefined) {
    throw new MfaLoginError('E_USAGE', `${flags} ${given.length === 1 ? 'scopes' : 'scope'} a role session, and profile ${plan.target} is an IAM user (its MFA session comes from GetSessionToken, which takes no tags or policies)`, {
      hint: `name a profile with role_arn instead of ${plan.target}`,
    });
  }
  const scoped: RoleStep = { ...target, scopeFlags: given };
  for (const field of ['tags', 'transitiveTagKeys', 'policyArns', 'policy'] as const) {
    if (override[field] !== undefined) (scoped as Record<typeof field, unknown>)[field] = override[field];
  }
  // Each hint names what set the value at fault: the option given, else the profile's key.
  const source = (flag: string, key: string) => (override[flag === '--session-tags' ? 'tags' : 'transitiveTagKeys'] !== undefined ? flag : `${key} in [profile ${plan.target}]`);
  const usage = (what: string, hint: string) => new MfaLoginError('E_USAGE', `profile ${plan.target}: ${what}`, { hint });
  const check = (label: string, hint: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      throw e instanceof ScopeProblem ? usage(`${label} ${e.what}`, hint) : e;
    }
  };
  if (scoped.transitiveTagKeys !== undefined) {
    const transitive = source('--transitive-session-tags', 'transitive_session_tags');
    check(override.transitiveTagKeys ? '--transitive-session-tags' : 'transitive_session_tags', `change ${source('--session-tags', 'session_tags')} or ${transitive}`, () => checkTransitive(scoped.transitiveTagKeys!, scoped.tags));
  }
  const [, partition, account] = /^arn:([^:]+):iam::(\d{12}):/.exec(scoped.roleArn) ?? [];
  const policyHint = `give --policy-arn arn:${partition ?? 'aws'}:iam::${account ?? 'ACCOUNT'}:policy/NAME or arn:${partition ?? 'aws'}:iam::aws:policy/NAME`;
  if (override.policyArns !== undefined) check('--policy-arn', policyHint, () => override.policyArns!.forEach((arn) => checkPolicyArn(arn, scoped.roleArn)));
  if (override.policy !== undefined) check('--policy', 'change --policy', () => checkPolicyDocument(override.policy!));
  const roles = [...plan.roles.slice(0, -1), scoped];
  const clash = inheritedTagClash(roles);
  if (clash !== undefined) throw usage(`the target ${clash.what}`, `change ${source('--session-tags', 'session_tags')}, or transitive_session_tags earlier in the chain`);
  return { ...plan, roles };
}

function mfaSerial(p: Profile): string {
  const v = p.settings.mfa_serial!;
  if (MFA_ARN.test(v)) return v;
  if (/^arn:/.test(v)) {
    const [, partition, service, , account, resource = ''] = v.split(':');
    const kind = /^([a-z-]+)\//.exec(resource)?.[1];
    const what = !['aws', 'aws-us-gov', 'aws-cn'].includes(partition ?? '')
      ? `has partition "${partition}" (expected aws, aws-us-gov or aws-cn)`
      : service !== 'iam'
        ? `is an ARN of ${service === '' ? 'no service' : service}, not of IAM`
        : kind !== undefined && kind !== 'mfa'
          ? `is an IAM ${kind} ARN, not an MFA device`
          : !/^\d{12}$/.test(account ?? '')
            ? 'does not have a 12-digit account id'
            : 'is not a valid MFA device ARN';
    throw bad(p, 'mfa_serial', `${what} (expected arn:aws:iam::123456789012:mfa/NAME)`);
  }
  if (HARDWARE_SERIAL.test(v)) return v;
  throw bad(p, 'mfa_serial', 'is neither an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) nor a hardware token serial number');
}

/** The IAM user's duration_seconds: the length of its MFA session (GetSessionToken). */
function mfaSessionDuration(p: Profile): number | undefined {
  const d = duration(p, 'duration_seconds');
  if (d !== undefined && (d < MIN_SESSION_SECONDS || d > MAX_MFA_SESSION_SECONDS)) {
    throw bad(p, 'duration_seconds', `must be between ${MIN_SESSION_SECONDS} (30 minutes) and ${MAX_MFA_SESSION_SECONDS} (36 hours) seconds for an MFA session${d < MIN_SESSION_SECONDS ? `: ${TOO_SHORT_WHY}` : ''}`);
  }
  return d;
}

function duration(p: Profile, key: string): number | undefined {
  const v = p.settings[key];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw bad(p, key, 'must be a whole number of seconds');
  return Number(v);
}

/** A profile's own STS settings; `add` uses them too, so every command reaches STS the same way. */
export function stsSettings(p: Profile): StsSettings {
  const s = p.settings;
  const out: StsSettings = {};
  if (s.region !== undefined) {
    if (!isRegion(s.region)) throw bad(p, 'region', 'is not an AWS region (lowercase letters, digits and dashes, like eu-west-1)');
    out.region = s.region;
  }
  if (s.endpoint_url !== undefined) out.endpointUrl = s.endpoint_url;
  if (s.sts_regional_endpoints !== undefined) {
    if (s.sts_regional_endpoints !== 'legacy' && s.sts_regional_endpoints !== 'regional') {
      throw bad(p, 'sts_regional_endpoints', 'must be "legacy" or "regional"');
    }
    out.regionalEndpoints = s.sts_regional_endpoints;
  }
  if (s.use_fips_endpoint !== undefined) out.useFips = s.use_fips_endpoint.toLowerCase() === 'true';
  return out;
}

function bad(p: Profile, key: string, what: string): MfaLoginError {
  const value = p.settings[key]!;
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return new MfaLoginError('E_CONFIG', `${p.where[key]}: ${key} = ${shown} ${what}`, { hint: `fix ${key} in the profile ${p.name}` });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The account the chain's credentials act in: the last role's, else the MFA device's. */
export function accountOf(plan: ChainPlan): string | undefined {
  const arn = plan.roles.length > 0 ? plan.roles[plan.roles.length - 1]!.roleArn : plan.mfaSerial;
  return arn === undefined ? undefined : /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
}

export const patterns = { MFA_ARN, ROLE_ARN, SESSION_NAME };
