import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageInDays, parseKeyInfo, readKeyInfo, updateKeyInfo } from '../../src/secrets/key-info.js';
import { memoryDeps } from '../memory-deps.js';

test('parseKeyInfo keeps well-formed entries and drops the rest, one by one', () => {
  const info = parseKeyInfo(
    JSON.stringify({
      keys: {
        alice: { accessKeyId: 'AKIAALICE', created: '2025-01-01T00:00:00Z' },
        nodate: { accessKeyId: 'AKIANODATE', created: 'yesterday' },
        noid: { created: '2025-01-01T00:00:00Z' },
      },
      rotations: {
        alice: { stage: 'stored', oldKeyId: 'AKIAOLD', newKeyId: 'AKIANEW', started: '2025-01-01T00:00:00Z' },
        bob: { stage: 'finished', oldKeyId: 'AKIAOLD' },
      },
      stores: {
        alice: { backend: 'keychain' },
        bob: { backend: 'file', file: '/home/bob/keys.enc' },
        carol: { backend: 'file', file: 'keys.enc' },
        dave: { backend: 'vault' },
        erin: null,
      },
    }),
  );
  assert.deepEqual(Object.keys(info.keys), ['alice']);
  assert.deepEqual(Object.keys(info.rotations), ['alice']);
  // A relative key file would name another file from every directory: refused.
  assert.deepEqual({ ...info.stores }, { alice: { backend: 'keychain' }, bob: { backend: 'file', file: '/home/bob/keys.enc' } });
});

test('parseKeyInfo: no file, a torn file or JSON of another shape is empty, not an error', () => {
  for (const text of [undefined, '{"keys": {"alice": ', 'null', '[1,2]', '"text"']) {
    const info = parseKeyInfo(text);
    assert.deepEqual([Object.keys(info.keys), Object.keys(info.rotations), Object.keys(info.stores)], [[], [], []], String(text));
  }
});

test('parseKeyInfo: a profile named __proto__ is a key like any other, not the prototype', () => {
  const info = parseKeyInfo('{"keys": {"__proto__": {"accessKeyId": "AKIAPROTO", "created": "2025-01-01T00:00:00Z"}}}');
  assert.equal(Object.getPrototypeOf(info.keys), null);
  assert.equal(info.keys['__proto__']?.accessKeyId, 'AKIAPROTO');
});

test('updateKeyInfo changes the file under its lock, keeps what it does not touch, and writes it 0600', async () => {
  const m = memoryDeps();
  const file = m.deps.settings.keys.infoFile;
  m.files.set(file, JSON.stringify({ keys: { bob: { accessKeyId: 'AKIABOB', created: '2024-01-01T00:00:00Z' } }, rotations: {}, stores: {} }));
  await updateKeyInfo(m.deps, (info) => {
    info.keys.alice = { accessKeyId: 'AKIAALICE', created: '2025-05-01T00:00:00Z' };
    info.stores.alice = { backend: 'keychain' };
  });
  assert.equal(m.modes.get(file), 0o600);
  const read = await readKeyInfo(m.deps);
  assert.deepEqual({ ...read.keys }, { bob: { accessKeyId: 'AKIABOB', created: '2024-01-01T00:00:00Z' }, alice: { accessKeyId: 'AKIAALICE', created: '2025-05-01T00:00:00Z' } });
  assert.deepEqual({ ...read.stores }, { alice: { backend: 'keychain' } });
  assert.ok(m.files.get(file)!.endsWith('}\n'));
});

test('ageInDays counts whole days, and a key from the future is 0 days old', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  assert.equal(ageInDays('2025-06-01T00:00:00Z', now), 0);
  assert.equal(ageInDays('2025-05-31T12:00:00Z', now), 1);
  assert.equal(ageInDays('2025-05-31T12:00:01Z', now), 0);
  assert.equal(ageInDays('2025-03-03T12:00:00Z', now), 90);
  assert.equal(ageInDays('2025-07-01T00:00:00Z', now), 0);
});
