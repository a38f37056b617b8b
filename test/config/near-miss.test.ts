import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, distance } from '../../src/config/near-miss.js';

/** The one rule every "did you mean" uses: commands, flags, subcommands, profiles, config keys. */
const CASES: [word: string, among: string[], expected: string | undefined, why: string][] = [
  ['prdo', ['alice', 'prod'], 'prod', 'two letters swapped are one slip'],
  ['exce', ['exec', 'serve', 'setup'], 'exec', 'a swap in a four-letter command'],
  ['statsu', ['status', 'session'], 'status', 'a swap at the end'],
  ['stauts', ['status', 'stop'], 'status', 'a swap in the middle'],
  ['mfa-tokne', ['mfa-token', 'duration', 'region'], 'mfa-token', 'a flag'],
  ['regoin', ['region', 'to'], 'region', 'a flag, swapped'],
  ['al', ['all', 'keep-files'], 'all', 'a short flag missing a letter'],
  ['bsh', ['sh', 'bash', 'zsh', 'fish'], 'bash', 'a tie goes to the one with the same first letter'],
  ['prd', ['prod', 'add'], 'prod', 'one edit beats two'],
  ['craete', ['create', 'resync'], 'create', 'a subcommand'],
  ['tcsh', ['bash', 'zsh', 'fish'], undefined, 'another shell is not a slip of one of ours'],
  ['dev', ['demo', 'doctor'], undefined, 'two edits in a short word are another word'],
  ['x', ['h', 'y'], undefined, 'the whole word is never a slip'],
  ['nosuch', ['alice', 'other', 'prod'], undefined, 'nothing near'],
  ['prod', ['prod', 'prd'], 'prd', 'the word itself is not a suggestion'],
];

for (const [word, among, expected, why] of CASES) {
  test(`closest(${word}) among ${among.join(', ')} is ${expected ?? 'nothing'}: ${why}`, () => {
    assert.equal(closest(word, among), expected);
  });
}

test('distance counts a swap of neighbours as one edit, and gives up past two', () => {
  assert.equal(distance('prod', 'prdo'), 1);
  assert.equal(distance('status', 'stauts'), 1);
  assert.equal(distance('kitten', 'sitting'), 3);
  assert.equal(distance('a', 'abcdef'), 3);
  assert.equal(distance('', 'ab'), 2);
});
