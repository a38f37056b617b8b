/**
 * What narrows or labels a role session beyond the role itself: session tags (aws-vault's
 * `session_tags` / `transitive_session_tags`) and session policies (`policy_arns`, an inline
 * policy). Pure: the profile keys in config/chain.ts and the command-line flags both parse and
 * check through here, against the limits STS documents, so that a value STS would refuse is
 * refused before anything asks for a code.
 */
import { MfaLoginError } from '../errors.js';

export interface SessionTag {
  key: string;
  value: string;
}

/** Sent with AssumeRole for one hop: Tags, TransitiveTagKeys, PolicyArns and Policy. */
export interface SessionScope {
  tags?: SessionTag[];
  /** Keys among `tags` that pass on to later hops of the chain. */
  transitiveTagKeys?: string[];
  /** Managed policies that scope the session below the role's own permissions. */
  policyArns?: string[];
  /** An inline session policy, JSON text as sent. */
  policy?: string;
}

/**
 * STS's limits (AssumeRole API reference; IAM User Guide, "Pass session tags in AWS STS" and
 * "Session policies"). Tag keys and values share one character set: letters, digits, spaces and
 * _.:/=+-@ (`[\p{L}\p{Z}\p{N}_.:/=+\-@]`).
 */
export const SCOPE_LIMITS = {
  maxTags: 50,
  keyMax: 128,
  valueMax: 256,
  maxPolicyArns: 10,
  policyMax: 2048,
} as const;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** A managed policy: the account's own (12 digits) or AWS's (`aws`), with an optional path. */
const POLICY_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}|aws):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
/** The session policy's characters: tab, line feed, carriage return and U+0020 to U+00FF. */
const POLICY_CHARS = /^[\t\n\r\u0020-\u00FF]+$/;

/** Why a value cannot be sent; the caller says where the value came from (a config line, a flag). */
export class ScopeProblem extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'ScopeProblem';
  }
}

/**
 * `key1=value1,key2=value2`, as aws-vault reads `session_tags`: pairs split on commas, each on its
 * first `=`, spaces around keys and values trimmed. A value may be empty and may contain `=`; tag
 * keys are not case-sensitive to STS, so a key given twice in any case is refused here as STS does.
 */
export function parseSessionTags(text: string): SessionTag[] {
  const tags: SessionTag[] = [];
  const seen = new Map<string, string>();
  for (const piece of text.split(',')) {
    if (piece.trim() === '') continue;
    const eq = piece.indexOf('=');
    if (eq < 0) throw new ScopeProblem(`has "${piece.trim()}" without "=": write key=value pairs separated by commas`);
    const tag = { key: piece.slice(0, eq).trim(), value: piece.slice(eq + 1).trim() };
    checkTagKey(tag.key);
    checkTagText(tag.value, 'value', tag.key);
    if (tag.value.length > SCOPE_LIMITS.valueMax) throw new ScopeProblem(`has a value of ${tag.value.length} characters for ${tag.key}; STS takes at most ${SCOPE_LIMITS.valueMax}`);
    const first = seen.get(tag.key.toLowerCase());
    if (first !== undefined) throw new ScopeProblem(`names the tag ${tag.key} twice (${first === tag.key ? '' : `as ${first} and ${tag.key}; `}tag keys are case-insensitive)`);
    seen.set(tag.key.toLowerCase(), tag.key);
    tags.push(tag);
  }
  if (tags.length === 0) throw new ScopeProblem('has no tags: write key=value pairs separated by commas');
  if (tags.length > SCOPE_LIMITS.maxTags) throw new ScopeProblem(`has ${tags.length} tags; STS takes at most ${SCOPE_LIMITS.maxTags}`);
  return tags;
}

/** `key1,key2`, as aws-vault reads `transitive_session_tags`. */
export function parseTagKeys(text: string): string[] {
  const keys = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keys.length === 0) throw new ScopeProblem('names no tag keys: write keys separated by commas');
  for (const k of keys) checkTagKey(k);
  if (keys.length > SCOPE_LIMITS.maxTags) throw new ScopeProblem(`names ${keys.length} keys; STS takes at most ${SCOPE_LIMITS.maxTags}`);
  return keys;
}

