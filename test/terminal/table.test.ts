import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, stripAnsi, visibleWidth } from '../../src/terminal/table.js';

const GREEN = (s: string) => `\x1b[32m${s}\x1b[0m`;

test('columns are as wide as their widest cell, two spaces apart, with no trailing space', () => {
  assert.equal(
    formatTable(['PROFILE', 'STATE', 'NOTE'], [
      ['alice', 'valid', ''],
      ['production', 'expired', 'x'],
    ]),
    'PROFILE     STATE    NOTE\nalice       valid\nproduction  expired  x\n',
  );
});

test('colour codes take no columns', () => {
  assert.equal(visibleWidth(GREEN('valid')), 5);
  assert.equal(stripAnsi(GREEN('valid')), 'valid');
  assert.equal(formatTable(['STATE', 'X'], [[GREEN('ok'), 'y']]), `STATE  X\n${GREEN('ok')}     y\n`);
});

test('a short row runs its last cell across the columns it lacks, without widening them', () => {
  const note = 'the key store could not be read: it is locked';
  assert.equal(formatTable(['PROFILE', 'STATE', 'EXPIRES'], [['alice', note], ['bob', 'valid', 'in 5m']]), `PROFILE  STATE  EXPIRES\nalice    ${note}\nbob      valid  in 5m\n`);
});

test('a header alone is one line', () => {
  assert.equal(formatTable(['A', 'B'], []), 'A  B\n');
});
