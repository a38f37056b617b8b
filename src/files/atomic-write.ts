import { promises as fs, constants } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { whyNotReplaceable } from './file-safety.js';

export interface AtomicWriteOptions {
  /** Mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Mode for directories created on the way. */
  dirMode?: number;
  /** Make the file's directory when missing (default); not where a symbolic link led to it. */
  makeDir?: boolean;
  /**
   * The caller holds the file's lock, which every writer of it takes: any temporary file of it
   * found now is one a writer killed mid-write left, and goes.
   */
  locked?: boolean;
}

/** A temporary file left by a writer killed mid-write, of a file written without a lock, goes after this long. */
export const LEFTOVER_AGE_MS = 10 * 60 * 1000;

/**
 * Replaces `file` with `data` so that a process killed at any instant leaves either the old
 * or the new content, never a torn file: write a temporary file in the same directory, flush
 * it, then rename over the target (rename is atomic within one file system).
 *
 * A symbolic link is refused: renaming over it would silently turn it into a regular file and
 * detach it from what it pointed to. Whoever writes through links (edit-file.ts, for the files a
 * user names) resolves them first (file-safety.ts: writeTarget) and writes the file they lead to,
 * in its own directory. A read-only file and one owned by another user are refused
 * (file-safety.ts): the rename would quietly undo either.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  if (options.makeDir !== false) await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 });

  let mode = options.mode ?? 0o600;
  try {
    const st = await fs.lstat(file);
    if (st.isSymbolicLink()) {
      throw Object.assign(new Error(`${file} is a symbolic link; refusing to replace it`), { code: 'ESYMLINK' });
    }
    const why = whyNotReplaceable(file, st);
    if (why !== undefined) throw Object.assign(new Error(why), { code: 'ENOTREPLACEABLE' });
    mode = st.mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }

  await removeLeftovers(dir, path.basename(file), options.locked === true);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A writer killed between creating its temporary file and renaming it leaves the temporary file
 * behind (the target itself is whole). The next write clears them: all of them when it holds the
 * file's lock (no other writer can be between the two steps then), else those old enough that no
 * live writer can still be at it. Not by the pid in the name: that pid may be another user's, or
 * of another pid namespace.
 */
async function removeLeftovers(dir: string, base: string, locked: boolean): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length))) continue;
    const p = path.join(dir, name);
    if (!locked) {
      const st = await fs.lstat(p).catch(() => undefined);
      if (st === undefined || Date.now() - st.mtimeMs < LEFTOVER_AGE_MS) continue;
    }
    await fs.rm(p, { force: true });
  }
}
