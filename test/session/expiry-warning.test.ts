import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warnBeforeExpiry } from '../../src/session/expiry-warning.js';
import { MemoryCache, plan, role, USER } from '../providers/fakes.js';
import { session } from '../session-store/helpers.js';
import { memoryDeps } from '../memory-deps.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const PROD = plan(USER + role('prod', 'alice'), 'prod');
const ALICE = plan(USER, 'alice');
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

/**
 * Deps whose cache answers with each of `ends` in turn, the last one from then on (undefined:
 * none cached), and a promise for the first thing said on stderr or, failing that, the debug line
 * matching `settles`.
 */
function setup(p: typeof PROD, ends: Array<Date | undefined>, settles = /^$/) {
  const m = memoryDeps({ now: NOW });
  const cache = new MemoryCache();
  cache.read = async () => {
    const end = ends.length > 1 ? ends.shift() : ends[0];
    if (end === undefined) return undefined;
    const s = session('ASIA1');
    return { ...s, credentials: { ...s.credentials, expiration: end } };
  };
  m.deps.cache = () => cache;
  const debug: string[] = [];
  const settled = new Promise<void>((resolve) => {
    m.deps.stderr = (t) => (m.stderr.push(t), resolve());
    m.deps.debug = (line) => (debug.push(line), settles.test(line) && resolve());
  });
  return { m, debug, settled };
}

test('no cached session (MFA_LOGIN_CACHE=none): nothing to warn about', async () => {
  const s = setup(PROD, [undefined]);
  const w = await warnBeforeExpiry(s.m.deps, PROD);
  w.stop();
  assert.deepEqual(s.debug, ['no cached session of alice: no warning before it ends']);
  assert.deepEqual(s.m.stderr, []);
});

test('a session ending within the lead: warned at once, with the end, the minutes left and the command that renews it', async () => {
  const end = minutes(5);
  const s = setup(PROD, [end]);
  const w = await warnBeforeExpiry(s.m.deps, PROD);
  await s.settled;
  w.stop();
  assert.deepEqual(s.m.stderr, [`mfa-login: warning: the MFA session behind prod ends at ${end.toTimeString().slice(0, 5)} (in 5 min); after that, renewing its credentials needs a code. Renew it now: mfa-login session alice\n`]);
});

test('the IAM user\'s own session is "of" it, not "behind" it', async () => {
  const s = setup(ALICE, [minutes(9)]);
  const w = await warnBeforeExpiry(s.m.deps, ALICE);
  await s.settled;
  w.stop();
  assert.match(s.m.stderr[0]!, /^mfa-login: warning: the MFA session of alice ends at \d\d:\d\d \(in 9 min\);/);
});

test('renewed meanwhile: no warning now, it moves to the new end', async () => {
  const s = setup(PROD, [minutes(5), minutes(600)], /^the session of alice ends at /);
  const w = await warnBeforeExpiry(s.m.deps, PROD);
  await s.settled;
  w.stop();
  assert.deepEqual(s.m.stderr, []);
  assert.deepEqual(s.debug, ['the session of alice was renewed; the warning moves to its end', `the session of alice ends at ${minutes(600).toISOString()}; warning 600 s before`]);
});

test('gone meanwhile (logout): no warning', async () => {
  const s = setup(PROD, [minutes(5), undefined], /no longer cached/);
  const w = await warnBeforeExpiry(s.m.deps, PROD);
  await s.settled;
  w.stop();
  assert.deepEqual(s.m.stderr, []);
  assert.deepEqual(s.debug, ['the session of alice is no longer cached: no warning']);
});

test('far from its end: a timer that does not keep the process alive, stopped on request, nothing said', async () => {
  const s = setup(PROD, [minutes(600)]);
  const w = await warnBeforeExpiry(s.m.deps, PROD);
  w.stop();
  assert.deepEqual(s.debug, [`the session of alice ends at ${minutes(600).toISOString()}; warning 600 s before`]);
  assert.deepEqual(s.m.stderr, []);
});
