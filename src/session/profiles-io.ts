import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { loadProfiles, sharedFilePaths, type ProfileSet } from '../config/profiles.js';
import { readKeyInfo } from '../secrets/key-info.js';

/** The profile set, with the two files' texts it was built from. */
export type ProfileFiles = ProfileSet & { configText: string | undefined; credentialsText: string | undefined };

/** Reads both shared files once and builds the profile set. */
export async function readProfiles(deps: Deps): Promise<ProfileFiles> {
  const paths = sharedFilePaths(deps.env, deps.homeDir);
  const [configText, credentialsText] = await Promise.all([
    deps.readFile(paths.configFile).catch(naming(deps.env.AWS_CONFIG_FILE, 'AWS_CONFIG_FILE')),
    deps.readFile(paths.credentialsFile).catch(naming(deps.env.AWS_SHARED_CREDENTIALS_FILE, 'AWS_SHARED_CREDENTIALS_FILE')),
  ]);
  // The record of stored keys (not secret): a profile with keys is never told to store them again.
  const withKeys = await readKeyInfo(deps).then(
    (info) => new Set(Object.keys(info.stores)),
    () => undefined,
  );
  return { ...loadProfiles(paths, configText, credentialsText), ...(withKeys ? { withKeys } : {}), configText, credentialsText };
}

/** A file that cannot be read, named by a variable: the hint says which one to fix. */
function naming(value: string | undefined, variable: string): (e: unknown) => never {
  return (e) => {
    if (value && e instanceof MfaLoginError && e.code === 'E_FILE' && e.hint === undefined) {
      throw new MfaLoginError('E_FILE', e.message, { hint: `${variable}=${value} names it: point ${variable} at the file, or unset it for the default`, cause: e });
    }
    throw e;
  };
}

/** `~/.aws/credentials` rather than `/home/alice/.aws/credentials`, for messages. */
export function shortPath(deps: Deps, p: string): string {
  return p.startsWith(`${deps.homeDir}/`) ? `~${p.slice(deps.homeDir.length)}` : p;
}

/**
 * Changes the shared credentials or config file: read, `edit`, atomic write, all under the file's
 * lock (deps.editFile), so concurrent mfa-login commands never write away each other's change.
 */
export async function editProfileFile(deps: Deps, file: string, edit: (text: string) => string): Promise<void> {
  await deps.editFile(file, (text) => edit(text ?? ''), { mode: 0o600 });
}
