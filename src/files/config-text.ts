import { MfaLoginError } from '../errors.js';

/** Real config files are a few KiB; anything this big is a wrong path, not a config. */
export const MAX_CONFIG_BYTES = 10 * 1048576;

export function tooLarge(file: string, size: number): MfaLoginError {
  return new MfaLoginError('E_FILE', `${file} is ${(size / 1048576).toFixed(1)} MiB; an AWS config or credentials file is never that large, so it is not read`, {
    hint: 'check that the path points to the right file',
  });
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
