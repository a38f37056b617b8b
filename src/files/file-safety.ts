import { promises as fs, constants, type Stats } from 'node:fs';
import path from 'node:path';
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

/**
 * The file a write of `file` replaces: `file` itself, or the file its symbolic link (or chain of
 * links) leads to, which need not exist yet.
 */
export async function writeTarget(file: string): Promise<string> {
  let p = file;
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = await fs.lstat(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return p;
      throw e;
    }
    if (!st.isSymbolicLink()) return p;
    p = path.resolve(path.dirname(p), await fs.readlink(p));
  }
  throw Object.assign(new Error(`${file} is a loop of symbolic links`), { code: 'ELOOP' });
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Before a code or a key is spent on it: refuses a credentials or config file that mfa-login could
 * not write, or whose writing would change it behind the user's back (a read-only file, another
 * user's file, a directory it cannot write in), and returns the warning to give when other users
 * can read it. A symbolic link is judged by the file it leads to, which is what gets written.
 */
export async function checkBeforeWriting(file: string): Promise<string | undefined> {
  const target = await writeTarget(file).catch((e: Error) => {
    throw new MfaLoginError('E_FILE', `cannot write ${file}: ${e.message}; nothing was changed`);
  });
  const shown = target === file ? file : `${file} (a link to ${target})`;
  const st = await lstatIfAny(target).catch(() => undefined);
  if (st !== undefined) {
    const why = whyNotReplaceable(target, st);
    if (why !== undefined) throw new MfaLoginError('E_FILE', `cannot write ${shown}: ${why}; nothing was changed`);
  }
  // The new file, its temporary file and its lock are all made in its directory.
  const dir = await nearestDirectory(path.dirname(target));
  if (dir !== undefined && !(await writable(dir))) {
    throw new MfaLoginError('E_FILE', `cannot write ${shown}: its directory ${dir} is not writable for you; nothing was changed`);
  }
  return st !== undefined && openToOthers(st) ? tooOpenWarning(file, st) : undefined;
}

/** `dir`, or its nearest ancestor that exists (the one a first write creates the rest in). */
async function nearestDirectory(dir: string): Promise<string | undefined> {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((await lstatIfAny(d).catch(() => undefined)) !== undefined) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

async function writable(dir: string): Promise<boolean> {
  try {
    await fs.access(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
