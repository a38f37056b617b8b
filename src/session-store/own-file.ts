import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * The text of a file in a store directory, read only when it is a regular file of this user's
 * that nobody else may read or write (mode 0600), opened without following a symbolic link, and
 * no bigger than `maxBytes`: nothing planted by someone else is ever used. Undefined for anything
 * else. Synchronous, for the cached path (no event loop turn, no promise machinery).
 */
export function readOwnFile(file: string, uid: number | undefined, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0 || st.size > maxBytes) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
