import type { FileAccess } from '../files/edit-file.js';
import type { LongTermKeys } from '../credentials.js';
import { MfaLoginError } from '../errors.js';
import type { Settings } from '../settings.js';
import { readKeyInfo, updateKeyInfo, type KeyPlace } from './key-info.js';
import type { KeyInventory, KeyStores, SecretStore, StorePlace } from './store.js';

/** A key file store: a SecretStore that can also say whether its file exists. */
export type KeyFileStore = SecretStore & { exists(): Promise<boolean> };

export interface KeyStoresOptions {
  settings: Pick<Settings, 'backend' | 'backendChosen' | 'keyFile'>;
  /** Where the record of each profile's store is kept (keys.json, beside the key ages). */
  io: FileAccess & { settings: Settings };
  keychain: () => SecretStore;
  keyFile: (file: string) => KeyFileStore;
  /** A line for stderr: what went wrong around keys that were stored all the same. */
  warn: (line: string) => void;
  debug?: (line: string) => void;
}

/** Where each profile's keys are, as keys.json records it. */
type PlaceRecord = Record<string, KeyPlace>;

/**
 * Every profile's keys, each in the store that holds it. MFA_LOGIN_BACKEND says where keys are
 * stored; where they went is recorded (key-info.ts, not secret), so that a shell, an IDE or a
 * credential_process run without that variable reads them from the key file, and never fails on
 * a keychain they are not in.
 *
 * A store the record names is known whole: whenever one is written or found holding keys, every
 * profile in it is recorded. A profile recorded nowhere is looked for in the store
 * MFA_LOGIN_BACKEND names, then in a store the record has never named (keys stored before there
 * was a record), and recorded once found.
 *
 * Keys stored again (`rotate`, `add` again) stay where they are, unless MFA_LOGIN_BACKEND names
 * another store: then they move there, and the old copy is removed.
 */
export class RecordedKeyStores implements KeyStores {
  private keychainStore: SecretStore | undefined;
  private readonly fileStores = new Map<string, KeyFileStore>();
  private last: KeyPlace | undefined;

  constructor(private readonly options: KeyStoresOptions) {}

  get backend(): 'keychain' | 'file' {
    return (this.last ?? this.chosen()).backend;
  }

  get location(): string {
    return this.describe(this.last ?? this.chosen()).location;
  }

  async get(profile: string): Promise<LongTermKeys | undefined> {
    const record = await this.record();
    const recorded = record[profile];
    if (recorded !== undefined) {
      this.last = recorded;
      return this.store(recorded).get(profile);
    }
    const found = await this.search(profile, record, (s) => s.get(profile), (keys) => keys !== undefined, undefined);
    if (found !== undefined) await this.remember(profile, this.last!);
    return found;
  }

  async set(profile: string, keys: LongTermKeys): Promise<void> {
    const was = (await this.record())[profile];
    const place = await this.placeFor(profile);
    await this.store(place).set(profile, keys);
    this.last = place;
    await this.remember(profile, place);
    if (was === undefined || same(was, place)) return;
    // Moved: keys left in the old store would be a second copy, and the one `remove` forgets.
    try {
      await this.store(was).remove(profile);
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      this.options.warn(`the keys of ${profile} are now in ${this.describe(place).location}, but their old copy in ${this.describe(was).location} could not be removed: ${e.message}`);
    }
  }

  async remove(profile: string): Promise<boolean> {
    const record = await this.record();
    const recorded = record[profile];
    if (recorded === undefined) return this.search(profile, record, (s) => s.remove(profile), (gone) => gone, false);
    this.last = recorded;
    const removed = await this.store(recorded).remove(profile);
    await this.note(profile, undefined);
    return removed;
  }

  async list(): Promise<string[]> {
    const found = await this.inventory();
    const problem = found.unreadable[0]?.problem;
    if (problem !== undefined) throw problem;
    return [...found.profiles.keys()].sort();
  }

  async ready(profile: string): Promise<void> {
    const place = await this.placeFor(profile);
    this.last = place;
    try {
      await this.store(place).ready();
    } catch (e) {
      throw this.withOtherKeys(e, place, await this.record());
    }
  }

