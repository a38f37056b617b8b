import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CachedSession } from '../../src/session-store/store.js';
import { cachedSession } from '../../src/providers/cached.js';
import { Clock, MemoryCache } from './fakes.js';

function session(id: string, expiresAt: number): CachedSession {
  return { kind: 'role', profiles: ['alice', 'prod'], subject: 'arn:aws:iam::222222222222:role/prod', credentials: { accessKeyId: id, secretAccessKey: 's', sessionToken: 't', expiration: new Date(expiresAt) } };
}

function setup() {
  const clock = new Clock();
  const cache = new MemoryCache();
  const debug: string[] = [];
  let made = 0;
  const make = (id: string) => async () => {
    made++;
    return session(id, clock.ms + 3600_000);
  };
  const slot = { key: 'k', marginMs: 15 * 60_000, what: 'session of arn:aws:iam::222222222222:role/prod', asker: 'prod' };
  return { clock, cache, debug, slot, make, made: () => made, deps: { cache, now: clock.now, debug: (m: string) => debug.push(m) } };
}

const ages: Array<[string, number, boolean]> = [
  ['16 minutes left: handed out from the cache', 16, true],
  ['14 minutes left: made anew', 14, false],
  ['expired: made anew', -1, false],
];
for (const [name, minutesLeft, reused] of ages) {
  test(`a cached session, ${name}`, async () => {
    const s = setup();
    s.cache.entries.set('k', session('OLD', s.clock.ms + minutesLeft * 60_000));
    const got = await cachedSession(s.deps, s.slot, s.make('NEW'));
    assert.equal(got.credentials.accessKeyId, reused ? 'OLD' : 'NEW');
    assert.equal(got.fromCache, reused);
    assert.equal(s.made(), reused ? 0 : 1);
    assert.deepEqual(s.cache.puts, reused ? [] : ['k']);
    if (reused) assert.deepEqual(s.debug, [`using the cached session of arn:aws:iam::222222222222:role/prod (expires ${new Date(s.clock.ms + minutesLeft * 60_000).toISOString()})`]);
  });
}

test('when making the session fails the lease is given back and the next caller gets to try', async () => {
  const s = setup();
  await assert.rejects(
    cachedSession(s.deps, s.slot, async () => {
      throw new Error('STS said no');
    }),
    /STS said no/,
  );
  assert.deepEqual(s.cache.releases, ['k']);
  assert.deepEqual(s.cache.puts, []);
  const got = await cachedSession(s.deps, s.slot, s.make('NEW'));
  assert.deepEqual([got.credentials.accessKeyId, got.fromCache], ['NEW', false]);
});

test('two callers at once: one makes the session under the lease, the other waits and receives it', async () => {
  const s = setup();
  const [a, b] = await Promise.all([cachedSession(s.deps, s.slot, s.make('ONE')), cachedSession(s.deps, s.slot, s.make('TWO'))]);
  assert.equal(s.made(), 1);
  assert.equal(a.credentials.accessKeyId, b.credentials.accessKeyId);
  assert.deepEqual([a.fromCache, b.fromCache].sort(), [false, true]);
});
