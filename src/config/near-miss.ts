/**
 * What nearMisses reads of a profile (a Profile of config/profiles.ts has it), spelt out here because
 * profiles.ts imports closest() from this file: neither imports the other back.
 */
interface ProfileKeys {
  name: string;
  settings: Record<string, string>;
  where: Record<string, string>;
}

/** The keys this tool reads. */
const OURS = [
  'mfa_serial', 'mfa_process', 'role_arn', 'source_profile', 'external_id', 'role_session_name', 'duration_seconds',
  'source_identity', 'session_tags', 'transitive_session_tags', 'policy_arns', 'region', 'endpoint_url', 'sts_regional_endpoints',
  'use_fips_endpoint', 'credential_process',
  'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token',
];
/** Keys other tools read that merely look like ours: never flagged. */
const OTHERS = new Set([
  'output', 'cli_pager', 'cli_auto_prompt', 'cli_timestamp_format', 'credential_source', 'web_identity_token_file', 'sso_start_url',
  'sso_region', 'sso_account_id', 'sso_role_name', 'sso_session', 'sso_registration_scopes', 'ca_bundle', 'parameter_validation',
  'max_attempts', 'retry_mode', 'aws_security_token', 'expiration', 'services', 'defaults_mode', 'duration', 'account_id',
  'aws_account_id', 'use_dualstack_endpoint', 'ignore_configured_endpoint_urls', 'metadata_service_timeout',
  'metadata_service_num_attempts', 'region_name', 'x_security_token_expires', 'include_profile', 'parent_profile',
]);

/**
 * Unknown keys are not errors (the SDKs ignore them and other tools add their own), but a key one
 * slip away from one of ours almost certainly meant ours: `mfa_seriall`, `source-profile`,
 * `Role_Arn`. One warning per such key, naming where it is and what it resembles.
 */
export function nearMisses(profiles: ProfileKeys[]): string[] {
  const out: string[] = [];
  for (const p of profiles) {
    for (const key of Object.keys(p.settings)) {
      if (OURS.includes(key) || OTHERS.has(key)) continue;
      const normal = key.toLowerCase().replace(/-/g, '_');
      const match = OURS.find((k) => k === normal) ?? closest(normal, OURS);
      if (match !== undefined) out.push(`${p.where[key]}: unknown key ${key} in profile ${p.name}; did you mean ${match}?`);
    }
  }
  return out;
}

/**
 * The one rule for "did you mean": the candidate nearest to `word`, if it is a slip away. Commands,
 * flags, subcommands, profile names and config keys are all corrected by it, so that a typo gets
 * the same answer whatever it was a typo of. A slip is one edit in a short word and two in one of
 * five letters or more, counting a swap of neighbours as one edit (`prdo`, `exce`, `statsu`), and
 * never the whole word (`-x` is not a slip of `-h`). On a tie, one with the same first letter
 * wins (`bsh`: bash, not sh), then the earlier: callers put first what they would rather suggest.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const limit = Math.min(word.length, c.length) >= 5 ? 2 : 1;
    const d = distance(c, word);
    const score = d * 2 + (c[0] === word[0] ? 0 : 1);
    if (d <= limit && d < word.length && d < c.length && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Edit distance with a swap of two neighbouring letters counted as one edit (optimal string
 * alignment), small strings only: anything more than two apart is 3.
 */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