  async inventory(): Promise<KeyInventory> {
    const record = await this.record();
    const { needed, unnamed } = await this.inUse(record);
    const profiles = new Map<string, StorePlace>();
    const unreadable: KeyInventory['unreadable'] = [];
    // Besides the stores in use, a key file the record has never named, when it exists (keys
    // stored in it before there was a record). Not a keychain: listing one the user does not use
    // would show whatever else is filed under the service, and could ask to unlock it.
    const inCase = unnamed.filter((p) => p.backend === 'file');
    for (const place of unique([...needed, ...inCase])) {
      const inUse = needed.some((n) => same(n, place));
      let names: string[];
      try {
        if (!inUse && !(await this.fileStore(place).exists())) continue;
        names = await this.store(place).list();
      } catch (e) {
        if (!(e instanceof MfaLoginError)) throw e;
        unreadable.push({ ...this.describe(place), problem: e });
        continue;
      }
      for (const name of names) {
        // Where the record puts it wins: that is the store get() reads.
        const at = record[name];
        if (!profiles.has(name) && (at === undefined || same(at, place))) profiles.set(name, this.describe(place));
      }
    }
    const recorded = new Map(Object.entries(record).map(([name, place]) => [name, this.describe(place)] as const));
    return { profiles, unreadable, recorded, newKeys: this.describe(this.chosen()) };
  }

  /** Where set() puts a profile's keys: where MFA_LOGIN_BACKEND says when it is set, else where they are (the keychain for new ones). */
  private async placeFor(profile: string): Promise<KeyPlace> {
    if (this.options.settings.backendChosen) return this.chosen();
    return (await this.record())[profile] ?? this.chosen();
  }

  /**
   * For a profile the record does not name: `op` on the store MFA_LOGIN_BACKEND names, then on
   * the stores the record has never named (the key file only when it exists), until `hit`. A
   * failure of a store not in use (inUse) is no news: the keychain failing (no D-Bus) says nothing
   * about keys kept in a file. When nothing is found and no store in use answered, a failure is
   * thrown, the key file's first (its existence shows it is in use). `last` is then the store the
   * keys were found in, or the one that says they are not there.
   */
  private async search<T>(profile: string, record: PlaceRecord, op: (s: SecretStore) => Promise<T>, hit: (value: T) => boolean, miss: T): Promise<T> {
    const chosen = this.chosen();
    const { needed, unnamed } = await this.inUse(record);
    const problems: Array<{ place: KeyPlace; error: MfaLoginError }> = [];
    const answered: KeyPlace[] = [];
    for (const place of unique([chosen, ...unnamed])) {
      const inUse = needed.some((n) => same(n, place));
      try {
        if (!inUse && place.backend === 'file' && !(await this.fileStore(place).exists())) continue;
        const value = await op(this.store(place));
        if (hit(value)) {
          this.last = place;
          return value;
        }
        answered.push(place);
      } catch (e) {
        if (!(e instanceof MfaLoginError)) throw e;
        if (!inUse && place.backend === 'keychain') {
          this.options.debug?.(`the keychain was not searched for ${profile}: ${e.message}`);
          continue;
        }
        problems.push({ place, error: e });
      }
    }
    const problem = problems.find((p) => p.place.backend === 'file') ?? problems[0];
    if (problem !== undefined && !answered.some((a) => needed.some((n) => same(n, a)))) {
      this.last = problem.place;
      throw problem.error;
    }
    this.last = answered[0] ?? needed[0] ?? chosen;
    return miss;
  }

