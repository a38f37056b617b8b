/** --ensure as the plans hold it: seconds, and whether the credentials are renewed (so what must last). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWith } from '../../src/cli/args.js';
import { LOGIN_TABLE } from '../../src/cli/definitions/table.js';
import { formatDuration } from '../../src/output/duration.js';

const plan = async (argv: string[]) => (await parseWith('mfa-login', LOGIN_TABLE, argv, '0.0.0')).command as unknown as Record<string, unknown>;

test('exec, exec --server and serve take --ensure', async () => {
  assert.deepEqual((await plan(['exec', '--ensure', '2h', 'prod', '--', 'true'])).ensure, { seconds: 7200, renewed: false });
  assert.deepEqual((await plan(['exec', '--server', '--ensure', '1h30m', 'prod', '--', 'true'])).ensure, { seconds: 5400, renewed: true });
  assert.deepEqual((await plan(['serve', 'prod', '--ensure', '36h'])).ensure, { seconds: 129600, renewed: true });
  assert.equal((await plan(['exec', 'prod', '--', 'true'])).ensure, undefined);
});

test('--ensure longer than an MFA session can last, or not a duration, is refused naming the flag', async () => {
  await assert.rejects(plan(['exec', '--ensure', '40h', 'prod', '--', 'true']), /--ensure 40h is out of range: no MFA session lasts longer than 36 hours/);
  await assert.rejects(plan(['exec', '--ensure', 'soon', 'prod', '--', 'true']), /--ensure "soon" is not a duration/);
  await assert.rejects(plan(['serve', '--ensure', '30s']), /--ensure 30s is out of range/);
});

test('durations are written back as they are typed', () => {
  for (const [s, text] of [[7200, '2h'], [5400, '1h30m'], [90, '1m30s'], [3661, '1h1m1s'], [0, '0s']] as const) assert.equal(formatDuration(s), text);
});
