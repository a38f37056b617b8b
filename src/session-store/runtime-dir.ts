import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { MfaLoginError } from '../errors.js';
import { readOwnFile } from './own-file.js';
import { checkPrivateDir, parentOf } from './private-dir.js';

/**
 * The runtime directory's stand-in, for when another user holds its name. Without
 * XDG_RUNTIME_DIR the runtime sessions live in /dev/shm/mfa-login-<uid>, a name anyone can take
 * first in a directory anyone may write to (cron, ssh without logind, su, containers). Nothing in
 * the other user's directory is ever read; the sessions go to a directory of the user's own beside
 * it, /dev/shm/mfa-login-<uid>-<16 random hex digits>, still private and RAM-backed. Its name is
 * kept in a pointer file (RUNTIME_POINTER) in the file mode's directory (~/.cache/mfa-login), which
 * only the user can write and which is checked before it is read, so the cached path and every
 * later process find the same stand-in, and nothing another user plants leads anywhere. A name
 * another user takes in turn (after a reboot, say, having seen it listed) is replaced by a new one.
 */
export const RUNTIME_POINTER = 'runtime-dir';

/** What the pointer holds: the stand-in's suffix, 16 hex digits (nothing that could lead elsewhere). */
const SUFFIX_LENGTH = 16;

/**
 * The owner of `dir` when another user holds that name in a directory where anyone may create
 * names (world-writable, sticky: /dev/shm, /tmp); undefined otherwise (absent, the user's, or a
 * place only the user and root can write to, where the directory checks speak for themselves).
 */
export function squatter(dir: string, uid: number | undefined): number | undefined {
  if (uid === undefined) return undefined;
  try {
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (st === undefined || st.uid === uid) return undefined;
    return (statSync(parentOf(dir)).mode & 0o1002) === 0o1002 ? st.uid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For the cached path: the stand-in for a squatted `dir` that the pointer in `pointerDir` names,
 * or undefined (not squatted, no pointer, or a pointer that is not a private file of the user's).
 * Never creates anything. The caller checks the stand-in itself as it checks any session directory.
 */
export function standInFor(dir: string, pointerDir: string, uid: number | undefined): string | undefined {
  if (squatter(dir, uid) === undefined) return undefined;
  const suffix = pointedSuffix(pointerDir, uid);
  return suffix === undefined ? undefined : `${dir}-${suffix}`;
}

function pointedSuffix(pointerDir: string, uid: number | undefined): string | undefined {
  if (!checkPrivateDir(pointerDir, { create: false, ram: false, uid })) return undefined;
  const text = readOwnFile(`${pointerDir}/${RUNTIME_POINTER}`, uid, 64)?.trim();
  return text !== undefined && text.length === SUFFIX_LENGTH && /^[0-9a-f]+$/.test(text) ? text : undefined;
}

export interface RuntimeDirChoice {
  /** Where the runtime sessions are: `dir` itself, or the user's stand-in for it; undefined when there is none yet and `create` was off. */
  dir: string | undefined;
  /** Set when another user holds `dir`: whose it is. */
  squatter?: number;
}

/**
 * The full path's choice of the runtime directory: `dir`, or when another user holds that name,
 * the stand-in the pointer names, made (with the pointer) when there is none that is the user's
 * and `create` is on. Throws as checkPrivateDir does for a file mode's directory that is not fit
 * to hold the pointer.
 */
export function chooseRuntimeDir(dir: string, pointerDir: string, uid: number | undefined, create: boolean): RuntimeDirChoice {
  const owner = squatter(dir, uid);
  if (owner === undefined) return { dir };
  const pointed = pointedSuffix(pointerDir, uid);
  if (pointed !== undefined) {
    // Gone at a reboot, the stand-in is made again under the name the pointer keeps, if still free.
    const standIn = `${dir}-${pointed}`;
    if (create) madeDir(standIn, dir);
    if (lstatSync(standIn, { throwIfNoEntry: false })?.uid === uid) return { dir: standIn, squatter: owner };
  }
  if (!create) return { dir: undefined, squatter: owner };
  checkPrivateDir(pointerDir, { create: true, ram: false, uid });
  // A name someone else took meanwhile is passed over for another; three in a row is not chance.
  for (let attempt = 0; attempt < 3; attempt++) {
    const suffix = randomBytes(SUFFIX_LENGTH / 2).toString('hex');
    const standIn = `${dir}-${suffix}`;
    if (!madeDir(standIn, dir)) continue;
    const kept = keepPointer(pointerDir, uid, suffix, pointed === undefined);
    if (kept === suffix) return { dir: standIn, squatter: owner };
    // Another process of the user's named its stand-in first: that one is used by all.
    rmdirSync(standIn);
    return { dir: `${dir}-${kept}`, squatter: owner };
  }
  throw cannotMake(dir, 'every name tried was taken');
}

/** Makes the stand-in `standIn` (0700) for `dir`; false when the name is taken already. */
function madeDir(standIn: string, dir: string): boolean {
  try {
    mkdirSync(standIn, { mode: 0o700 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotMake(dir, `${standIn}: ${(e as Error).message}`);
  }
}

function cannotMake(dir: string, why: string): MfaLoginError {
  return new MfaLoginError('E_CACHE', `cannot make a session directory of your own beside ${dir} (${why})`, { hint: `have the other user's directory removed (as root: rm -r ${dir}), or use MFA_LOGIN_CACHE=agent meanwhile` });
}

/**
 * Writes the pointer and returns the suffix it holds afterwards. The first pointer is linked into
 * place, so that of two processes starting at once one names the stand-in for both; one that
 * named a stand-in another user took since is replaced.
 */
function keepPointer(pointerDir: string, uid: number | undefined, suffix: string, first: boolean): string {
  const file = `${pointerDir}/${RUNTIME_POINTER}`;
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${suffix}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    if (!first) {
      renameSync(tmp, file);
      return suffix;
    }
    try {
      linkSync(tmp, file);
      return suffix;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const theirs = pointedSuffix(pointerDir, uid);
      if (theirs !== undefined) return theirs;
      renameSync(tmp, file);
      return suffix;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A user's name for messages, from /etc/passwd where it is there ("nobody (65534)"), else "user id 65534". */
export function describeUser(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id === String(uid) && name) return `${name} (user id ${uid})`;
    }
  } catch {
    // no such file on this system: the number alone
  }
  return `user id ${uid}`;
}

/** The one line that says a squatted runtime directory is passed over, and for what. */
export function squatWarning(dir: string, owner: number, standIn: string | undefined): string {
  const instead = standIn !== undefined ? `; sessions are kept in ${standIn} instead` : '; nothing of yours is in it';
  return `mfa-login: warning: ${dir} belongs to ${describeUser(owner)}, not to you${instead} (to have it back: as root, rm -r ${dir})\n`;
}
