import type { Settings } from '../settings.js';
import { EncryptedFileStore } from './file-store.js';
import { KeychainStore } from './keychain-store.js';
import type { SecretStore } from './store.js';

export interface OpenSecretStoreOptions {
  settings: Pick<Settings, 'backend' | 'keyFile' | 'keyFilePassphrase' | 'lockTimeoutMs'>;
  /** Reads a passphrase without echo; only called when the file backend needs one and MFA_LOGIN_FILE_PASSPHRASE is not set. */
  askPassphrase: (prompt: string) => Promise<string>;
}

/**
 * The backend the settings name: `keychain` (default) or `file` (MFA_LOGIN_BACKEND). Cheap and
 * synchronous: neither backend touches the keychain or the file until first used. The key file's
 * passphrase is MFA_LOGIN_FILE_PASSPHRASE when set (for unattended use), else asked once.
 */
export function openSecretStore(options: OpenSecretStoreOptions): SecretStore {
  const { backend, keyFile: file, keyFilePassphrase: fromEnv } = options.settings;
  if (backend === 'keychain') return new KeychainStore();
  return new EncryptedFileStore({
    file,
    lockWaitMs: options.settings.lockTimeoutMs,
    passphrase: ({ creating, repeat }) =>
      fromEnv !== undefined
        ? Promise.resolve(fromEnv)
        : options.askPassphrase(repeat ? `The same passphrase again: ` : creating ? `New passphrase to encrypt ${file}: ` : `Passphrase for ${file}: `),
  });
}
