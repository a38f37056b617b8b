import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyAge } from '../../src/doctor/key-age.js';
import type { Learnt } from '../../src/doctor/check.js';
import { memoryDeps } from '../memory-deps.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const learnt = (stored?: string[]): Learnt => ({ ...(stored ? { stored } : {}), storeName: 'file ~/.config/mfa-login/keys.enc', clockTimeoutMs: 1000 });

async function findings(record: object, stored: string[] | undefined, env = {}) {
  const m = memoryDeps({ now: NOW, env });
  m.files.set(m.deps.settings.keys.infoFile, JSON.stringify(record));
  return keyAge.run(m.deps, learnt(stored));
}

test('each stored key\'s age; past the limit a warning with the command that rotates it', async () => {
  const record = { keys: { young: { accessKeyId: 'AKIAYOUNG', created: '2025-05-01T12:00:00Z' }, old: { accessKeyId: 'AKIAOLD', created: '2025-01-01T00:00:00Z' } } };
  assert.deepEqual(await findings(record, ['old', 'young', 'unknown']), [
    { level: 'warn', area: 'keys', text: 'key age: old: AKIAOLD is 151 days old, more than 90 (MFA_LOGIN_KEY_MAX_AGE_DAYS)', fix: 'mfa-login rotate old' },
    { level: 'ok', area: 'keys', text: 'key age: young: AKIAYOUNG is 31 days old' },
    { level: 'ok', area: 'keys', text: "key age: unknown: unknown (IAM's CreateDate is learnt when the key is added with permission to list keys, or rotated)" },
  ]);
});

test('the limit is MFA_LOGIN_KEY_MAX_AGE_DAYS', async () => {
  const record = { keys: { young: { accessKeyId: 'AKIAYOUNG', created: '2025-05-01T12:00:00Z' } } };
  const [f] = await findings(record, ['young'], { MFA_LOGIN_KEY_MAX_AGE_DAYS: '30' });
  assert.equal(f!.level, 'warn');
  assert.match(f!.text, /31 days old, more than 30/);
});

test('an interrupted rotate is reported by the step it stopped at, with what cleans it up', async () => {
  const started = '2025-06-01T11:00:00Z';
  const record = {
    rotations: {
      a: { stage: 'stored', oldKeyId: 'AKIAOLDA', newKeyId: 'AKIANEWA', started },
      b: { stage: 'created', oldKeyId: 'AKIAOLDB', newKeyId: 'AKIANEWB', userName: 'bob', started },
      c: { stage: 'creating', oldKeyId: 'AKIAOLDC', started },
    },
  };
  const out = await findings(record, []);
  assert.deepEqual(out.map((f) => [f.level, f.fix]), [
    ['warn', 'mfa-login rotate a  (deletes AKIAOLDA and finishes)'],
    ['warn', 'mfa-login exec b -- aws iam delete-access-key --user-name bob --access-key-id AKIANEWB'],
    ['warn', 'mfa-login rotate c  (lists the keys and names any to delete)'],
  ]);
  assert.match(out[1]!.text, /^rotate b was interrupted after IAM created AKIANEWB, before it was stored/);
});

test('nothing is said when the key store could not be read (another check reports that)', async () => {
  assert.deepEqual(await findings({ keys: { old: { accessKeyId: 'AKIAOLD', created: '2020-01-01T00:00:00Z' } } }, undefined), []);
});
