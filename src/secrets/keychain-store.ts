import type { Credential, EntryOptions } from '@napi-rs/keyring';
import type { LongTermKeys } from '../credentials.js';
import { MfaLoginError } from '../errors.js';
import type { SecretStore } from './store.js';

/** The service name every item is filed under; the account is the profile name. */
export const KEYCHAIN_SERVICE = 'mfa-login';

/** One keychain item, as @napi-rs/keyring's AsyncEntry exposes it. */
export interface KeyringEntry {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}

/** The part of @napi-rs/keyring this store uses. Tests pass a fake to exercise the error mapping. */
export interface KeyringModule {
  AsyncEntry: new (service: string, account: string, options?: EntryOptions) => KeyringEntry;
  findCredentialsAsync(service: string): Promise<Credential[]>;
}

export interface KeychainStoreOptions {
  /** Defaults to "mfa-login". Tests use their own so they never see each other's items. */
  service?: string;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** Defaults to a lazy `import('@napi-rs/keyring')`. */
  loadKeyring?: () => Promise<KeyringModule>;
}

// Without the pin @napi-rs/keyring falls back to the kernel keyring when no Secret Service
// answers, and kernel keys vanish at reboot: the user would "lose" their keys a day later with
// no error at the time of storing. Pinned, an unavailable Secret Service throws instead.
const PINNED: EntryOptions = { linux: { store: 'secret-service' } };

/** Stored as the item's password. `v` lets a later release change the shape and still read this one. */
interface StoredItemV1 {
  v: 1;
  accessKeyId: string;
  secretAccessKey: string;
}

let sharedKeyring: Promise<KeyringModule> | undefined;

/**
 * Loading the native module costs about half a Node start, and the CLI's fast path (a cached
 * session) never needs it: it is imported on the first keychain operation, never at start-up.
 */
function importKeyring(): Promise<KeyringModule> {
  sharedKeyring ??= import('@napi-rs/keyring').then(
    (m) => m as KeyringModule,
    (e: unknown) => {
      sharedKeyring = undefined;
      throw new MfaLoginError('E_KEYCHAIN', `cannot load the OS keychain module (@napi-rs/keyring): ${firstLine(errorMessage(e))}`, {
        hint: 'reinstall mfa-login for this platform, or store keys in an encrypted file with MFA_LOGIN_BACKEND=file',
        cause: e,
      });
    },
  );
  return sharedKeyring;
}

/**
 * Long-term keys in the OS keychain: Secret Service on Linux (pinned, never the kernel keyring),
 * the login Keychain on macOS, Credential Manager on Windows.
 */
export class KeychainStore implements SecretStore {
  readonly backend = 'keychain' as const;
  readonly location: string;
  private readonly service: string;
  private readonly platform: NodeJS.Platform;
  private readonly loadKeyring: () => Promise<KeyringModule>;
  private unlockedCheckPassed = false;

  constructor(options: KeychainStoreOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.platform = options.platform ?? process.platform;
    this.loadKeyring = options.loadKeyring ?? importKeyring;
    this.location = describeLocation(this.platform);
  }

  async get(profile: string): Promise<LongTermKeys | undefined> {
    const what = `read the keys of profile "${profile}"`;
    const entry = await this.open(profile, what);
    let stored = await attempt(() => entry.getPassword(), what);
    if (stored === null) {
      // A locked collection answers "nothing here" instead of failing; prove it is not locked
      // before telling the user there are no keys. If the check unlocked it (a desktop prompt),
      // the item may be readable now.
      if (!(await this.assertUnlocked(what))) return undefined;
      stored = await attempt(() => entry.getPassword(), what);
      if (stored === null) return undefined;
    }
    return parseItem(stored, profile, this.service);
  }

  async set(profile: string, keys: LongTermKeys): Promise<void> {
    const what = `store the keys of profile "${profile}"`;
    const entry = await this.open(profile, what);
    const item: StoredItemV1 = { v: 1, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    const password = JSON.stringify(item);
    await attempt(() => entry.setPassword(password), what, [password, keys.secretAccessKey]);
  }

  async remove(profile: string): Promise<boolean> {
    const what = `remove the keys of profile "${profile}"`;
    const entry = await this.open(profile, what);
    if (await attempt(() => entry.deleteCredential(), what)) return true;
    if (!(await this.assertUnlocked(what))) return false;
    return attempt(() => entry.deleteCredential(), what);
  }

  async list(): Promise<string[]> {
    const what = 'list the profiles with stored keys';
    // Opening an entry first makes list() fail the same way, with the same words, as get():
    // findCredentials talks to the bus through a different D-Bus client with other error texts.
    await this.probeEntry(what);
    const keyring = await this.loadKeyring();
    let found = await attempt(() => keyring.findCredentialsAsync(this.service), what);
    if (found.length === 0 && (await this.assertUnlocked(what))) {
      found = await attempt(() => keyring.findCredentialsAsync(this.service), what);
    }
    return [...new Set(found.map((c) => c.account))].sort();
  }

  /**
   * Finds out now that keys can be stored: the Secret Service is reachable and its default
   * collection unlocked (a probe item is written and deleted, as assertUnlocked does). Before a
   * person pastes keys, not after STS has checked them.
   */
  async ready(): Promise<void> {
    const what = 'store keys';
    const probe = await this.probeEntry(what);
    await attempt(() => probe.setPassword('probe'), what);
    await probe.deleteCredential().catch(() => false);
    this.unlockedCheckPassed = true;
  }

  private async open(account: string, what: string): Promise<KeyringEntry> {
    const keyring = await this.loadKeyring();
    // With the store pinned, the constructor is where "no bus" and "no Secret Service" surface.
    return attempt(() => new keyring.AsyncEntry(this.service, account, PINNED), what);
  }

  /** An item under a service of its own: writing it never touches a profile, list() never shows it. */
  private async probeEntry(what: string): Promise<KeyringEntry> {
    const keyring = await this.loadKeyring();
    return attempt(() => new keyring.AsyncEntry(`${this.service}:unlock-probe`, 'probe', PINNED), what);
  }

  /**
   * Tells a locked Secret Service collection from an empty one. Reads cannot: gnome-keyring
   * answers a search in a locked collection with the items it can match by their hashed
   * attributes, but other providers (KeePassXC) hide a locked database altogether, and then
   * a read says "no such item" without error. A write cannot pretend: it lands in the default
   * collection, which must be unlocked (a desktop shows its unlock prompt here; a headless
   * session fails with "prompt dismissed"). So on an empty answer, write and delete a probe item.
   *
   * Returns true when the probe ran and found the collection unlocked (worth asking again),
   * false when no probe was needed. Only Linux: macOS and Windows report a locked keychain
   * as an error (or prompt) on the read itself.
   */
  private async assertUnlocked(what: string): Promise<boolean> {
    if (this.platform !== 'linux' || this.unlockedCheckPassed) return false;
    const probe = await this.probeEntry(what);
    await attempt(() => probe.setPassword('probe'), what);
    await probe.deleteCredential().catch(() => false);
    this.unlockedCheckPassed = true;
    return true;
  }
}

function describeLocation(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return 'Secret Service (default collection)';
    case 'darwin':
      return 'macOS Keychain';
    case 'win32':
      return 'Windows Credential Manager';
    default:
      return 'OS keychain';
  }
}

