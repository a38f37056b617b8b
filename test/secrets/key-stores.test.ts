/**
 * RecordedKeyStores: each profile's keys read, replaced and removed in the store that holds them,
 * as recorded in keys.json; new keys where MFA_LOGIN_BACKEND says; a keychain not in use never the
 * error. Backends are fakes in memory; the record is a real file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LongTermKeys } from '../../src/credentials.js';
import { MfaLoginError } from '../../src/errors.js';
import { RecordedKeyStores, type KeyFileStore } from '../../src/secrets/key-stores.js';
import { settingsFrom } from '../../src/settings.js';
import { realIo, tempDir } from './helpers.js';

const KEYS: LongTermKeys = { accessKeyId: 'AKIARECORDED00000001', secretAccessKey: 'recorded/secret/recorded/secret/recorded' };
const NO_DBUS = () => new MfaLoginError('E_KEYCHAIN_NO_DBUS', 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): cannot reach the Secret Service', { hint: 'or store keys in an encrypted file instead with MFA_LOGIN_BACKEND=file' });

/** A backend in memory; `broken` makes every call fail with that error. */
class FakeStore implements KeyFileStore {
  readonly profiles = new Map<string, LongTermKeys>();
  broken: (() => MfaLoginError) | undefined;
  calls: string[] = [];
  constructor(
    readonly backend: 'keychain' | 'file',
    readonly location: string,
    private present = backend === 'keychain',
  ) {}
  private check(op: string): void {
    this.calls.push(op);
    if (this.broken) throw this.broken();
  }
  async get(p: string) {
    this.check(`get:${p}`);
    return this.profiles.get(p);
  }
  async set(p: string, k: LongTermKeys) {
    this.check(`set:${p}`);
    this.present = true;
    this.profiles.set(p, k);
  }
  async remove(p: string) {
    this.check(`remove:${p}`);
    return this.profiles.delete(p);
  }
  async list() {
    this.check('list');
    return [...this.profiles.keys()].sort();
  }
  async ready() {
    this.check('ready');
  }
  async exists() {
    return this.present;
  }
}

/** Stores for an environment, with the fakes behind them and the warnings said. */
function stores(env: Record<string, string | undefined>, home: string, shared?: { keychain: FakeStore; files: Map<string, FakeStore> }) {
  const settings = settingsFrom(env, home);
  const keychain = shared?.keychain ?? new FakeStore('keychain', 'Secret Service (default collection)');
  const files = shared?.files ?? new Map<string, FakeStore>();
  const warnings: string[] = [];
  const s = new RecordedKeyStores({
    settings,
    io: realIo(settings),
    warn: (line) => warnings.push(line),
    keychain: () => keychain,
    keyFile: (file) => {
      let f = files.get(file);
      if (f === undefined) files.set(file, (f = new FakeStore('file', file, false)));
      return f;
    },
  });
  return { s, keychain, files, warnings, infoFile: settings.keys.infoFile, keyFile: settings.keyFile };
}

