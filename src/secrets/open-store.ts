import type { FileAccess } from '../files/edit-file.js';
import type { Settings } from '../settings.js';
import { EncryptedFileStore } from './file-store.js';
import { KeychainStore } from './keychain-store.js';
import { RecordedKeyStores } from './key-stores.js';
import type { KeyStores } from './store.js';

/** How many times a person is asked for a key file's passphrase before a wrong one is an error. */
export const PASSPHRASE_ATTEMPTS = 3;

export interface OpenSecretStoreOptions {
  settings: Pick<Settings, 'backend' | 'backendChosen' | 'keyFile' | 'keyFilePassphrase' | 'lockTimeoutMs'>;
  /** Reads a passphrase without echo; only called when the file backend needs one and MFA_LOGIN_FILE_PASSPHRASE is not set. */
  askPassphrase: (prompt: string, file: string) => Promise<string>;
  /** Where the record of each profile's store is read and written (key-info.ts). */
  io: FileAccess & { settings: Settings };
  warn: (line: string) => void;
  debug?: (line: string) => void;
}

/**
 * The key stores: new keys go to the backend the settings name, `keychain` (default) or `file`
 * (MFA_LOGIN_BACKEND); keys already stored are found where they were put (key-stores.ts). Cheap
 * and synchronous: neither backend touches the keychain or a file until first used. A key file's
 * passphrase is MFA_LOGIN_FILE_PASSPHRASE when set (for unattended use), else asked, and asked
 * again when it is wrong, empty, or a new one is typed differently the second time.
 */
export function openSecretStore(options: OpenSecretStoreOptions): KeyStores {
  const { keyFilePassphrase: fromEnv } = options.settings;
  return new RecordedKeyStores({
    settings: options.settings,
    io: options.io,
    warn: options.warn,
    ...(options.debug ? { debug: options.debug } : {}),
    keychain: () => new KeychainStore(),
    keyFile: (file) =>
      new EncryptedFileStore({
        file,
        lockWaitMs: options.settings.lockTimeoutMs,
        attempts: fromEnv !== undefined ? 1 : PASSPHRASE_ATTEMPTS,
        passphrase: ({ creating, repeat, problem }) =>
          fromEnv !== undefined
            ? Promise.resolve(fromEnv)
            : options.askPassphrase(`${problem !== undefined ? `${problem} ` : ''}${repeat ? `The same passphrase again: ` : creating ? `New passphrase to encrypt ${file}: ` : `Passphrase for ${file}: `}`, file),
      }),
  });
}
