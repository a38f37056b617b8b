import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyFileName } from '../../src/session-store/key-file-name.js';

/** FNV-1a 64 as the specification writes it, in BigInt. */
function reference(key: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(key, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

test('FNV-1a 64 test vectors', () => {
  assert.equal(keyFileName(''), 'cbf29ce484222325');
  assert.equal(keyFileName('a'), 'af63dc4c8601ec8c');
  assert.equal(keyFileName('foobar'), '85944171f73967e8');
});

test('agrees with the BigInt definition on any text, so cache files keep their names', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (key) => assert.equal(keyFileName(key), reference(key))),
    { numRuns: 3000 },
  );
});
