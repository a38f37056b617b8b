import { lstatSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { MfaLoginError } from '../errors.js';

/** statfs f_type of the RAM-backed filesystems Linux has (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

export interface PrivateDirOptions {
  /** Create it (0700) when it does not exist; otherwise a missing directory is reported as undefined. */
  create: boolean;
  /** It must be on a RAM-backed filesystem: the runtime mode's promise that nothing reaches the disk. */
  ram: boolean;
  uid: number | undefined;
  /** This user's primary group: a parent only it may write to is as good as the user's own. */
  gid?: number | undefined;
}

/**
 * Where sessions can go while a directory is refused: the agent's socket and the runtime mode's
 * directory share $XDG_RUNTIME_DIR/mfa-login, so another mode alone may meet the same directory.
 */
const ELSEWHERE = 'export MFA_LOGIN_CACHE=file MFA_LOGIN_CACHE_DIR="$HOME/.cache/mfa-login-private"';

/**
 * Checks a directory before anything in it is read or written: not a symbolic link, owned by this
 * user, mode 0700 (nobody else can list, plant or swap entries), and for the runtime mode on tmpfs.
 * Returns true when it is fit, false when it does not exist and `create` is off; anything else is
 * refused with one line naming the directory and what is wrong (exit 8), never worked around.
 * Synchronous: the cached path calls it too.
 */
export function checkPrivateDir(dir: string, options: PrivateDirOptions): boolean {
  let st = lstatOrUndefined(dir);
  if (st === undefined) {
    if (!options.create) return false;
    try {
      mkdirSync(parentOf(dir), { recursive: true, mode: 0o700 });
      checkParent(dir, options.uid, options.gid ?? process.getgid?.()); // before anything of ours goes there
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if (e instanceof MfaLoginError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refused(dir, `cannot be created (${(e as Error).message})`, `create it by hand: mkdir -m 700 ${dir}`);
    }
    st = lstatOrUndefined(dir);
    if (st === undefined) throw refused(dir, 'vanished as it was created', 'run the command again');
  }
  // Whose it is comes first: only its owner can remove it from a sticky /dev/shm or /tmp, so a
  // link or a file someone else put there is theirs to remove, not the user's.
  if (options.uid !== undefined && st.uid !== options.uid) {
    throw refused(dir, `belongs to user id ${st.uid}, not to you (${options.uid})`, `someone else made it: have it removed (as root: rm -r ${dir}), or meanwhile keep sessions in a directory of yours: ${ELSEWHERE}`, true);
  }
  if (st.isSymbolicLink()) throw refused(dir, 'is a symbolic link', `remove the link (rm ${dir}); mfa-login creates the directory itself`);
  if (!st.isDirectory()) throw refused(dir, 'is not a directory', `remove it (rm ${dir}); mfa-login creates the directory itself`);
  // Windows has no uid and no mode bits to speak of: its profile directories are private by ACL.
  if (options.uid !== undefined && (st.mode & 0o077) !== 0) throw refused(dir, `is open to other users (mode ${(st.mode & 0o777).toString(8)})`, `if nobody else has used it: chmod 700 ${dir}`);
  checkParent(dir, options.uid, options.gid ?? process.getgid?.());
  if (options.ram && !onRam(dir)) throw refused(dir, 'is not on a RAM-backed filesystem (tmpfs), so sessions would reach the disk', 'point XDG_RUNTIME_DIR at a tmpfs directory of yours, or use MFA_LOGIN_CACHE=file');
  return true;
}

/**
 * Whoever can rename entries in the parent can swap the checked directory for one of theirs
 * between the check and the use. So the parent must be this user's or root's, and if everyone may
 * write to it, sticky (like /tmp and /dev/shm: only an entry's owner can rename it). A shared or
 * foreign $XDG_RUNTIME_DIR fails here.
 */
function checkParent(dir: string, uid: number | undefined, gid: number | undefined): void {
  if (uid === undefined) return;
  const parent = parentOf(dir);
  let st;
  try {
    st = statSync(parent);
  } catch (e) {
    throw refused(dir, `has a parent that cannot be examined (${(e as Error).message})`, 'check its permissions');
  }
  if (st.uid !== uid && st.uid !== 0) throw refused(dir, `is inside ${parent}, which belongs to user id ${st.uid}: they could swap it for their own`, 'point XDG_RUNTIME_DIR (or MFA_LOGIN_CACHE_DIR) at a directory of yours');
  const sticky = (st.mode & 0o1000) !== 0;
  // A group the user shares with others counts as others; the user's own primary group (one
  // member, where every user has a group of their own) does not.
  const othersWrite = (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== gid);
  if (othersWrite && !sticky) throw refused(dir, `is inside ${parent}, which other users can write to: they could swap it for their own`, `make it yours alone (chmod 700 ${parent}), or point XDG_RUNTIME_DIR at a directory of yours`);
}

/**
 * The directory `dir` is in, as node:path's dirname gives it (which the cached path would load for
 * this alone). On Windows `\\` separates too, and a root (`C:\\`, `\\\\server\\share\\`) is its own parent.
 */
export function parentOf(dir: string, os: NodeJS.Platform = process.platform): string {
  const win = os === 'win32';
  const isSep = (i: number) => dir[i] === '/' || (win && dir[i] === '\\');
  const root = win ? windowsRootLength(dir, isSep) : isSep(0) ? 1 : 0;
  let end = dir.length;
  while (end > root && isSep(end - 1)) end--;
  let cut = end - 1;
  while (cut >= root && !isSep(cut)) cut--;
  if (cut < root) return root > 0 ? dir.slice(0, root) : '.';
  return dir.slice(0, Math.max(cut, root));
}

/** How long the root of a Windows path is: `C:\\` 3, `C:` 2, `\\\\server\\share\\` up to its separator, `\\` 1. */
function windowsRootLength(dir: string, isSep: (i: number) => boolean): number {
  const letter = dir.charCodeAt(0) | 0x20;
  if (letter >= 0x61 && letter <= 0x7a && dir[1] === ':') return isSep(2) ? 3 : 2;
  if (!isSep(0)) return 0;
  if (!isSep(1)) return 1;
  let i = 2;
  while (i < dir.length && !isSep(i)) i++;
  if (i === 2 || i === dir.length) return 1;
  let j = i + 1;
  while (j < dir.length && !isSep(j)) j++;
  if (j === i + 1) return 1;
  return j < dir.length ? j + 1 : j;
}

/** Whether `dir` is on tmpfs or ramfs. */
export function onRam(dir: string): boolean {
  try {
    const type = statfsSync(dir).type;
    return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refused(p, `cannot be examined (${(e as Error).message})`, 'check its permissions');
  }
}

/**
 * A session directory mfa-login will not use (exit 8). One that is `foreign` (it, or the link in
 * its place, belongs to another user) never held anything of this user's; any other (open to
 * others, say) may hold sessions written before it changed.
 */
export class DirectoryRefused extends MfaLoginError {
  constructor(message: string, hint: string, readonly foreign: boolean) {
    super('E_CACHE', message, { hint });
  }
}

function refused(dir: string, what: string, hint: string, foreign = false): MfaLoginError {
  return new DirectoryRefused(`the session directory ${dir} ${what}; refusing to use it`, hint, foreign);
}
