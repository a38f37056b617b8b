import type { LongTermKeys } from '../credentials.js';
import type { MfaLoginError } from '../errors.js';

/**
 * One place where IAM users' long-term keys live, keyed by the profile name they belong to.
 * Backends: the OS keychain (default) and an encrypted file.
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
  /** Throws now what storing keys would throw later (no keychain, a wrong passphrase); stores nothing. */
  ready(): Promise<void>;
}

/** A store as the user sees it: the backend, and where it is. */
export interface StorePlace {
  backend: 'keychain' | 'file';
  /** The keychain's description, or the key file's path. */
  location: string;
}

/** What `KeyStores.inventory` found. */
export interface KeyInventory {
  /** Every profile with stored keys, and the store holding them. */
  profiles: Map<string, StorePlace>;
  /** Stores that hold (or would take) keys and could not be read, with why. */
  unreadable: Array<StorePlace & { problem: MfaLoginError }>;
  /** Where each profile's keys are recorded to be, found or not. */
  recorded: Map<string, StorePlace>;
  /** Where new keys go. */
  newKeys: StorePlace;
}

/**
 * Every profile's keys, each in the store that holds them: the OS keychain or an encrypted key
 * file, as recorded when they were stored (secrets/key-stores.ts). What the commands use.
 */
export interface KeyStores {
  /** The store last used for a profile; before any, the one new keys go to. */
  readonly backend: 'keychain' | 'file';
  readonly location: string;
  get(profile: string): Promise<LongTermKeys | undefined>;
  set(profile: string, keys: LongTermKeys): Promise<void>;
  remove(profile: string): Promise<boolean>;
  /** Profiles with stored keys in every store that holds some, sorted. */
  list(): Promise<string[]>;
  /** Like list(), with the store of each profile; a store that cannot be read is reported, not thrown. */
  inventory(): Promise<KeyInventory>;
  /** Throws now what set(profile, ...) would throw for want of a usable store; stores nothing. */
  ready(profile: string): Promise<void>;
}
