import { promises as fs } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { LongTermKeys } from '../credentials.js';
import { MfaLoginError } from '../errors.js';
import { editFile } from '../files/edit-file.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../settings.js';
import type { SecretStore } from './store.js';

/**
 * File layout (text, two lines):
 *
 *   {"format":"mfa-login-keys","version":1,"kdf":"scrypt","N":32768,"r":8,"p":1,"salt":"…","cipher":"aes-256-gcm","iv":"…"}
 *   <base64 of ciphertext followed by the 16-byte GCM tag>
 *
 * The header line, byte for byte, is the GCM additional data: editing the scrypt parameters or
 * the IV fails authentication like a wrong passphrase would. The plaintext is
 * `{"profiles":{"<name>":{"accessKeyId":"…","secretAccessKey":"…"}}}`, so not even the profile
 * names are readable without the passphrase.
 */
const FORMAT = 'mfa-login-keys';
const VERSION = 1;

/** 2^15 costs about 0.1 s and 32 MiB: noticeable once per command, expensive for a guesser. */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 };
/**
 * What a header may ask for: near what we write (N one step either side, r = 8, p up to 2), so a
 * crafted or damaged header costs at most four times our own derivation and 64 MiB before it is
 * called damaged, instead of minutes and gigabytes (N = 2^22) or a crash (N = 2).
 */
const MIN_N = 2 ** 14;
const MAX_N = 2 ** 16;
const ALLOWED_R = 8;
const MAX_P = 2;

interface Header {
  format: typeof FORMAT;
  version: typeof VERSION;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: 'aes-256-gcm';
  iv: string;
}

export interface PassphraseRequest {
  /** The file the passphrase is for. */
  file: string;
  /** True when the file does not exist yet: the passphrase chosen now protects it from here on. */
  creating: boolean;
  /** True for the second time a new passphrase is asked, to confirm it. */
  repeat?: boolean;
  /** Why the passphrase is asked again ("The two passphrases differ."), to say before asking. */
  problem?: string;
}

export interface EncryptedFileStoreOptions {
  /** Asked at most once per store (the answer is kept in memory), and only when the file must be read or written. */
  passphrase: (request: PassphraseRequest) => Promise<string>;
  /**
   * How many times a passphrase is asked before a wrong, empty or mistyped one is an error: 3 when
   * a person types it, 1 (the default) when it comes from MFA_LOGIN_FILE_PASSPHRASE.
   */
  attempts?: number;
  /** The key file: settings.keyFile, which settings.ts derives from the environment. */
  file: string;
  /** How long a change waits for another process's change to the file (MFA_LOGIN_LOCK_TIMEOUT). */
  lockWaitMs?: number;
}

type Profiles = Map<string, LongTermKeys>;

interface Opened {
  profiles: Profiles;
  /** The key and salt in use, so a rewrite does not pay for scrypt again. */
  key: Buffer;
  header: Pick<Header, 'N' | 'r' | 'p' | 'salt'>;
}

/**
 * All profiles' long-term keys in one file, encrypted with AES-256-GCM under a key derived from a
 * passphrase by scrypt. For machines without a usable OS keychain (MFA_LOGIN_BACKEND=file).
 *
 * Changes hold the file's lock (`keys.enc.lock`) from read to rename, so processes storing or
 * removing keys at the same moment keep each other's change; the file itself is never torn.
 */
export class EncryptedFileStore implements SecretStore {
  readonly backend = 'file' as const;
  readonly location: string;
  readonly file: string;
  private readonly askPassphrase: (request: PassphraseRequest) => Promise<string>;
  private readonly lockWaitMs: number;
  private readonly attempts: number;
  private passphrase: Promise<string> | undefined;
  private readonly keys = new Map<string, Buffer>();
  /** Operations run one at a time so that two set() calls in one process cannot drop each other's change. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: EncryptedFileStoreOptions) {
    this.file = options.file;
    this.location = this.file;
    this.askPassphrase = options.passphrase;
    this.lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_TIMEOUT_SECONDS * 1000;
    this.attempts = Math.max(1, options.attempts ?? 1);
  }

  /**
   * Unlocks the file now: asks for its passphrase (a new one, twice, when there is no file yet),
   * so that a wrong or mistyped passphrase is found, and asked again, before anything else is
   * typed or sent. Nothing is written.
   */
  ready(): Promise<void> {
    return this.serialize(async () => {
      if ((await this.read()) === undefined) await this.getPassphrase(true);
    });
  }

  /** Whether the key file exists (an unreadable one is an error, not "no"). */
  async exists(): Promise<boolean> {
    return (await this.readText()) !== undefined;
  }

  get(profile: string): Promise<LongTermKeys | undefined> {
    return this.serialize(async () => {
      const opened = await this.read();
      return opened?.profiles.get(profile);
    });
  }

