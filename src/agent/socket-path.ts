import path from 'node:path';

/**
 * Where the agent listens: in the per-user runtime directory when there is one (tmpfs, cleared
 * at logout, the place ssh-agent and gpg-agent use), else next to the file cache.
 */
export function agentSocketPath(env: Record<string, string | undefined>, cacheDir: string): string {
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'mfa-login', 'agent.sock') : path.join(cacheDir, 'agent.sock');
}
