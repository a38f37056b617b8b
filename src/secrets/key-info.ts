/**
 * What mfa-login remembers about each stored key that is not secret: its access key id and
 * IAM's CreateDate (so `status` can show a key's age without asking AWS, which under the MFA
 * policy would take a code), where an interrupted `rotate` stopped, and which store holds the
 * profile's keys (so that a shell or an IDE without MFA_LOGIN_BACKEND finds them: key-stores.ts).
 *
 * A small JSON file of its own (settings.keys.infoFile, 0600) rather than a field beside the keys
 * in the key store: the age must be readable without unlocking the keychain or the key file, and
 * the two backends keep the same secret format. Nothing here grants anything.
 */
import type { FileAccess } from '../files/edit-file.js';
import type { Settings } from '../settings.js';

export interface KeyInfo {
  accessKeyId: string;
  /** IAM's CreateDate, RFC 3339. */
  created: string;
}

/** Where a `rotate` is, written before each step so that an interruption can be explained. */
export interface Rotation {
  /** `creating`: asked IAM for a new key; `created`: have it, not stored; `stored`: stored, old key not yet deleted. */
  stage: 'creating' | 'created' | 'stored';
  oldKeyId: string;
  newKeyId?: string;
  /** The IAM user the keys belong to, for a hint that deletes one (IAM wants it named). */
  userName?: string;
  started: string;
}

/** Which store holds a profile's keys: the OS keychain, or the encrypted key file at `file`. */
export type KeyPlace = { backend: 'keychain' } | { backend: 'file'; file: string };

export interface KeyInfoFile {
  keys: Record<string, KeyInfo>;
  rotations: Record<string, Rotation>;
  stores: Record<string, KeyPlace>;
}

export function parseKeyInfo(text: string | undefined): KeyInfoFile {
  const out: KeyInfoFile = { keys: Object.create(null), rotations: Object.create(null), stores: Object.create(null) };
  if (text === undefined) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out; // a torn or hand-edited file only costs the ages, shown as unknown
  }
  const obj = raw as { keys?: Record<string, unknown>; rotations?: Record<string, unknown>; stores?: Record<string, unknown> };
  for (const [name, v] of Object.entries(obj?.keys ?? {})) {
    const k = v as KeyInfo;
    if (typeof k?.accessKeyId === 'string' && typeof k.created === 'string' && !Number.isNaN(Date.parse(k.created))) out.keys[name] = { accessKeyId: k.accessKeyId, created: k.created };
  }
  for (const [name, v] of Object.entries(obj?.rotations ?? {})) {
    const r = v as Rotation;
    if (typeof r?.oldKeyId === 'string' && ['creating', 'created', 'stored'].includes(r.stage)) out.rotations[name] = r;
  }
  for (const [name, v] of Object.entries(obj?.stores ?? {})) {
    const place = v as { backend?: unknown; file?: unknown } | null;
    if (place?.backend === 'keychain') out.stores[name] = { backend: 'keychain' };
    // Only an absolute path: a relative one would name another file from every directory.
    else if (place?.backend === 'file' && typeof place.file === 'string' && /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(place.file)) out.stores[name] = { backend: 'file', file: place.file };
  }
  return out;
}

export async function readKeyInfo(deps: Pick<FileAccess, 'readFile'> & { settings: Settings }): Promise<KeyInfoFile> {
  return parseKeyInfo(await deps.readFile(deps.settings.keys.infoFile));
}

/** Reads, changes and replaces the file (atomically, 0600), under its lock: add, rotate and remove may change it at once. */
export async function updateKeyInfo(deps: Pick<FileAccess, 'editFile'> & { settings: Settings }, change: (info: KeyInfoFile) => void): Promise<void> {
  await deps.editFile(
    deps.settings.keys.infoFile,
    (text) => {
      const info = parseKeyInfo(text);
      change(info);
      return `${JSON.stringify(info, null, 2)}\n`;
    },
    { mode: 0o600 },
  );
}

/** Whole days from `created` to `now`. */
export function ageInDays(created: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 86_400_000));
}