  set(profile: string, keys: LongTermKeys): Promise<void> {
    return this.serialize(async () => {
      // The passphrase is asked (and the key derived) before the lock: a person typing must not
      // hold up other writers. Under the lock the file is read again, cheaply, and changed.
      if ((await this.read()) === undefined) await this.getPassphrase(true);
      await this.edit(async (opened) => {
        const next = opened ?? (await this.create());
        next.profiles.set(profile, { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
        return next;
      });
    });
  }

  remove(profile: string): Promise<boolean> {
    return this.serialize(async () => {
      if (!(await this.read())?.profiles.has(profile)) return false;
      return this.edit(async (opened) => (opened?.profiles.delete(profile) ? opened : undefined));
    });
  }

  /**
   * Every change of the file, through the one locked read-modify-write (edit-file.ts): read and
   * decrypted under the lock, changed, sealed with a fresh IV and replaced before the lock goes.
   * `change` returns undefined to leave the file as it is.
   */
  private edit(change: (opened: Opened | undefined) => Promise<Opened | undefined>): Promise<boolean> {
    return editFile(
      this.file,
      async (text) => {
        const next = await change(text === undefined ? undefined : await this.open(text));
        return next === undefined ? undefined : this.seal(next);
      },
      { waitMs: this.lockWaitMs, read: () => this.readText(), mode: 0o600, dirMode: 0o700 },
    );
  }

  list(): Promise<string[]> {
    return this.serialize(async () => {
      const opened = await this.read();
      return opened ? [...opened.profiles.keys()].sort() : [];
    });
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private getPassphrase(creating: boolean, problem?: string): Promise<string> {
    if (this.passphrase === undefined) {
      const asked = this.choosePassphrase(creating, problem);
      this.passphrase = asked;
      // A failed prompt (no terminal, Ctrl-C) must not stick: the next call may ask again.
      asked.catch(() => {
        if (this.passphrase === asked) this.passphrase = undefined;
      });
    }
    return this.passphrase;
  }

  /**
   * A passphrase from the person (or MFA_LOGIN_FILE_PASSPHRASE). An empty one, and a new one typed
   * differently the second time, are asked again: what was typed before it (keys pasted at the
   * terminal) is kept.
   */
  private async choosePassphrase(creating: boolean, problem: string | undefined): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.attempts;
      const p = await this.askPassphrase({ file: this.file, creating, ...(problem !== undefined ? { problem } : {}) });
      if (p === '') {
        if (last) {
          throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', `empty passphrase for ${this.file}`, {
            hint: 'choose a non-empty passphrase (or set MFA_LOGIN_FILE_PASSPHRASE)',
          });
        }
        problem = 'The passphrase cannot be empty.';
        continue;
      }
      if (!creating) return p;
      // A typo in a new passphrase would lock the keys away for good: it is typed twice.
      if ((await this.askPassphrase({ file: this.file, creating, repeat: true })) === p) return p;
      if (last) {
        throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', `the two passphrases typed for the new ${this.file} differ; nothing was stored`, {
          hint: 'run the command again and type the same passphrase twice',
        });
      }
      problem = 'The two passphrases differ.';
    }
  }

  private async deriveKey(passphrase: string, cost: { N: number; r: number; p: number }, salt: string): Promise<Buffer> {
    const id = `${cost.N}:${cost.r}:${cost.p}:${salt}`;
    const cached = this.keys.get(id);
    if (cached) return cached;
    const key = await scrypt(passphrase, Buffer.from(salt, 'base64'), 32, {
      ...cost,
      // Node refuses by default once 128*N*r reaches 32 MiB, which is exactly where N=2^15, r=8 lands.
      maxmem: 256 * cost.N * cost.r,
    }).catch((e: unknown) => {
      throw this.damaged(`scrypt refused its parameters: ${(e as Error).message}`);
    });
    this.keys.set(id, key);
    return key;
  }

  private async create(): Promise<Opened> {
    const salt = randomBytes(16).toString('base64');
    const key = await this.deriveKey(await this.getPassphrase(true), DEFAULT_COST, salt);
    return { profiles: new Map(), key, header: { ...DEFAULT_COST, salt } };
  }

  /** undefined when there is no file: nothing stored yet, and no passphrase asked for. */
  private async read(): Promise<Opened | undefined> {
    const text = await this.readText();
    return text === undefined ? undefined : this.open(text);
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const code = (e as NodeJS.ErrnoException).code;
      throw new MfaLoginError('E_KEYCHAIN', `cannot read the key file ${this.file}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`, {
        hint: code === 'EISDIR' ? 'MFA_LOGIN_FILE_STORE names the key file itself (created on first add), not a directory' : 'check its permissions (ls -l), or point MFA_LOGIN_FILE_STORE at another file',
        cause: e,
      });
    }
  }

  /** Decrypts the file's text (asking for the passphrase when it is not known yet). */
  private async open(text: string): Promise<Opened> {
    const newline = text.indexOf('\n');
    const headerLine = newline < 0 ? text : text.slice(0, newline);
    const header = this.parseHeader(headerLine);
    const sealed = Buffer.from(text.slice(newline + 1).trim(), 'base64');
    const iv = Buffer.from(header.iv, 'base64');
    if (sealed.length < 16 || iv.length !== 12) throw this.cannotDecrypt();

    let problem: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const key = await this.deriveKey(await this.getPassphrase(false, problem), header, header.salt);
      let plaintext: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(headerLine, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
      } catch (e) {
        if (attempt >= this.attempts) throw this.cannotDecrypt(e);
        // A mistyped passphrase: forgotten, with the key derived from it, and asked again.
        this.passphrase = undefined;
        this.keys.clear();
        problem = 'That passphrase does not open the file.';
        continue;
      }
      return { profiles: this.parsePayload(plaintext), key, header };
    }
  }

  /** The file's text for `opened`. */
  private seal(opened: Opened): string {
    // A fresh IV for every write: GCM with a repeated (key, IV) pair leaks the plaintexts' XOR.
    const header: Header = {
      format: FORMAT,
      version: VERSION,
      kdf: 'scrypt',
      N: opened.header.N,
      r: opened.header.r,
      p: opened.header.p,
      salt: opened.header.salt,
      cipher: 'aes-256-gcm',
      iv: randomBytes(12).toString('base64'),
    };
    const headerLine = JSON.stringify(header);
    const payload = JSON.stringify({ profiles: Object.fromEntries(opened.profiles) });
    const cipher = createCipheriv('aes-256-gcm', opened.key, Buffer.from(header.iv, 'base64'));
    cipher.setAAD(Buffer.from(headerLine, 'utf8'));
    const sealed = Buffer.concat([cipher.update(payload, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${headerLine}\n${sealed.toString('base64')}\n`;
  }

  private parseHeader(line: string): Header {
    let h: Partial<Header> & { format?: unknown; version?: unknown };
    try {
      h = JSON.parse(line) as typeof h;
    } catch {
      throw this.notOurs();
    }
    if (typeof h !== 'object' || h === null || h.format !== FORMAT) throw this.notOurs();
    if (h.version !== VERSION) {
      throw new MfaLoginError('E_FILE', `${this.file} has key file format version ${String(h.version)}, this mfa-login reads version ${VERSION}`, {
        hint: 'upgrade mfa-login',
      });
    }
    const validCost =
      h.kdf === 'scrypt' &&
      Number.isInteger(h.N) && h.N! >= MIN_N && h.N! <= MAX_N && (h.N! & (h.N! - 1)) === 0 &&
      h.r === ALLOWED_R &&
      Number.isInteger(h.p) && h.p! >= 1 && h.p! <= MAX_P;
    if (!validCost) {
      // Checked before the passphrase is asked or scrypt runs.
      throw this.damaged(`its scrypt parameters (N=${String(h.N)}, r=${String(h.r)}, p=${String(h.p)}) are not ones mfa-login writes`);
    }
    if (h.cipher !== 'aes-256-gcm' || typeof h.salt !== 'string' || typeof h.iv !== 'string') {
      throw this.cannotDecrypt();
    }
    return h as Header;
  }

  private parsePayload(plaintext: string): Profiles {
    const profiles: Profiles = new Map();
    let data: unknown;
    try {
      data = JSON.parse(plaintext);
    } catch {
      throw this.cannotDecrypt();
    }
    const record = (data as { profiles?: unknown } | null)?.profiles;
    if (typeof record !== 'object' || record === null) throw this.cannotDecrypt();
    // JSON.parse makes "__proto__" an own key, and a Map keeps it as plain data.
    for (const [name, keys] of Object.entries(record)) {
      const k = keys as Partial<LongTermKeys> | null;
      if (typeof k?.accessKeyId !== 'string' || typeof k.secretAccessKey !== 'string') throw this.cannotDecrypt();
      profiles.set(name, { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey });
    }
    return profiles;
  }

  private cannotDecrypt(cause?: unknown): MfaLoginError {
    return new MfaLoginError('E_FILE_STORE_PASSPHRASE', `cannot decrypt ${this.file}: wrong passphrase or damaged file`, {
      hint: 'enter the passphrase the file was created with (MFA_LOGIN_FILE_PASSPHRASE, when set, is used without asking)',
      cause,
    });
  }

  private damaged(why: string): MfaLoginError {
    return new MfaLoginError('E_FILE_STORE_PASSPHRASE', `cannot decrypt ${this.file}: damaged file (${why})`, {
      hint: 'restore the file from a backup, or move it away and store the keys again with: mfa-login add PROFILE',
    });
  }

  private notOurs(): MfaLoginError {
    return new MfaLoginError('E_FILE', `${this.file} is not an mfa-login key file`, {
      hint: 'point MFA_LOGIN_FILE_STORE at the key file, or move this file away',
    });
  }
}

function scrypt(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
