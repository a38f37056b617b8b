import path from 'node:path';

/** The cache directory: MFA_LOGIN_CACHE_DIR, else $XDG_CACHE_HOME/mfa-login, else ~/.cache/mfa-login. */
export function cacheDir(env: Record<string, string | undefined>, homeDir: string): string {
  return env.MFA_LOGIN_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homeDir, '.cache'), 'mfa-login');
}
