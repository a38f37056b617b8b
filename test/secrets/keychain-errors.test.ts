import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MfaLoginError } from '../../src/errors.js';
import { KeychainStore, type KeyringEntry, type KeyringModule } from '../../src/secrets/keychain-store.js';
import {
  KEYCHAIN_STEPS_SCRIPT,
  isolatedEnv,
  parseSteps,
  requireKeyring,
  run,
  skipWithoutKeyring,
  tempDir,
  type StepResult,
} from './helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1';
const keys = { accessKeyId: 'AKIAEXAMPLEKEYID0001', secretAccessKey: SECRET };

// Texts @napi-rs/keyring 2.1.2 produces; the first of each pair from Entry (libdbus), the second
// from findCredentials (zbus).
const NO_DBUS = 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';
const NO_DBUS_ZBUS = 'zbus error: Failed to connect to address `unix:path=/run/user/1000/bus`: No such file or directory (os error 2)';
const DEAD_BUS = 'Platform failure: DBus error: Failed to connect to socket /nonexistent/bus: No such file or directory';
const NO_DAEMON = 'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files';
const NO_DAEMON_ZBUS = 'zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files';
const LOCKED = "Couldn't access platform storage: Secret Service: unlock prompt was dismissed";
const LOCKED_ZBUS = 'zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object';
const NO_COLLECTION = "Couldn't access platform storage: Secret Service: no result found";

interface FakeOptions {
  construct?: string;
  get?: string | null;
  set?: string;
  find?: string;
  probeSet?: string;
}

/** A fake @napi-rs/keyring: each option is the error text that call throws. */
function fakeKeyring(o: FakeOptions) {
  const calls: string[] = [];
  const module: KeyringModule = {
    AsyncEntry: class implements KeyringEntry {
      constructor(
        private readonly service: string,
        private readonly account: string,
        options?: unknown,
      ) {
        calls.push(`new ${service}/${account} ${JSON.stringify(options)}`);
        if (o.construct) throw new Error(o.construct);
      }
      async getPassword(): Promise<string | null> {
        calls.push(`get ${this.service}/${this.account}`);
        if (typeof o.get === 'string') throw new Error(o.get);
        return null;
      }
      async setPassword(password: string): Promise<void> {
        calls.push(`set ${this.service}/${this.account}`);
        const failure = this.service.endsWith(':unlock-probe') ? o.probeSet : o.set;
        // Worst case: a library that quotes what it was given.
        if (failure) throw new Error(`${failure} (while storing ${password})`);
      }
      async deleteCredential(): Promise<boolean> {
        calls.push(`delete ${this.service}/${this.account}`);
        return false;
      }
    },
    async findCredentialsAsync() {
      calls.push('find');
      if (o.find) throw new Error(o.find);
      return [];
    },
  };
  return { calls, store: new KeychainStore({ platform: 'linux', loadKeyring: async () => module }) };
}

