import type { Profile } from './profiles.js';

/** The keys this tool reads. */
const OURS = [
  'mfa_serial', 'mfa_process', 'role_arn', 'source_profile', 'external_id', 'role_session_name', 'duration_seconds',
  'source_identity', 'region', 'endpoint_url', 'sts_regional_endpoints', 'use_fips_endpoint', 'credential_process',
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
export function nearMisses(profiles: Profile[]): string[] {
  const out: string[] = [];
  for (const p of profiles) {
    for (const key of Object.keys(p.settings)) {
      if (OURS.includes(key) || OTHERS.has(key)) continue;
      const normal = key.toLowerCase().replace(/-/g, '_');
      const match = OURS.find((k) => k === normal) ?? OURS.find((k) => distance(k, normal) <= (k.length > 8 ? 2 : 1));
      if (match !== undefined) out.push(`${p.where[key]}: unknown key ${key} in profile ${p.name}; did you mean ${match}?`);
    }
  }
  return out;
}

/** Levenshtein distance, small strings only. */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
