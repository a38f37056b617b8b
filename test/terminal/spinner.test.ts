import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSpinner } from '../../src/terminal/spinner.js';

function fakeStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => (writes.push(s), true), isTTY: true } as unknown as NodeJS.WriteStream };
}

test('the spinner draws frames while running and clears its line on stop', async () => {
  const { writes, stream } = fakeStream();
  const s = startSpinner('Asking STS', { stream, enabled: true });
  await new Promise((r) => setTimeout(r, 300));
  s.stop();
  s.stop();
  const frames = writes.slice(0, -1);
  assert.ok(frames.length >= 3, `a frame about every 80 ms, got ${frames.length}`);
  for (const f of frames) assert.match(f, /^\r\S Asking STS\x1b\[K$/);
  assert.notEqual(frames[0], frames[1], 'the frame changes');
  assert.equal(writes[writes.length - 1], '\r\x1b[2K');
  const n = writes.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(writes.length, n, 'nothing after stop');
});

test('a disabled spinner writes nothing at all', async () => {
  const { writes, stream } = fakeStream();
  const s = startSpinner('Asking STS', { stream, enabled: false });
  await new Promise((r) => setTimeout(r, 200));
  s.stop();
  assert.deepEqual(writes, []);
});
