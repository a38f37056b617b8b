import { promises as fs, constants } from 'node:fs';
import { alive } from './lock-file.js';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { whyNotReplaceable } from './file-safety.js';

export interface AtomicWriteOptions {
  /** Mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Mode for directories created on the way. */
  dirMode?: number;
}

/**
 * Replaces `file` with `data` so that a process killed at any instant leaves either the old
 * or the new content, never a torn file: write a temporary file in the same directory, flush
 * it, then rename over the target (rename is atomic within one file system).
 *
 * A symlinked target is refused rather than replaced: renaming over the link would silently
 * turn it into a regular file and detach it from what it pointed to. So are a read-only file and
 * one owned by another user (file-safety.ts): the rename would quietly undo either.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 });

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

  await removeLeftovers(dir, path.basename(file));
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
 * behind (the target itself is whole). The next write clears those whose writer is gone.
 */
async function removeLeftovers(dir: string, base: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (m === null || alive(Number(m[1]))) continue;
    await fs.rm(path.join(dir, name), { force: true });
  }
}

