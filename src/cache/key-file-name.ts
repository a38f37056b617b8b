/**
 * The file name (without extension) a cache key is kept under. Keys are long JSON texts, so the
 * name is a hash: 64-bit FNV-1a, which needs no crypto module on the cached path. It is not a
 * security boundary: every entry also stores its full key, and a read checks it, so two keys
 * that happened to share a name could never hand out each other's session.
 */
export function keyFileName(key: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(key, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
