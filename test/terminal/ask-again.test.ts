import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askUntil, ATTEMPTS } from '../../src/terminal/ask-again.js';

function answering(...answers: string[]) {
  const said: string[] = [];
  let asked = 0;
  return {
    said,
    asked: () => asked,
    terminal: { say: (line: string) => void said.push(line) },
    ask: async () => answers[asked++] ?? assert.fail('asked once too often'),
  };
}
const sixDigits = (a: string) => (/^\d{6}$/.test(a) ? true : `${a} is not 6 digits`);
const fail = (problem: string) => new Error(`gave up: ${problem}`);

test('the first accepted answer is returned, and each refusal is said with the try it leads to', async () => {
  const t = answering('12', 'abc', '123456');
  assert.equal(await askUntil(t.terminal, t.ask, sixDigits, fail), '123456');
  assert.deepEqual(t.said, ['12 is not 6 digits (try 2 of 3)', 'abc is not 6 digits (try 3 of 3)']);
});

test(`after ${ATTEMPTS} refusals, the error made from the last problem is thrown, and nothing more is asked`, async () => {
  const t = answering('1', '2', '3', '123456');
  await assert.rejects(askUntil(t.terminal, t.ask, sixDigits, fail), { message: 'gave up: 3 is not 6 digits' });
  assert.equal(t.asked(), ATTEMPTS);
  assert.equal(t.said.length, ATTEMPTS - 1);
});

test('a check may be asynchronous (STS judging a code), and the number of tries may be given', async () => {
  const t = answering('111111', '222222');
  const stsTakes = async (code: string) => (code === '222222' ? true : 'STS refused the code');
  assert.equal(await askUntil(t.terminal, t.ask, stsTakes, fail, 2), '222222');
  assert.deepEqual(t.said, ['STS refused the code (try 2 of 2)']);
  const once = answering('111111');
  await assert.rejects(askUntil(once.terminal, once.ask, stsTakes, fail, 1), { message: 'gave up: STS refused the code' });
  assert.deepEqual(once.said, []);
});