/** Transitive keys must be among the hop's own tags (STS: InvalidParameterValue otherwise). */
export function checkTransitive(keys: string[], tags: SessionTag[] | undefined): void {
  const own = new Set((tags ?? []).map((t) => t.key.toLowerCase()));
  const missing = keys.find((k) => !own.has(k.toLowerCase()));
  if (missing !== undefined) {
    throw new ScopeProblem(tags === undefined ? `names ${missing}, but no session_tags are set for this role` : `names ${missing}, which is not among the session tags (${tags.map((t) => t.key).join(', ')})`);
  }
}

/** `arn1,arn2`: managed policy ARNs, at most 10, each in the partition of `roleArn` and its account (or AWS's). */
export function parsePolicyArns(text: string, roleArn?: string): string[] {
  const arns = text.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (arns.length === 0) throw new ScopeProblem('names no policies: write managed policy ARNs separated by commas');
  for (const arn of arns) checkPolicyArn(arn, roleArn);
  if (arns.length > SCOPE_LIMITS.maxPolicyArns) throw new ScopeProblem(`names ${arns.length} policies; STS takes at most ${SCOPE_LIMITS.maxPolicyArns}`);
  const twice = arns.find((a, i) => arns.indexOf(a) !== i);
  if (twice !== undefined) throw new ScopeProblem(`names ${twice} twice`);
  return arns;
}

const NOT_A_POLICY_ARN = 'not a managed policy ARN (expected arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::aws:policy/NAME)';

export function checkPolicyArn(arn: string, roleArn?: string): void {
  const m = POLICY_ARN.exec(arn);
  if (!m) throw new ScopeProblem(`has ${arn}, which is ${NOT_A_POLICY_ARN}`);
  const role = roleArn === undefined ? undefined : /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn);
  if (role && m[1] !== role[1]) throw new ScopeProblem(`has ${arn}, which is in partition ${m[1]}, not the role's (${role[1]})`);
  // "The policies must exist in the same account as the role" (AssumeRole, PolicyArns).
  if (role && m[2] !== 'aws' && m[2] !== role[2]) throw new ScopeProblem(`has ${arn}, a policy of account ${m[2]}; a session policy must be in the role's account (${role[2]}) or be AWS-managed`);
}

