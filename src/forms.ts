/**
 * The forms AWS gives the values mfa-login prints: access key ids, secrets, session tokens,
 * expirations, regions, account ids. The cached path checks every value it prints, and a fresh
 * process pays for compiling each regular expression the first time it runs (some tens of
 * microseconds apiece): the short values are checked by walking their characters, and the long
 * ones (a session token runs to a thousand characters and more, too many to walk in the
 * interpreter) by one expression.
 */

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
/** Base64's alphabet: letters, digits, `+`, `/` and the `=` of padding. */
const BASE64 = /^[A-Za-z0-9+/=]+$/;

/** Whether `value` has 1 to `max` characters, each of which `ok` accepts. */
function madeOf(value: string, max: number, ok: (c: number) => boolean): boolean {
  if (value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) if (!ok(value.charCodeAt(i))) return false;
  return true;
}

/** `ASIA…`: upper-case letters and digits. */
export const isAccessKeyId = (value: string): boolean => madeOf(value, 128, (c) => isUpper(c) || isDigit(c));
export const isSecretAccessKey = (value: string): boolean => value.length <= 256 && BASE64.test(value);
export const isSessionToken = (value: string): boolean => value.length <= 16384 && BASE64.test(value);
export const isAccountId = (value: string): boolean => value.length === 12 && madeOf(value, 12, isDigit);

/** `2026-11-24T14:00:00Z`, with or without fractional seconds. */
export function isExpiration(value: string): boolean {
  const shape = 'dddd-dd-ddTdd:dd:dd';
  if (value.length < shape.length + 1 || !value.endsWith('Z')) return false;
  for (let i = 0; i < shape.length; i++) {
    const c = value.charCodeAt(i);
    if (shape[i] === 'd' ? !isDigit(c) : c !== shape.charCodeAt(i)) return false;
  }
  const rest = value.slice(shape.length, -1);
  return rest === '' || (rest.startsWith('.') && madeOf(rest.slice(1), rest.length, isDigit));
}

/** `eu-west-1`: up to 40 lower-case letters and digits in dash-separated groups. */
export function isRegion(value: string): boolean {
  if (!madeOf(value, 40, (c) => isLower(c) || isDigit(c) || c === 0x2d)) return false;
  return !value.startsWith('-') && !value.endsWith('-') && !value.includes('--');
}

/**
 * A profile name as a shell may be handed it back: letters, digits and `_ . @ + = , : / -`, up to
 * 128 (what `[profile NAME]` sections use in practice; no quote, space, `$` or glob).
 */
export const isPlainProfileName = (value: string): boolean =>
  madeOf(value, 128, (c) => isUpper(c) || isLower(c) || isDigit(c) || '_.@+=,:/-'.includes(String.fromCharCode(c)));
