import path from 'node:path';
import { MfaLoginError } from '../errors.js';
import { EncryptedFileStore, defaultKeyFilePath } from './file-store.js';
import { KeychainStore } from './keychain-store.js';
import { settingsFrom } from '../settings.js';
import type { SecretStore } from './store.js';

export const BACKENDS = ['keychain', 'file'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface OpenSecretStoreOptions {
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  homeDir: string;
  /** Reads a passphrase without echo; only called when the file backend needs one and MFA_LOGIN_FILE_PASSPHRASE is not set. */
  askPassphrase: (prompt: string) => Promise<string>;
}

/**
 * Picks the backend from MFA_LOGIN_BACKEND: `keychain` (default) or `file`.
 * Cheap and synchronous: neither backend touches the keychain or the file until first used.
 *
 * File backend: MFA_LOGIN_FILE_STORE moves the file (default
 * `${XDG_CONFIG_HOME:-~/.config}/mfa-login/keys.enc`); MFA_LOGIN_FILE_PASSPHRASE, when set, is the
 * passphrase (for unattended use), otherwise askPassphrase is called once.
 */
export function openSecretStore(options: OpenSecretStoreOptions): SecretStore {
  const env = options.env;
  const backend = nonEmpty(env.MFA_LOGIN_BACKEND) ?? 'keychain';
  switch (backend) {
    case 'keychain':
      return new KeychainStore();
    case 'file': {
      const override = nonEmpty(env.MFA_LOGIN_FILE_STORE);
      const file = override ? path.resolve(override) : defaultKeyFilePath(env, options.homeDir);
      const fromEnv = nonEmpty(env.MFA_LOGIN_FILE_PASSPHRASE);
      return new EncryptedFileStore({
        file,
        lockWaitMs: settingsFrom(env, options.homeDir).lockTimeoutMs,
        passphrase: ({ creating, repeat }) =>
          fromEnv !== undefined
            ? Promise.resolve(fromEnv)
            : options.askPassphrase(repeat ? `The same passphrase again: ` : creating ? `New passphrase to encrypt ${file}: ` : `Passphrase for ${file}: `),
      });
    }
    default:
      throw new MfaLoginError('E_USAGE', `MFA_LOGIN_BACKEND=${JSON.stringify(backend)} is not a secret store: use "keychain" or "file"`, {
        hint: 'unset MFA_LOGIN_BACKEND to keep keys in the OS keychain, or set MFA_LOGIN_BACKEND=file for an encrypted file',
      });
  }
}

/** An empty variable counts as unset, the way `VAR= command` is commonly used to switch one off. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
