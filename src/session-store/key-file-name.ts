/**
 * The file name (without extension) a cache key is kept under. Keys are long JSON texts, so the
 * name is a hash: 64-bit FNV-1a, which needs no crypto module on the cached path. It is not a
 * security boundary: every entry also stores its full key, and a read checks it, so two keys
 * that happened to share a name could never hand out each other's session.
 *
 * The 64-bit product is worked out in two 32-bit halves: every intermediate stays below 2^53, so
 * doubles hold it exactly, and a fresh process spends a tenth of the time BigInt would take.
 */
export function keyFileName(key: string): string {
  // FNV offset basis 0xcbf29ce484222325; prime 0x100000001b3 = 0x100 * 2^32 + 0x1b3.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const bytes = Buffer.from(key, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    const low = lo * 0x1b3;
    hi = (hi * 0x1b3 + lo * 0x100 + Math.floor(low / 0x100000000)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
