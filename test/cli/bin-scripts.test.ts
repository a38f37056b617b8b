/** The two bin scripts carry the same loader (`compiled`): a shared file would cost the load it saves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../bin');

test('mfa-login and mfa-env compile the fast path\'s loader with the same function', () => {
  const loader = (name: string) => {
    const text = readFileSync(path.join(BIN, name), 'utf8');
    const start = text.indexOf('function compiled(file) {');
    assert.ok(start >= 0, `${name} has the loader`);
    return text.slice(start);
  };
  assert.equal(loader('mfa-login.js'), loader('mfa-env.js'));
});
