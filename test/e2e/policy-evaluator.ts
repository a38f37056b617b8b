/**
 * Just enough of IAM's policy evaluation to check the policy `mfa-login policy` prints against the
 * calls mfa-login makes: Allow/Deny statements with Action or NotAction, Resource with `*` and
 * `${aws:username}`, and the Bool / BoolIfExists conditions on aws:MultiFactorAuthPresent. An
 * explicit Deny wins; otherwise an Allow is needed.
 *
 * Two STS calls need no permission at all (AWS's API reference: "No permissions are required" for
 * GetSessionToken and GetCallerIdentity); GetCallerIdentity cannot even be denied.
 */
import type { LocalStsLogEntry } from '../../src/aws-stand-in/types.js';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface Request {
  /** `iam:CreateAccessKey`, `sts:GetSessionToken`. */
  action: string;
  resource: string;
  username: string;
  /** aws:MultiFactorAuthPresent: absent for long-term keys, else whether the session has MFA. */
  mfa: boolean | undefined;
}

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

function conditionHolds(condition: Statement['Condition'], r: Request): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (key !== 'aws:MultiFactorAuthPresent') throw new Error(`the evaluator does not know condition key ${key}`);
      const present = r.mfa !== undefined;
      if (operator === 'BoolIfExists') {
        if (present && String(r.mfa) !== expected) return false;
      } else if (operator === 'Bool') {
        if (!present || String(r.mfa) !== expected) return false;
      } else {
        throw new Error(`the evaluator does not know condition operator ${operator}`);
      }
    }
  }
  return true;
}

function applies(s: Statement, r: Request): boolean {
  const actionMatches = s.Action !== undefined ? list(s.Action).some((a) => glob(a, r.action)) : !list(s.NotAction).some((a) => glob(a, r.action));
  const resourceMatches = list(s.Resource).some((p) => glob(p.replaceAll('${aws:username}', r.username), r.resource));
  return actionMatches && resourceMatches && conditionHolds(s.Condition, r);
}

export function evaluate(statements: Statement[], r: Request): Decision {
  if (r.action === 'sts:GetCallerIdentity') return 'Allow';
  const matching = statements.filter((s) => applies(s, r));
  if (matching.some((s) => s.Effect === 'Deny')) return 'Deny';
  if (r.action === 'sts:GetSessionToken') return 'Allow';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/** The first JSON document `mfa-login policy` prints: the identity policy. */
export function identityPolicy(printed: string): Statement[] {
  const start = printed.indexOf('{');
  const end = printed.indexOf('\n}\n', start);
  return (JSON.parse(printed.slice(start, end + 2)) as { Statement: Statement[] }).Statement;
}

const IAM_ACTIONS = new Set(['CreateVirtualMFADevice', 'EnableMFADevice', 'ResyncMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice', 'ListMFADevices', 'GetUser', 'CreateAccessKey', 'ListAccessKeys', 'DeleteAccessKey']);

/**
 * A request as the policy sees one the local STS logged: long-term keys (AKIA…) carry no MFA key,
 * session keys carry whether they have MFA. MFA devices are named after the user here.
 */
export function requestOf(entry: LocalStsLogEntry, user: { userName: string; accountId: string }): Request {
  const mfa = entry.accessKeyId.startsWith('AKIA') ? undefined : entry.mfa;
  const iam = IAM_ACTIONS.has(entry.action);
  const device = entry.action.includes('VirtualMFADevice');
  return {
    action: `${iam ? 'iam' : 'sts'}:${entry.action}`,
    resource: iam ? `arn:aws:iam::${user.accountId}:${device ? 'mfa' : 'user'}/${user.userName}` : '*',
    username: user.userName,
    mfa,
  };
}
