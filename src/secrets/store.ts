import type { LongTermKeys } from '../credentials.js';

/**
 * Where an IAM user's long-term keys live, keyed by the profile name they belong to.
 * Backends: the OS keychain (default) and an encrypted file. Chosen with MFA_LOGIN_BACKEND.
 */
export interface SecretStore {
  /** 'keychain' or 'file', shown to the user (list, status). */
  readonly backend: 'keychain' | 'file';
  /** A human description of where the keys are, e.g. "Secret Service (login collection)". */
  readonly location: string;
  get(profile: string): Promise<LongTermKeys | undefined>;
  set(profile: string, keys: LongTermKeys): Promise<void>;
  /** True when something was removed. */
  remove(profile: string): Promise<boolean>;
  /** Profiles with stored keys, sorted. */
  list(): Promise<string[]>;
}
