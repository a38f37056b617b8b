import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { KeychainStore } from '../../src/secrets/keychain-store.js';
import { requireKeyring, run, skipWithoutKeyring } from './helpers.js';

// Each test files its items under a service of its own: other test files may use the same
// private keyring at the same time (the CLI's own tests store under "mfa-login").
let serial = 0;
function freshStore(): { store: KeychainStore; service: string } {
  const service = `mfa-login-test-${process.pid}-${++serial}`;
  return { store: new KeychainStore({ service }), service };
}

/** secret-tool is libsecret: a Secret Service client independent of the one under test. */
async function secretTool(t: TestContext, args: string[]): Promise<string | undefined> {
  const result = await run('secret-tool', args).catch((e: unknown) => e as Error);
  if (result instanceof Error) {
    if (process.env.CI === 'true') assert.fail(`secret-tool is needed in CI (apt-get install libsecret-tools): ${result.message}`);
    t.skip('secret-tool not installed (libsecret-tools)');
    return undefined;
  }
  // search prints the item paths on stderr and the rest on stdout; both matter here.
  return result.stdout + result.stderr;
}

const alice = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/Secret+Key/ExampleExampleExample01' };
const bob = { accessKeyId: 'AKIABOBEXAMPLE000002', secretAccessKey: 'bob/Secret+Key/ExampleExampleExample0002' };

describe('KeychainStore against a real Secret Service', { skip: skipWithoutKeyring }, () => {
  test('set, get, list and remove round-trip', async () => {
    requireKeyring();
    const { store } = freshStore();
    assert.equal(store.backend, 'keychain');
    assert.equal(store.location, 'Secret Service (default collection)');
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.get('alice'), undefined);

    await store.set('alice', alice);
    assert.deepEqual(await store.get('alice'), alice);
    assert.deepEqual(await store.list(), ['alice']);

    assert.equal(await store.remove('alice'), true);
    assert.equal(await store.remove('alice'), false);
    assert.equal(await store.get('alice'), undefined);
    assert.deepEqual(await store.list(), []);
  });

  test('set overwrites the keys of a profile instead of adding a second item', async (t) => {
    requireKeyring();
    const { store, service } = freshStore();
    await store.set('alice', alice);
    await store.set('alice', bob);
    t.after(() => store.remove('alice'));
    assert.deepEqual(await store.get('alice'), bob);
    assert.deepEqual(await store.list(), ['alice']);
    const found = await secretTool(t, ['search', '--all', 'service', service]);
    if (found !== undefined) assert.equal(found.match(/^\[\//gm)?.length, 1, found);
  });

  test('two profiles are kept apart and listed sorted', async () => {
    requireKeyring();
    const { store } = freshStore();
    await store.set('zeta', bob);
    await store.set('alpha', alice);
    assert.deepEqual(await store.get('alpha'), alice);
    assert.deepEqual(await store.get('zeta'), bob);
    assert.deepEqual(await store.list(), ['alpha', 'zeta']);
    assert.equal(await store.remove('zeta'), true);
    assert.deepEqual(await store.get('alpha'), alice);
    assert.deepEqual(await store.list(), ['alpha']);
    await store.remove('alpha');
  });

  test('unicode and unusual profile names round-trip', async () => {
    requireKeyring();
    const { store } = freshStore();
    const names = ['ünïcødé', '日本語-prod', 'team 🔐 admin', 'with space', '__proto__', 'a:b/c=d'];
    for (const [i, name] of names.entries()) {
      await store.set(name, { accessKeyId: `AKIAUNICODE00000000${i}`, secretAccessKey: `secret-${i}-${name}` });
    }
    for (const [i, name] of names.entries()) {
      assert.deepEqual(await store.get(name), { accessKeyId: `AKIAUNICODE00000000${i}`, secretAccessKey: `secret-${i}-${name}` });
    }
    assert.deepEqual(await store.list(), [...names].sort());
    for (const name of names) assert.equal(await store.remove(name), true);
    assert.deepEqual(await store.list(), []);
  });

  test('the item is in the Secret Service (libsecret sees it), not in the kernel keyring', async (t) => {
    requireKeyring();
    const { store, service } = freshStore();
    await store.set('alice', alice);
    t.after(() => store.remove('alice'));

    const lookup = await secretTool(t, ['lookup', 'service', service, 'username', 'alice']);
    if (lookup === undefined) return;
    const item = JSON.parse(lookup) as Record<string, unknown>;
    assert.equal(item.accessKeyId, alice.accessKeyId);
    assert.equal(item.secretAccessKey, alice.secretAccessKey);

    // Kernel keys this process can see are listed in /proc/keys with their descriptions.
    let procKeys = '';
    try {
      procKeys = readFileSync('/proc/keys', 'utf8');
    } catch {
      /* kernel without key retention: nothing could have landed there */
    }
    assert.ok(!procKeys.includes(service), 'an item reached the kernel keyring');
  });

  test('a missing profile in an unlocked keyring is "not stored", and the lock probe leaves nothing behind', async (t) => {
    requireKeyring();
    const { store, service } = freshStore();
    assert.equal(await store.get('nobody'), undefined);
    assert.equal(await store.remove('nobody'), false);
    const probe = await secretTool(t, ['search', '--all', 'service', `${service}:unlock-probe`]);
    if (probe !== undefined) assert.equal(probe, '');
  });
});
