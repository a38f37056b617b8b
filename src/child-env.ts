/**
 * The environment a command we start gets: ours, less our own secrets. MFA_LOGIN_FILE_PASSPHRASE
 * opens the key file and MFA_LOGIN_MFA_TOKEN is a live code; anything run under `exec` or as
 * mfa_process has no use for either, and could decrypt the long-term keys with the first.
 * startChild (child-process.ts) applies it to every child we start.
 */
export const OWN_SECRET_VARIABLES = ['MFA_LOGIN_FILE_PASSPHRASE', 'MFA_LOGIN_MFA_TOKEN'] as const;

export function childEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !(OWN_SECRET_VARIABLES as readonly string[]).includes(k)) out[k] = v;
  }
  return out;
}
