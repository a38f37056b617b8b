import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfigText, plainConfigText } from '../../src/files/config-text.js';

/** The cached path's reading of a config file must agree with the strict one wherever it answers. */
const texts: Array<[string, Buffer]> = [
  ['plain', Buffer.from('[profile a]\nregion = eu-west-1\n')],
  ['with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[default]\nregion = us-east-1\n')])],
  ['non-ASCII', Buffer.from('[profile café]\nregion = eu-west-1\n')],
  ['empty', Buffer.alloc(0)],
];

for (const [what, bytes] of texts) {
  test(`plain config text, ${what}: the same text as the strict decoder`, () => {
    assert.equal(plainConfigText(bytes.toString('utf8')), decodeConfigText(bytes, 'config'));
  });
}

test('plain config text: a bad byte or a real U+FFFD is not vouched for, and the strict decoder names the line', () => {
  const bad = Buffer.concat([Buffer.from('[default]\n# caf'), Buffer.from([0xe9, 0x0a])]);
  assert.equal(plainConfigText(bad.toString('utf8')), undefined);
  assert.throws(() => decodeConfigText(bad, 'config'), /config is not UTF-8 text \(invalid byte at line 2\)/);
  assert.equal(plainConfigText('[default]\nregion = \uFFFD\n'), undefined);
});
