import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { MfaLoginError } from '../errors.js';

/** Real config files are a few KiB; anything this big is a wrong path, not a config. */
export const MAX_CONFIG_BYTES = 10 * 1048576;

export function tooLarge(file: string, size: number): MfaLoginError {
  return new MfaLoginError('E_FILE', `${file} is ${(size / 1048576).toFixed(1)} MiB; an AWS config or credentials file is never that large, so it is not read`, {
    hint: 'check that the path points to the right file',
  });
}

/**
 * Why what is at a config path cannot be read as an AWS config or credentials file, or undefined
 * when it can: a regular file within the size cap. Anything else is a wrong path: /dev/zero never
 * ends, a FIFO waits for a writer that may never come, /dev/stdin takes the caller's input.
 */
export function unreadable(file: string, st: Stats): MfaLoginError | undefined {
  if (st.isFile()) return st.size > MAX_CONFIG_BYTES ? tooLarge(file, st.size) : undefined;
  if (st.isDirectory()) return new MfaLoginError('E_FILE', `cannot read ${file}: it is a directory`);
  const what = st.isFIFO() ? 'a named pipe (FIFO)' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
  return new MfaLoginError('E_FILE', `cannot read ${file}: it is ${what}, not a file`);
}

/**
 * The text of an AWS config or credentials file, or undefined when there is none. Opened without
 * blocking (a FIFO would otherwise hold the open until a writer comes), then examined on the open
 * file, so what is checked is what is read; and read to at most one byte past the cap, so even a
 * file that grows while it is read cannot take the memory. Links are followed: dotfile managers
 * link ~/.aws/config.
 */
export function readConfigFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // A socket cannot be opened (ENXIO): say what it is.
    const st = code === 'ENXIO' ? statOrUndefined(file) : undefined;
    throw (st && unreadable(file, st)) ?? new MfaLoginError('E_FILE', `cannot read ${file}: ${code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  try {
    const bad = unreadable(file, fstatSync(fd));
    if (bad !== undefined) throw bad;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(65536);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > MAX_CONFIG_BYTES) throw tooLarge(file, total);
    }
    return decodeConfigText(Buffer.concat(chunks, total), file);
  } catch (e) {
    if (e instanceof MfaLoginError) throw e;
    throw new MfaLoginError('E_FILE', `cannot read ${file}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** Made on first use: creating a decoder costs the cached path, which reads text without one. */
let utf8: TextDecoder | undefined;

/**
 * The text of an AWS config or credentials file. Decoding leniently would turn bad bytes into
 * U+FFFD inside a key or a value, and an edit would then write them back changed; so a file that
 * is not UTF-8 is an error that names the line.
 */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(file, bytes.length);
  try {
    return (utf8 ??= new TextDecoder('utf-8', { fatal: true })).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = Buffer.from(bytes.subarray(0, at)).toString('latin1').split('\n').length;
    throw new MfaLoginError('E_FILE', `${file} is not UTF-8 text (invalid byte at line ${line})`, { hint: 'save the file as UTF-8' });
  }
}

/**
 * The text of a config file as Node read it with 'utf8', which turns bad bytes into U+FFFD: what
 * the cached path reads, since it cannot afford a strict decoder. Undefined when it cannot vouch
 * for the text (a U+FFFD anywhere, bad byte or real; too long): the full path then reads the bytes
 * and decodes them strictly, as above. A byte-order mark goes, as the strict decoder drops it.
 */
export function plainConfigText(text: string): string | undefined {
  if (text.length > MAX_CONFIG_BYTES || text.includes('\uFFFD')) return undefined;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The length of the longest prefix that decodes (a prefix may end mid-character: stream mode). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}
