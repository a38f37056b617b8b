import { EXPORTED_REGION } from '../settings.js';

/**
 * The environment variables that decide where STS is reached (stsTarget reads these and no
 * others). Sessions are cached under keys made from where they came from, so these are also all
 * the environment a cached session's key depends on; a profile's route (session-store/route.ts) records
 * them, and a change in any of them sends the cached path back to the full one.
 */
export const STS_ENV = [
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  // Whether those two hold the user's region or the one mfa-login set (settings.ts, userRegion).
  EXPORTED_REGION,
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_STS_REGIONAL_ENDPOINTS',
] as const;

export type StsEnv = Partial<Record<(typeof STS_ENV)[number], string>>;

/** Only the variables above: what stsTarget is given, so nothing else can reach a session's key. */
export function stsEnv(env: Record<string, string | undefined>): StsEnv {
  const out: StsEnv = {};
  for (const name of STS_ENV) if (env[name] !== undefined) out[name] = env[name];
  return out;
}
