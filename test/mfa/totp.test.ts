import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, randomSeed, totp } from '../../src/mfa/totp.js';

const RFC_SEED = base32Encode(Buffer.from('12345678901234567890'));

// RFC 6238 Appendix B, SHA-1 column (8 digits).
const VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('totp matches the RFC 6238 SHA-1 test vectors', () => {
  for (const [seconds, code] of VECTORS) {
    assert.equal(totp(RFC_SEED, seconds * 1000, 8), code, `T=${seconds}`);
    // Six digits are the same number modulo 10^6: the last six of the eight.
    assert.equal(totp(RFC_SEED, seconds * 1000), code.slice(2), `T=${seconds}, 6 digits`);
  }
});

test('a code holds for the whole 30-second step and changes at its end', () => {
  assert.equal(totp(RFC_SEED, 30_000), totp(RFC_SEED, 59_999));
  assert.notEqual(totp(RFC_SEED, 59_999), totp(RFC_SEED, 60_000));
});

test('base32 round-trips and reads seeds the way authenticator apps accept them', () => {
  assert.equal(RFC_SEED, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.equal(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').toString(), '12345678901234567890');
  assert.equal(base32Decode('MZXW6===').toString(), 'foo');
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  for (let length = 0; length < 12; length++) {
    const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff));
    assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
  }
  assert.throws(() => base32Decode('ABC1'), /Invalid base32 character '1'/);
});

test('randomSeed makes distinct 64-character base32 seeds', () => {
  const a = randomSeed();
  const b = randomSeed();
  assert.match(a, /^[A-Z2-7]{64}$/);
  assert.notEqual(a, b);
  assert.match(totp(a, Date.now()), /^\d{6}$/);
});
