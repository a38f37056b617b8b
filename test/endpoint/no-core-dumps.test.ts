import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { coreLimits, REEXEC_MARKER, withoutCoreDumps } from '../../src/endpoint/no-core-dumps.js';

test("the core-file limits from /proc, as its table shows them; none for a process that is not there", () => {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max core file size'))!;
  const [soft, hard] = line.slice('Max core file size'.length).trim().split(/\s+/);
  assert.deepEqual(coreLimits(), { soft, hard });
  assert.deepEqual(coreLimits(process.pid), { soft, hard });
  assert.equal(coreLimits(2 ** 22 + 1), undefined);
});

test('the run again under ulimit -c 0 goes on at once, and the marker is gone before anything else sees it', async () => {
  const env: Record<string, string | undefined> = { [REEXEC_MARKER]: '1', PATH: '/usr/bin' };
  const said: string[] = [];
  const deps = { env, debug: (m: string) => void said.push(m), stderr: (t: string) => void said.push(t) };
  assert.equal(await withoutCoreDumps(deps), undefined);
  assert.deepEqual(env, { PATH: '/usr/bin' });
  assert.deepEqual(said, []);
});
