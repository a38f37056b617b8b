import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sayingWaits, type During } from '../../src/session-store/waiting.js';
import type { SessionStore } from '../../src/session-store/store.js';
import { inMinutes, session } from './helpers.js';

test('an acquire is shown with the profile it waits for, after a second; the rest of the store is as it was', async () => {
  const got = session('ASIA1');
  const calls: string[] = [];
  // A plain object, as the real stores are: sayingWaits copies the store's own properties.
  const store: SessionStore = {
    mode: 'file',
    location: '/run/user/1000/mfa-login',
    read: async () => (calls.push('read'), got),
    put: async () => void calls.push('put'),
    forget: async () => (calls.push('forget'), 1),
    list: async () => (calls.push('list'), []),
    acquire: async (key, _until, profile) => (calls.push(`acquire ${key} ${profile}`), { session: got }),
  };
  const shown: Array<[string, number]> = [];
  const during: During = (text, work, delayMs) => (shown.push([text, delayMs]), work());
  const saying = sayingWaits(store, during);
  assert.deepEqual(await saying.acquire('k', inMinutes(15), 'prod'), { session: got });
  assert.deepEqual(shown, [['waiting for another mfa-login process getting prod', 1000]]);
  assert.equal(await saying.read('k', inMinutes(15)), got);
  assert.equal(await saying.forget('alice'), 1);
  assert.deepEqual(calls, ['acquire k prod', 'read', 'forget']);
  assert.equal(saying.location, '/run/user/1000/mfa-login');
  assert.equal(shown.length, 1);
});
