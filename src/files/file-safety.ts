import { promises as fs, type Stats } from 'node:fs';
import { MfaLoginError } from '../errors.js';

/**
 * What makes a file we are about to replace not ours to replace, and what makes a file holding
 * credentials too open. Replacing works by renaming a new file over the old one, which succeeds
 * whatever the old file's mode or owner: a file made read-only would silently become writable
 * again, and one owned by another user (root's, say) would become ours.
 */
export function whyNotReplaceable(file: string, st: Stats, uid: number | undefined = process.getuid?.()): string | undefined {
  if (uid !== undefined && st.uid !== uid) {
    return `it belongs to another user (uid ${st.uid}), and replacing it would make it yours (uid ${uid})`;
  }
  if ((st.mode & 0o200) === 0) {
    return `it is read-only (${octal(st.mode)}), and mfa-login will not undo that (chmod u+w ${file} to let it write)`;
  }
  return undefined;
}

/** Group or other users may read it. */
export function openToOthers(st: Stats): boolean {
  return (st.mode & 0o077) !== 0;
}

/** The warning for a credentials file others can read: one line, with the command that fixes it. */
export function tooOpenWarning(file: string, st: Stats): string {
  return `${file} is ${octal(st.mode)}: other users can read the sessions in it; fix it with: chmod 600 ${file}`;
}

/** The file's stat, undefined when it does not exist; a symlink is not followed. */
export async function lstatIfAny(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Before a code or a key is spent on it: refuses a credentials or config file that writing would
 * change behind the user's back (a symlink, a read-only file, another user's file), and returns
 * the warning to give when other users can read it.
 */
export async function checkBeforeWriting(file: string): Promise<string | undefined> {
  const st = await lstatIfAny(file).catch(() => undefined);
  if (st === undefined) return undefined;
  if (st.isSymbolicLink()) {
    throw new MfaLoginError('E_FILE', `cannot write ${file}: it is a symbolic link (edit the file it points to, or replace the link with the file); nothing was changed`);
  }
  const why = whyNotReplaceable(file, st);
  if (why !== undefined) throw new MfaLoginError('E_FILE', `cannot write ${file}: ${why}; nothing was changed`);
  return openToOthers(st) ? tooOpenWarning(file, st) : undefined;
}
