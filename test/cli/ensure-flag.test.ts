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
  await assert.rejects(plan(['exec', '--ensure', '40h', 'prod', '--', 'true']), { message: '--ensure 40h is too long: no MFA session lasts longer than 36 hours (129600)', hint: 'use a duration from 1m to 36h, e.g. --ensure 2h' });
  await assert.rejects(plan(['exec', '--ensure', 'soon', 'prod', '--', 'true']), /--ensure "soon" is not a duration/);
});

test('--ensure under a minute is too short, not out of range of 36 hours', async () => {
  for (const value of ['0', '30s', '59']) {
    await assert.rejects(plan(['exec', '--ensure', value, 'prod', '--', 'true']), { message: `--ensure ${value} is too short: the least is 1m`, hint: 'use a duration from 1m to 36h, e.g. --ensure 2h' });
  }
  await assert.rejects(plan(['serve', '--ensure', '30s']), /--ensure 30s is too short/);
});

test('--ensure -5m, which the parser takes for flags, is said to need a value', async () => {
  await assert.rejects(plan(['exec', '--ensure', '-5m', 'prod', '--', 'true']), { message: '--ensure needs a value', hint: 'put a duration right after it (no sign): use a duration from 1m to 36h, e.g. --ensure 2h' });
});

test('--duration and console --duration say which end they are past, with a hint', async () => {
  await assert.rejects(plan(['exec', '--duration', '40h', 'prod', '--', 'true']), { message: '--duration 40h is too long: an MFA session lasts at most 36 hours (129600)', hint: 'use a duration from 30m to 36h, e.g. --duration 12h' });
  await assert.rejects(plan(['console', 'prod', '--duration', '13h']), { message: '--duration 13h is too long: a console session lasts at most 12 hours (43200)', hint: 'use a duration from 15m to 12h, e.g. --duration 1h' });
  await assert.rejects(plan(['console', 'prod', '--duration', '10m']), { message: '--duration 10m is too short: a console session lasts at least 15 minutes (900)', hint: 'use a duration from 15m to 12h, e.g. --duration 1h' });
});

test('durations are written back as they are typed', () => {
  for (const [s, text] of [[7200, '2h'], [5400, '1h30m'], [90, '1m30s'], [3661, '1h1m1s'], [0, '0s']] as const) assert.equal(formatDuration(s), text);
});
