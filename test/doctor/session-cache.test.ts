import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionCache } from '../../src/doctor/session-cache.js';
import type { CacheMode } from '../../src/settings.js';
import type { SessionStore } from '../../src/session-store/store.js';
import { memoryDeps } from '../memory-deps.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-doctor-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ENTRY = '0123456789abcdef.json';
const ROUTE = 'route-alice.json';

/** The check on a store of `mode` kept at `location`: only its mode and place are looked at. */
function check(mode: CacheMode, location: string) {
  const { deps } = memoryDeps();
  const nope = () => assert.fail('the check reads no session');
  deps.cache = (): SessionStore => ({ mode, location, read: nope, put: nope, forget: nope, list: nope, acquire: nope });
  return sessionCache.run(deps, { storeName: 'the key store', clockTimeoutMs: 1000 });
}

function cacheDir(name: string, mode = 0o700, files: Record<string, number> = {}): string {
  const d = path.join(dir, name);
  mkdirSync(d);
  chmodSync(d, mode);
  for (const [f, m] of Object.entries(files)) {
    writeFileSync(path.join(d, f), '{}');
    chmodSync(path.join(d, f), m);
  }
  return d;
}

test('no cache, or the agent: said as they are', async () => {
  assert.deepEqual(await check('none', 'MFA_LOGIN_CACHE=none'), [{ level: 'ok', area: 'cache', text: 'session cache: off (MFA_LOGIN_CACHE=none); every command asks STS, and for a code' }]);
  assert.deepEqual(await check('agent', '/home/alice/.cache/mfa-login/agent.sock'), [{ level: 'ok', area: 'cache', text: 'session cache: agent, ~/.cache/mfa-login/agent.sock' }]);
});

test('a private directory with private session files is fine; one not made yet too', async () => {
  const d = cacheDir('good', 0o700, { [ENTRY]: 0o600, [ROUTE]: 0o600, 'unrelated.txt': 0o644 });
  assert.deepEqual(await check('file', d), [{ level: 'ok', area: 'cache', text: `session cache: ${d} is 0700, 1 session file 0600` }]);
  assert.deepEqual(await check('file', path.join(dir, 'not-yet')), [{ level: 'ok', area: 'cache', text: `session cache: ${dir}/not-yet does not exist yet (no session cached)` }]);
});

test('a directory others can enter, and session or route files others can read: each with its chmod', async () => {
  const d = cacheDir('open', 0o755, { [ENTRY]: 0o600, [ROUTE]: 0o644 });
  assert.deepEqual(await check('file', d), [
    { level: 'FAIL', area: 'cache', text: `session cache: ${d} is 0755, so other users can enter it; it must be 0700`, fix: `chmod 700 ${d}` },
    { level: 'FAIL', area: 'cache', text: `session cache: 1 session file in ${d} can be read by others (e.g. ${ROUTE} is 0644); they must be 0600`, fix: `chmod 600 ${d}/*.json` },
  ]);
});

test('a file in the directory\'s place, another user\'s directory, a runtime directory on disk', async () => {
  const file = path.join(dir, 'a-file');
  writeFileSync(file, '');
  assert.deepEqual(await check('file', file), [{ level: 'FAIL', area: 'cache', text: `session cache: ${file} is not a directory`, fix: `remove it: rm ${file}` }]);
  const uid = process.getuid!();
  const theirs = cacheDir('theirs');
  chownSync(theirs, uid + 1, uid + 1);
  assert.deepEqual(await check('file', theirs), [{ level: 'FAIL', area: 'cache', text: `session cache: ${theirs} belongs to uid ${uid + 1}, not to you (uid ${uid})`, fix: `chown -R ${uid} ${theirs}` }]);
  const onDisk = cacheDir('runtime');
  const found = await check('runtime', onDisk);
  // Where os.tmpdir() is itself a tmpfs, the runtime directory is where it should be.
  if (found[0]!.level === 'FAIL') assert.deepEqual(found, [{ level: 'FAIL', area: 'cache', text: `session cache: ${onDisk} is not on a RAM-backed filesystem (tmpfs)`, fix: 'point XDG_RUNTIME_DIR at a tmpfs directory of yours, or use MFA_LOGIN_CACHE=file' }]);
  else assert.equal(found[0]!.text, `session cache: ${onDisk} is 0700 on tmpfs, 0 session files 0600`);
});
