import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT } from '../../src/errors.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { forgetEverywhere } from '../../src/session/forget.js';
import { session } from '../session-store/helpers.js';
import { memoryDeps } from '../memory-deps.js';
import { refusal } from '../refusal.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-forget-'));
after(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid!();

/** Deps whose file-mode and runtime directories (and the agent's socket) are under `name`. */
function place(name: string) {
  const base = path.join(root, name);
  mkdirSync(path.join(base, 'run'), { recursive: true, mode: 0o700 });
  const cache = path.join(base, 'cache');
  return { cache, m: memoryDeps({ env: { MFA_LOGIN_CACHE_DIR: cache, XDG_RUNTIME_DIR: path.join(base, 'run') } }) };
}

test("sessions left in the file mode's directory go, and no agent is started to find none", async () => {
  const { cache, m } = place('left');
  const store = dirStore({ mode: 'file', dir: cache, ram: false, uid, waitMs: 5000 });
  await store.put('alice-key', session('ASIA1', 3600_000, ['alice']));
  await store.put('bob-key', session('ASIA2', 3600_000, ['bob']));
  assert.equal(await forgetEverywhere(m.deps, 'alice'), 1);
  assert.deepEqual((await store.list()).map((s) => s.profiles), [['bob']]);
  assert.equal(await forgetEverywhere(m.deps, undefined), 1);
  assert.deepEqual(await store.list(), []);
  assert.deepEqual(m.stderr, []);
});

test("another user's directory in the cache's place held nothing of ours: said, and the rest goes on", async () => {
  const { cache, m } = place('foreign');
  mkdirSync(cache, { mode: 0o700 });
  chownSync(cache, uid + 1, uid + 1);
  assert.equal(await forgetEverywhere(m.deps, undefined), 0);
  assert.deepEqual(m.stderr, [
    `mfa-login: warning: the session directory ${cache} belongs to user id ${uid + 1}, not to you (${uid}); refusing to use it\n` +
      `  hint: someone else made it: have it removed (as root: rm -r ${cache}), or meanwhile keep sessions in a directory of yours: export MFA_LOGIN_CACHE=file MFA_LOGIN_CACHE_DIR="$HOME/.cache/mfa-login-private"\n`,
  ]);
});

test('a directory of our own that is refused (open to others) may hold sessions: that stays an error', async () => {
  const { cache, m } = place('open');
  mkdirSync(cache, { mode: 0o700 });
  chmodSync(cache, 0o755);
  const e = await refusal(forgetEverywhere(m.deps, undefined), 'E_CACHE', EXIT.cache);
  assert.match(e.message, /is open to other users \(mode 755\)/);
  assert.deepEqual(readdirSync(cache), []);
});