/** An inline session policy: JSON text of at most 2048 characters of tab, newline and U+0020-U+00FF. */
export function checkPolicyDocument(text: string): string {
  if (text.trim() === '') throw new ScopeProblem('is empty: a session policy is a JSON policy document');
  if (text.length > SCOPE_LIMITS.policyMax) throw new ScopeProblem(`is ${text.length} characters; STS takes at most ${SCOPE_LIMITS.policyMax} (leave out spaces and line breaks, or name managed policies instead)`);
  if (!POLICY_CHARS.test(text)) {
    const bad = [...text].find((c) => !POLICY_CHARS.test(c))!;
    throw new ScopeProblem(`has the character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}; STS takes tab, line breaks and U+0020 to U+00FF only`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScopeProblem(`is not JSON${whereJsonFails(text, (e as Error).message)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('Statement' in doc)) {
    throw new ScopeProblem('is not a policy document: it needs a "Statement"');
  }
  return text;
}

/**
 * Where JSON.parse stopped, as ` (line L, column C)` when its message says; never the message
 * itself, which quotes the start of the text (of /etc/shadow, for --policy /etc/shadow).
 */
function whereJsonFails(text: string, message: string): string {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return ` (line ${lc[1]}, column ${lc[2]})`;
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const before = text.slice(0, Number(at[1])).split('\n');
    return ` (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
  }
  if (/Unexpected end of JSON input/.test(message)) return ' (it ends too soon)';
  return '';
}

function checkTagKey(key: string): void {
  if (key === '') throw new ScopeProblem('has a tag with an empty key');
  checkTagText(key, 'key', key);
  if (key.length > SCOPE_LIMITS.keyMax) throw new ScopeProblem(`has a tag key of ${key.length} characters (${key.slice(0, 20)}...); STS takes 1 to ${SCOPE_LIMITS.keyMax}`);
  // IAM User Guide, "Rules for tagging in IAM and AWS STS": the aws: prefix is AWS's own.
  if (key.toLowerCase().startsWith('aws:')) throw new ScopeProblem(`has the tag key ${key}; keys beginning with aws: are reserved for AWS`);
}

function checkTagText(text: string, what: 'key' | 'value', key: string): void {
  if (TAG_CHARS.test(text)) return;
  const bad = [...text].find((c) => !TAG_CHARS.test(c))!;
  const shown = /^[\x21-\x7e]$/.test(bad) ? `"${bad}"` : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  throw new ScopeProblem(`has ${shown} in the ${what === 'key' ? `key ${key.length > 40 ? `${key.slice(0, 37)}...` : key}` : `value of ${key}`}; tag keys and values take letters, digits, spaces and _.:/=+-@ only`);
}

/** Whether a scope sends anything: a hop without one keeps its old cache key and request. */
export function isEmptyScope(scope: SessionScope | undefined): boolean {
  return scope === undefined || (scope.tags === undefined && scope.transitiveTagKeys === undefined && scope.policyArns === undefined && scope.policy === undefined);
}

/** What a command's options say about the target's session, as the parser read them (strings, not yet checked). */
export interface ScopeFlags {
  /** --session-tags key1=value1,key2=value2 */
  sessionTags?: string;
  /** --transitive-session-tags key1,key2 */
  transitiveSessionTags?: string;
  /** --policy-arn ARN, repeatable; each may also hold several ARNs separated by commas. */
  policyArns?: string[];
  /** --policy FILE: the file's name and its text, read by the caller ("-" for stdin is the caller's to offer). */
  policy?: { file: string; text: string };
}

/** The options as a command's plan holds them: the --policy file named, not yet read. */
export type ScopeOptions = Omit<ScopeFlags, 'policy'> & { policyFile?: string };

/**
 * The options as a SessionScope to pass to withScope (config/chain.ts), each checked against
 * STS's limits; a bad one is a usage error naming the option. Checks that need the role (a
 * policy's account, transitive keys against the profile's tags) happen in withScope.
 */
export function scopeFromFlags(flags: ScopeFlags): SessionScope {
  const scope: SessionScope = {};
  const read = <T>(flag: string, value: string, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof ScopeProblem)) throw e;
      const shown = value === '' ? '""' : value.length > 80 ? `${value.slice(0, 77)}...` : value;
      throw new MfaLoginError('E_USAGE', `${flag} ${shown} ${e.what}`, { hint: SCOPE_FLAG_HINTS[flag] });
    }
  };
  if (flags.sessionTags !== undefined) scope.tags = read('--session-tags', flags.sessionTags, () => parseSessionTags(flags.sessionTags!));
  if (flags.transitiveSessionTags !== undefined) scope.transitiveTagKeys = read('--transitive-session-tags', flags.transitiveSessionTags, () => parseTagKeys(flags.transitiveSessionTags!));
  if (flags.policyArns !== undefined && flags.policyArns.length > 0) {
    // Each ARN on its own first (`--policy-arn x`, not `--policy-arn A,x has x`), then the list's count and repeats.
    for (const arn of flags.policyArns.flatMap((v) => v.split(',')).map((a) => a.trim())) {
      if (arn !== '') read('--policy-arn', arn, () => POLICY_ARN.test(arn) || fail(`is ${NOT_A_POLICY_ARN}`));
    }
    const joined = flags.policyArns.join(',');
    scope.policyArns = read('--policy-arn', joined, () => parsePolicyArns(joined));
  }
  if (flags.policy !== undefined) {
    const { file, text } = flags.policy;
    // A file's last newline is the editor's, not the policy's: the limit counts what is sent.
    scope.policy = read('--policy', file, () => checkPolicyDocument(text.replace(/\r?\n$/, '')));
  }
  return scope;
}

function fail(what: string): never {
  throw new ScopeProblem(what);
}

export const SCOPE_FLAG_HINTS: Record<string, string> = {
  '--session-tags': 'write --session-tags key1=value1,key2=value2 (at most 50 tags; keys up to 128 and values up to 256 letters, digits, spaces and _.:/=+-@)',
  '--transitive-session-tags': 'write --transitive-session-tags key1,key2 with keys given in --session-tags or session_tags',
  '--policy-arn': 'give --policy-arn arn:aws:iam::ACCOUNT:policy/NAME once per policy (at most 10)',
  '--policy': 'name a file holding one JSON policy document of at most 2048 characters',
};