function parseItem(stored: string, profile: string, service: string): LongTermKeys {
  let item: unknown;
  try {
    item = JSON.parse(stored);
  } catch {
    item = undefined;
  }
  if (
    typeof item === 'object' &&
    item !== null &&
    (item as StoredItemV1).v === 1 &&
    typeof (item as StoredItemV1).accessKeyId === 'string' &&
    typeof (item as StoredItemV1).secretAccessKey === 'string'
  ) {
    const { accessKeyId, secretAccessKey } = item as StoredItemV1;
    return { accessKeyId, secretAccessKey };
  }
  // Deliberately no detail from the item: it may be a secret stored by another tool.
  throw new MfaLoginError('E_KEYCHAIN', `the keychain item for profile "${profile}" (service "${service}") is not in a format mfa-login understands`, {
    hint: `store the keys of profile "${profile}" again; a newer mfa-login may have written it`,
  });
}

/** Runs one keychain call and turns whatever it throws into a MfaLoginError. */
async function attempt<T>(call: () => T | Promise<T>, what: string, secrets: string[] = []): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw keychainError(e, what, secrets);
  }
}

const HINT_FILE_BACKEND = 'or store keys in an encrypted file instead with MFA_LOGIN_BACKEND=file';

/**
 * Maps @napi-rs/keyring's errors to one line a user can act on. The library only has
 * GenericFailure as an error code, so the texts are matched: libdbus (Entry) and zbus
 * (findCredentials) word the same failures differently, and both are covered.
 */
export function keychainError(error: unknown, what: string, secrets: string[] = []): MfaLoginError {
  if (error instanceof MfaLoginError) return error;
  const raw = errorMessage(error);
  const text = redact(raw, secrets);
  // A cause whose text held a secret must not travel on either (--debug prints causes).
  const cause = text === raw ? error : undefined;

  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to (socket|address)|Unable to autolaunch|No such file or directory.*bus|Connection refused/i.test(text)) {
    const address = process.env.DBUS_SESSION_BUS_ADDRESS;
    const where = address ? `at ${address} (cannot connect)` : '(DBUS_SESSION_BUS_ADDRESS is not set)';
    return new MfaLoginError('E_KEYCHAIN_NO_DBUS', `no D-Bus session bus ${where}: cannot reach the Secret Service to ${what}`, {
      hint: `run mfa-login inside a desktop session or under \`dbus-run-session\`, ${HINT_FILE_BACKEND}`,
      cause,
    });
  }
  if (/org\.freedesktop\.secrets was not provided|ServiceUnknown|NameHasNoOwner/i.test(text)) {
    return new MfaLoginError(
      'E_KEYCHAIN_NO_DAEMON',
      `no Secret Service on the D-Bus session bus (org.freedesktop.secrets was not provided): cannot ${what}`,
      {
        hint: `install gnome-keyring and start it unlocked (printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets), ${HINT_FILE_BACKEND}`,
        cause,
      },
    );
  }
  if (/prompt was dismissed|IsLocked|is locked|locked object/i.test(text)) {
    return new MfaLoginError('E_KEYCHAIN_LOCKED', `the Secret Service keyring is locked: cannot ${what}`, {
      hint: `unlock it (desktop: open "Passwords and Keys"; headless: printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --replace --unlock --components=secrets), ${HINT_FILE_BACKEND}`,
      cause,
    });
  }
  if (/no result found/i.test(text)) {
    // gnome-keyring started by D-Bus activation on a headless machine has no login collection,
    // and creating one needs a prompt nobody can answer.
    return new MfaLoginError('E_KEYCHAIN', `the Secret Service has no default keyring to hold keys: cannot ${what}`, {
      hint: `create and unlock one (headless: printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --replace --unlock --components=secrets), ${HINT_FILE_BACKEND}`,
      cause,
    });
  }
  return new MfaLoginError('E_KEYCHAIN', `OS keychain error: cannot ${what}: ${firstLine(text)}`, {
    hint: `retry; if it persists, ${HINT_FILE_BACKEND.replace(/^or /, '')}`,
    cause,
  });
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