describe('RecordedKeyStores', () => {
  test('keys stored with MFA_LOGIN_BACKEND=file are read from the file without it, the keychain never touched', async () => {
    const home = tempDir('stores');
    const withFile = stores({ MFA_LOGIN_BACKEND: 'file' }, home);
    await withFile.s.set('alice', KEYS);
    assert.deepEqual(JSON.parse(readFileSync(withFile.infoFile, 'utf8')).stores, { alice: { backend: 'file', file: withFile.keyFile } });

    const without = stores({}, home, withFile);
    withFile.keychain.broken = NO_DBUS;
    assert.deepEqual(await without.s.get('alice'), KEYS);
    assert.equal(without.s.backend, 'file');
    assert.equal(without.s.location, withFile.keyFile);
    assert.deepEqual(withFile.keychain.calls, []);
    assert.deepEqual(await without.s.list(), ['alice']);
    const inv = await without.s.inventory();
    assert.deepEqual([...inv.profiles], [['alice', { backend: 'file', location: withFile.keyFile }]]);
    assert.deepEqual(inv.unreadable, [], 'the default keychain holds nothing recorded: its failure is no news');
  });

  test('keys replaced without MFA_LOGIN_BACKEND stay where they are; with it naming another store they move there', async () => {
    const home = tempDir('stores');
    const a = stores({ MFA_LOGIN_BACKEND: 'file' }, home);
    await a.s.set('alice', KEYS);
    const fresh = { ...KEYS, accessKeyId: 'AKIARECORDED00000002' };
    await stores({}, home, a).s.set('alice', fresh); // rotate, run from a shell without the variable
    assert.deepEqual(a.files.get(a.keyFile)!.profiles.get('alice'), fresh);
    assert.equal(a.keychain.profiles.size, 0);

    const moved = stores({ MFA_LOGIN_BACKEND: 'keychain' }, home, a);
    await moved.s.set('alice', KEYS);
    assert.deepEqual(a.keychain.profiles.get('alice'), KEYS);
    assert.equal(a.files.get(a.keyFile)!.profiles.has('alice'), false, 'the old copy is removed');
    assert.deepEqual(JSON.parse(readFileSync(a.infoFile, 'utf8')).stores, { alice: { backend: 'keychain' } });
  });

  test('remove takes the keys out of the store that holds them and forgets the record', async () => {
    const home = tempDir('stores');
    const a = stores({ MFA_LOGIN_BACKEND: 'file' }, home);
    await a.s.set('alice', KEYS);
    const b = stores({}, home, a);
    a.keychain.broken = NO_DBUS;
    assert.equal(await b.s.remove('alice'), true);
    assert.equal(b.s.location, a.keyFile);
    assert.deepEqual(JSON.parse(readFileSync(a.infoFile, 'utf8')).stores, {});
    assert.equal(await b.s.get('alice'), undefined);
  });

  test('keys from before the record: the store MFA_LOGIN_BACKEND names, then the key file; found keys are recorded', async () => {
    const home = tempDir('stores');
    const a = stores({}, home);
    const file = new FakeStore('file', a.keyFile, true);
    file.profiles.set('old', KEYS);
    file.profiles.set('older', KEYS);
    a.files.set(a.keyFile, file);
    a.keychain.broken = NO_DBUS;
    assert.deepEqual(await a.s.get('old'), KEYS, 'the keychain failing is not the error when the keys are in the file');
    // The file is known whole from here: every profile in it is recorded.
    assert.deepEqual(JSON.parse(readFileSync(a.infoFile, 'utf8')).stores, { old: { backend: 'file', file: a.keyFile }, older: { backend: 'file', file: a.keyFile } });

    // A profile in neither: the key file, known whole, is not opened again for it; the keychain,
    // in which nothing is recorded, cannot fail the search; and the key file is where "no keys"
    // is said to be.
    assert.equal(await a.s.get('nobody'), undefined);
    assert.equal(a.s.location, a.keyFile);
    assert.ok(!file.calls.includes('get:nobody'), file.calls.join(' '));
  });

  test('with nothing recorded and no key file, the keychain is the store in use and its failure is the error', async () => {
    const a = stores({}, tempDir('stores'));
    a.keychain.broken = NO_DBUS;
    await assert.rejects(a.s.get('alice'), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_KEYCHAIN_NO_DBUS');
    await assert.rejects(a.s.list(), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_KEYCHAIN_NO_DBUS');
    await assert.rejects(a.s.ready('alice'), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_KEYCHAIN_NO_DBUS');
  });

  test('ready() checks the store the keys would go to, and a keychain that cannot take them names the key file the other keys are in', async () => {
    const home = tempDir('stores');
    const a = stores({ MFA_LOGIN_BACKEND: 'file' }, home);
    await a.s.set('alice', KEYS);
    await a.s.ready('bob');
    assert.deepEqual(a.files.get(a.keyFile)!.calls.slice(-1), ['ready']);

    const b = stores({}, home, a);
    a.keychain.broken = NO_DBUS;
    await b.s.ready('alice'); // alice's keys are replaced in the file
    await assert.rejects(b.s.ready('bob'), (e: unknown) => {
      assert.ok(e instanceof MfaLoginError);
      assert.equal(e.code, 'E_KEYCHAIN_NO_DBUS');
      assert.equal(e.hint, `the other keys are in the key file ${a.keyFile}: store these there too by running the same command with MFA_LOGIN_BACKEND=file in front`);
      return true;
    });
  });

  test('a record that cannot be written is a warning: the keys are stored all the same', async () => {
    const home = tempDir('stores');
    const a = stores({ MFA_LOGIN_BACKEND: 'file' }, home);
    await a.s.set('alice', KEYS);
    const io = realIo(settingsFrom({ MFA_LOGIN_BACKEND: 'file' }, home));
    const broken = new RecordedKeyStores({
      settings: settingsFrom({ MFA_LOGIN_BACKEND: 'file' }, home),
      io: { ...io, editFile: async () => Promise.reject(new MfaLoginError('E_FILE', 'cannot write keys.json: read-only file system')) },
      warn: (line) => a.warnings.push(line),
      keychain: () => a.keychain,
      keyFile: () => a.files.get(a.keyFile)!,
    });
    await broken.set('bob', KEYS);
    assert.deepEqual(a.files.get(a.keyFile)!.profiles.get('bob'), KEYS);
    assert.deepEqual(a.warnings, ['where the keys of bob are is not remembered (cannot write keys.json: read-only file system); without MFA_LOGIN_BACKEND=file they may not be found']);
  });

  test('a record naming a relative key file, or an unknown backend, is ignored', async () => {
    const home = tempDir('stores');
    const a = stores({}, home);
    mkdirSync(path.dirname(a.infoFile), { recursive: true });
    writeFileSync(a.infoFile, JSON.stringify({ keys: {}, rotations: {}, stores: { x: { backend: 'file', file: 'keys.enc' }, y: { backend: 'floppy' }, z: { backend: 'file', file: '/srv/keys.enc' } } }));
    a.keychain.profiles.set('x', KEYS);
    assert.deepEqual([...(await a.s.inventory()).recorded], [['z', { backend: 'file', location: '/srv/keys.enc' }]]);
    assert.deepEqual(await a.s.get('x'), KEYS, 'read from the keychain, not from a relative keys.enc');
    assert.equal(a.s.backend, 'keychain');
  });
});