async function failure(p: Promise<unknown>): Promise<MfaLoginError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MfaLoginError, `not a MfaLoginError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('KeychainStore error mapping (fake keyring module)', () => {
  const cases: Array<{ name: string; fake: FakeOptions; op: (s: KeychainStore) => Promise<unknown>; code: string; starts: RegExp }> = [
    { name: 'no bus address, Entry', fake: { construct: NO_DBUS }, op: (s) => s.get('dev'), code: 'E_KEYCHAIN_NO_DBUS', starts: /^no D-Bus session bus / },
    { name: 'no bus address, findCredentials', fake: { find: NO_DBUS_ZBUS }, op: (s) => s.list(), code: 'E_KEYCHAIN_NO_DBUS', starts: /^no D-Bus session bus / },
    { name: 'dead bus socket', fake: { construct: DEAD_BUS }, op: (s) => s.set('dev', keys), code: 'E_KEYCHAIN_NO_DBUS', starts: /^no D-Bus session bus / },
    { name: 'no Secret Service, Entry', fake: { construct: NO_DAEMON }, op: (s) => s.remove('dev'), code: 'E_KEYCHAIN_NO_DAEMON', starts: /^no Secret Service on the D-Bus session bus / },
    { name: 'no Secret Service, findCredentials', fake: { find: NO_DAEMON_ZBUS }, op: (s) => s.list(), code: 'E_KEYCHAIN_NO_DAEMON', starts: /^no Secret Service / },
    { name: 'locked item read', fake: { get: LOCKED }, op: (s) => s.get('dev'), code: 'E_KEYCHAIN_LOCKED', starts: /^the Secret Service keyring is locked: cannot read the keys of profile "dev"$/ },
    { name: 'locked list', fake: { find: LOCKED_ZBUS }, op: (s) => s.list(), code: 'E_KEYCHAIN_LOCKED', starts: /^the Secret Service keyring is locked: cannot list / },
    { name: 'locked write', fake: { set: LOCKED }, op: (s) => s.set('dev', keys), code: 'E_KEYCHAIN_LOCKED', starts: /^the Secret Service keyring is locked: cannot store the keys of profile "dev"$/ },
    {
      name: 'hidden locked collection: read says "nothing", the probe write says locked',
      fake: { get: null, probeSet: LOCKED },
      op: (s) => s.get('dev'),
      code: 'E_KEYCHAIN_LOCKED',
      starts: /^the Secret Service keyring is locked: cannot read the keys of profile "dev"$/,
    },
    {
      name: 'hidden locked collection on list',
      fake: { probeSet: LOCKED },
      op: (s) => s.list(),
      code: 'E_KEYCHAIN_LOCKED',
      starts: /^the Secret Service keyring is locked/,
    },
    { name: 'no default collection', fake: { set: NO_COLLECTION }, op: (s) => s.set('dev', keys), code: 'E_KEYCHAIN', starts: /^the Secret Service has no default keyring/ },
    { name: 'anything else', fake: { get: 'Ambiguous: 2 credentials match' }, op: (s) => s.get('dev'), code: 'E_KEYCHAIN', starts: /^OS keychain error: cannot read the keys of profile "dev": Ambiguous/ },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const { store } = fakeKeyring(c.fake);
      const e = await failure(c.op(store));
      assert.equal(e.code, c.code);
      assert.match(e.message, c.starts);
      assert.ok(!e.message.includes('\n'), 'one line');
      assert.ok(e.hint, 'a hint says what to do');
    });
  }

  test('the secret never appears in a message or a cause, even when the library quotes it', async () => {
    for (const set of [LOCKED, 'some unforeseen failure']) {
      const { store } = fakeKeyring({ set });
      const e = await failure(store.set('dev', keys));
      assert.ok(!e.message.includes(SECRET), e.message);
      assert.ok(!(e.hint ?? '').includes(SECRET));
      assert.equal(e.cause, undefined);
    }
  });

  test('entries are pinned to the Secret Service, under service "mfa-login"', async () => {
    const { store, calls } = fakeKeyring({});
    await store.get('dev');
    assert.equal(calls[0], 'new mfa-login/dev {"linux":{"store":"secret-service"}}');
  });

  test('an empty answer is checked once per store with a probe write that is deleted again', async () => {
    const { store, calls } = fakeKeyring({});
    assert.equal(await store.get('dev'), undefined);
    assert.deepEqual(calls, [
      'new mfa-login/dev {"linux":{"store":"secret-service"}}',
      'get mfa-login/dev',
      'new mfa-login:unlock-probe/probe {"linux":{"store":"secret-service"}}',
      'set mfa-login:unlock-probe/probe',
      'delete mfa-login:unlock-probe/probe',
      'get mfa-login/dev',
    ]);
    calls.length = 0;
    assert.equal(await store.get('dev'), undefined);
    assert.deepEqual(calls, ['new mfa-login/dev {"linux":{"store":"secret-service"}}', 'get mfa-login/dev']);
  });

  test('no probe on macOS or Windows, where a locked keychain fails or prompts on the read', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const calls: string[] = [];
      const module: KeyringModule = {
        AsyncEntry: class {
          constructor(service: string) {
            calls.push(`new ${service}`);
          }
          getPassword = async () => null;
          setPassword = async () => void calls.push('set');
          deleteCredential = async () => false;
        },
        findCredentialsAsync: async () => [],
      };
      const store = new KeychainStore({ platform, loadKeyring: async () => module });
      assert.equal(await store.get('dev'), undefined);
      assert.deepEqual(calls, ['new mfa-login']);
    }
  });

  test('an item that is not ours is reported without quoting it', async () => {
    const module: KeyringModule = {
      AsyncEntry: class {
        getPassword = async () => `not json ${SECRET}`;
        setPassword = async () => {};
        deleteCredential = async () => false;
      },
      findCredentialsAsync: async () => [],
    };
    const e = await failure(new KeychainStore({ platform: 'linux', loadKeyring: async () => module }).get('dev'));
    assert.equal(e.code, 'E_KEYCHAIN');
    assert.match(e.message, /^the keychain item for profile "dev" \(service "mfa-login"\) is not in a format mfa-login understands$/);
    assert.ok(!e.message.includes(SECRET));
  });
});

// The real thing: each failure mode set up for real around a child process running the store.

function byStep(results: StepResult[]): Record<string, StepResult> {
  return Object.fromEntries(results.map((r) => [r.step, r]));
}

function assertNoSecret(text: string): void {
  assert.ok(!text.includes(SECRET), 'the secret leaked into the output');
}

function stepArgs(steps: string[]): string[] {
  return ['--input-type=module', '-e', KEYCHAIN_STEPS_SCRIPT, ...steps];
}

describe('KeychainStore failure modes, for real', { skip: process.platform === 'linux' ? false : 'Linux only' }, () => {
  test('no D-Bus session bus', async () => {
    const home = tempDir('nodbus');
    const env = isolatedEnv(home, { MFA_TEST_SECRET: SECRET });
    const out = await run(process.execPath, stepArgs(['get:dev', 'set:dev', 'remove:dev', 'list']), { env });
    assertNoSecret(out.stdout + out.stderr);
    const results = parseSteps(out.stdout);
    assert.equal(results.length, 4, out.stderr);
    for (const r of results) {
      assert.equal(r.code, 'E_KEYCHAIN_NO_DBUS', JSON.stringify(r));
      assert.match(r.message ?? '', /^no D-Bus session bus \(DBUS_SESSION_BUS_ADDRESS is not set\): cannot reach the Secret Service to /);
      assert.match(r.hint ?? '', /dbus-run-session.*MFA_LOGIN_BACKEND=file/);
    }
    assert.equal(byStep(results)['get:dev']?.message, 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): cannot reach the Secret Service to read the keys of profile "dev"');
  });

  test('a session bus with no Secret Service on it', { skip: skipWithoutKeyring }, async () => {
    requireKeyring();
    const home = tempDir('nodaemon');
    // A bus that knows no services to activate, like a machine without gnome-keyring installed
    // (this one has it, and the stock session bus would start it on demand).
    const config = path.join(home, 'bus.conf');
    writeFileSync(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${home}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
    );
    const env = isolatedEnv(home, { MFA_TEST_SECRET: SECRET });
    const out = await run('dbus-run-session', [`--config-file=${config}`, '--', process.execPath, ...stepArgs(['get:dev', 'set:dev', 'list'])], { env });
    assertNoSecret(out.stdout + out.stderr);
    const results = parseSteps(out.stdout);
    assert.equal(results.length, 3, out.stderr);
    for (const r of results) {
      assert.equal(r.code, 'E_KEYCHAIN_NO_DAEMON', JSON.stringify(r));
      assert.match(r.message ?? '', /^no Secret Service on the D-Bus session bus \(org\.freedesktop\.secrets was not provided\): cannot /);
      assert.match(r.hint ?? '', /gnome-keyring.*MFA_LOGIN_BACKEND=file/);
    }
  });

  test('a locked collection is reported as locked, never as "no keys stored"', { skip: skipWithoutKeyring }, async () => {
    requireKeyring();
    const home = tempDir('locked');
    const env = isolatedEnv(home, { MFA_TEST_SECRET: SECRET, MFA_TEST_SERVICE: 'mfa-login' });
    writeFileSync(path.join(home, 'password'), 'test-password');
    // First daemon: creates and unlocks the login keyring, stores a key, stops. Second daemon:
    // loads the same keyring from disk, locked (no password given), as after a reboot.
    const script = `
      set -e
      ready() {
        n=0
        until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
            org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets >/dev/null 2>&1; do
          n=$((n + 1)); [ "$n" -lt 100 ] || { echo "keyring daemon did not start" >&2; exit 1; }
          sleep 0.05
        done
      }
      gnome-keyring-daemon --foreground --unlock --components=secrets <"$HOME/password" >/dev/null 2>&1 &
      daemon=$!; ready
      "$@" set:dev
      kill $daemon; wait $daemon || true
      gnome-keyring-daemon --foreground --components=secrets </dev/null >/dev/null 2>&1 &
      daemon=$!; ready
      "$@" get:dev get:nobody list remove:nobody set:other
      kill $daemon; wait $daemon || true
    `;
    const out = await run('dbus-run-session', ['--', 'sh', '-c', script, 'sh', process.execPath, ...stepArgs([])], { env });
    assertNoSecret(out.stdout + out.stderr);
    const r = byStep(parseSteps(out.stdout));
    assert.deepEqual(r['set:dev'], { step: 'set:dev', ok: true, value: null }, out.stderr);
    for (const [step, what] of [
      ['get:dev', 'read the keys of profile "dev"'],
      ['get:nobody', 'read the keys of profile "nobody"'],
      ['list', 'list the profiles with stored keys'],
      ['remove:nobody', 'remove the keys of profile "nobody"'],
      ['set:other', 'store the keys of profile "other"'],
    ] as const) {
      assert.equal(r[step]?.code, 'E_KEYCHAIN_LOCKED', `${step}: ${JSON.stringify(r[step])}\n${out.stderr}`);
      assert.equal(r[step]?.message, `the Secret Service keyring is locked: cannot ${what}`);
      assert.match(r[step]?.hint ?? '', /unlock it .*MFA_LOGIN_BACKEND=file/);
    }
  });

  test('gnome-keyring started by the bus with no login keyring: "no default keyring", not "no keys"', { skip: skipWithoutKeyring }, async () => {
    requireKeyring();
    const home = tempDir('nocollection');
    const env = isolatedEnv(home, { MFA_TEST_SECRET: SECRET });
    // The stock session bus activates gnome-keyring on first use; it starts with no collection.
    const out = await run('dbus-run-session', ['--', process.execPath, ...stepArgs(['get:dev', 'set:dev'])], { env });
    assertNoSecret(out.stdout + out.stderr);
    const r = byStep(parseSteps(out.stdout));
    for (const [step, what] of [
      ['get:dev', 'read the keys of profile "dev"'],
      ['set:dev', 'store the keys of profile "dev"'],
    ] as const) {
      assert.equal(r[step]?.code, 'E_KEYCHAIN', `${step}: ${JSON.stringify(r[step])}\n${out.stderr}`);
      assert.equal(r[step]?.message, `the Secret Service has no default keyring to hold keys: cannot ${what}`);
    }
  });
});
