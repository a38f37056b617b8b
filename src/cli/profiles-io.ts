import type { Deps } from '../deps.js';
import { loadProfiles, sharedFilePaths, type ProfileSet } from '../config/profiles.js';
import { withFileLock } from '../files/file-lock.js';

/** Reads both shared files once and builds the profile set. */
export async function readProfiles(deps: Deps): Promise<ProfileSet & { configText: string | undefined; credentialsText: string | undefined }> {
  const paths = sharedFilePaths(deps.env, deps.homeDir);
  const [configText, credentialsText] = await Promise.all([deps.readFile(paths.configFile), deps.readFile(paths.credentialsFile)]);
  return { ...loadProfiles(paths, configText, credentialsText), configText, credentialsText };
}

/** `~/.aws/credentials` rather than `/home/alice/.aws/credentials`, for messages. */
export function shortPath(deps: Deps, p: string): string {
  return p.startsWith(`${deps.homeDir}/`) ? `~${p.slice(deps.homeDir.length)}` : p;
}

/**
 * Changes the shared credentials or config file: read, `edit`, atomic write, all under the file's
 * lock, so concurrent mfa-login commands never write away each other's change.
 */
export async function editProfileFile(deps: Deps, file: string, edit: (text: string) => string): Promise<void> {
  await withFileLock(
    file,
    async () => {
      const text = (await deps.readFile(file)) ?? '';
      const next = edit(text);
      if (next !== text) await deps.writeFile(file, next, 0o600);
    },
    { waitMs: deps.settings.lockTimeoutMs },
  );
}