  /**
   * The stores in use, whose failure matters: those the record names, and the one
   * MFA_LOGIN_BACKEND names; with neither, the key file when it exists, else the keychain.
   * `unnamed`: the stores the record has never named, which may hold keys from before it.
   */
  private async inUse(record: PlaceRecord): Promise<{ needed: KeyPlace[]; unnamed: KeyPlace[] }> {
    const chosen = this.chosen();
    const keyFile = this.fileAt(this.options.settings.keyFile);
    const named = unique(Object.values(record));
    let needed: KeyPlace[];
    if (this.options.settings.backendChosen) needed = unique([chosen, ...named]);
    else if (named.length > 0) needed = named;
    // An unreadable key file (a directory, no permission) is one in use: its error is shown.
    else needed = [(await this.fileStore(keyFile).exists().catch(() => true)) ? keyFile : chosen];
    const unnamed = unique([keyFile, { backend: 'keychain' }]).filter((p) => !named.some((n) => same(n, p)));
    return { needed, unnamed };
  }

  /**
   * Records the store a profile's keys are in, and every other profile the store holds that the
   * record does not place yet: a store the record names is then known whole.
   */
  private async remember(profile: string, place: KeyPlace): Promise<void> {
    let others: string[] = [];
    try {
      others = await this.store(place).list();
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      this.options.debug?.(`the other profiles in ${this.describe(place).location} are not recorded: ${e.message}`);
    }
    await this.note(profile, place, others);
  }

  /** Records (or, with undefined, forgets) where a profile's keys are; the keys are stored whatever happens here. */
  private async note(profile: string, place: KeyPlace | undefined, others: string[] = []): Promise<void> {
    try {
      await updateKeyInfo(this.options.io, (info) => {
        if (place === undefined) {
          delete info.stores[profile];
          return;
        }
        for (const name of others) if (!Object.hasOwn(info.stores, name)) info.stores[name] = place;
        info.stores[profile] = place;
      });
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      if (place !== undefined) this.options.warn(`where the keys of ${profile} are is not remembered (${e.message}); without MFA_LOGIN_BACKEND=${place.backend} they may not be found`);
      else this.options.warn(`the record of where the keys of ${profile} were is left behind: ${e.message}`);
    }
  }

  /**
   * A keychain that cannot take new keys, said together with where the other keys are when they
   * are in a key file: the keychain's own hint only says that a key file is an option.
   */
  private withOtherKeys(e: unknown, place: KeyPlace, record: PlaceRecord): unknown {
    if (!(e instanceof MfaLoginError) || place.backend !== 'keychain') return e;
    const file = Object.values(record).find((p): p is Extract<KeyPlace, { backend: 'file' }> => p.backend === 'file');
    if (file === undefined) return e;
    const vars = file.file === this.options.settings.keyFile ? 'MFA_LOGIN_BACKEND=file' : `MFA_LOGIN_BACKEND=file MFA_LOGIN_FILE_STORE=${file.file}`;
    return new MfaLoginError(e.code, e.message, { hint: `the other keys are in the key file ${file.file}: store these there too by running the same command with ${vars} in front`, cause: e });
  }

  private async record(): Promise<PlaceRecord> {
    return (await readKeyInfo(this.options.io)).stores;
  }

  private chosen(): KeyPlace {
    return this.options.settings.backend === 'file' ? this.fileAt(this.options.settings.keyFile) : { backend: 'keychain' };
  }

  private fileAt(file: string): KeyPlace {
    return { backend: 'file', file };
  }

  private store(place: KeyPlace): SecretStore {
    return place.backend === 'keychain' ? (this.keychainStore ??= this.options.keychain()) : this.fileStore(place);
  }

  private fileStore(place: KeyPlace): KeyFileStore {
    if (place.backend !== 'file') throw new Error('not a key file');
    let s = this.fileStores.get(place.file);
    if (s === undefined) {
      s = this.options.keyFile(place.file);
      this.fileStores.set(place.file, s);
    }
    return s;
  }

  private describe(place: KeyPlace): StorePlace {
    return place.backend === 'file' ? { backend: 'file', location: place.file } : { backend: 'keychain', location: this.store(place).location };
  }
}

function same(a: KeyPlace, b: KeyPlace): boolean {
  return a.backend === b.backend && (a.backend === 'keychain' || a.file === (b as typeof a).file);
}

function unique(places: KeyPlace[]): KeyPlace[] {
  const out: KeyPlace[] = [];
  for (const p of places) if (!out.some((q) => same(p, q))) out.push(p);
  return out;
}
