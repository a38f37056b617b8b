import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseRuntimeDir, RUNTIME_POINTER, squatter, standInFor } from '../../src/session-store/runtime-dir.js';

/**
 * The stand-in for a runtime directory another user holds is found only through a pointer the
 * user alone can have written, and only where anyone may create names (a sticky, world-writable
 * parent like /dev/shm): everything else is left to the usual directory checks.
 */
const uid = process.getuid?.();
const needsRoot = uid !== 0 && process.env.CI !== 'true' ? 'making a directory of another user\'s needs root' : false;

function place() {
  const shm = mkdtempSync('/dev/shm/mfl-runtime-dir-');
  chmodSync(shm, 0o1777);
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfl-runtime-dir-'));
  const pointerDir = path.join(home, 'cache');
  const dir = path.join(shm, `mfa-login-${uid}`);
  return { shm, dir, pointerDir, pointer: path.join(pointerDir, RUNTIME_POINTER), done: () => (rmSync(shm, { recursive: true, force: true }), rmSync(home, { recursive: true, force: true })) };
}

test('only another user\'s directory in a sticky world-writable parent counts as taken', { skip: needsRoot }, () => {
  const p = place();
  try {
    assert.equal(squatter(p.dir, uid), undefined, 'absent');
    mkdirSync(p.dir, { mode: 0o700 });
    assert.equal(squatter(p.dir, uid), undefined, 'the user\'s own');
    chownSync(p.dir, 65534, 65534);
    assert.equal(squatter(p.dir, uid), 65534);
    chmodSync(p.shm, 0o700);
    assert.equal(squatter(p.dir, uid), undefined, 'a parent only root writes to: the directory checks refuse it as before');
    chmodSync(p.shm, 0o1777);
    assert.deepEqual(chooseRuntimeDir(p.dir, p.pointerDir, uid, false), { dir: undefined, squatter: 65534 }, 'nothing is made unless asked');
    assert.deepEqual(readdirSync(p.shm), [path.basename(p.dir)]);
  } finally {
    p.done();
  }
});

test('a pointer is followed only as a private file of the user\'s holding a suffix: planted, open, linked or odd ones lead nowhere', { skip: needsRoot }, () => {
  const p = place();
  try {
    mkdirSync(p.dir, { mode: 0o700 });
    chownSync(p.dir, 65534, 65534);
    const made = chooseRuntimeDir(p.dir, p.pointerDir, uid, true);
    assert.match(made.dir ?? '', new RegExp(`^${p.dir}-[0-9a-f]{16}$`));
    assert.equal(standInFor(p.dir, p.pointerDir, uid), made.dir, 'the cached path finds the same one');
    assert.deepEqual(chooseRuntimeDir(p.dir, p.pointerDir, uid, true), made, 'and so does the next process');
    const good = readFileSync(p.pointer, 'utf8');
    const cases: Array<[string, () => void]> = [
      ['another user\'s pointer', () => (writeFileSync(p.pointer, good, { mode: 0o600 }), chownSync(p.pointer, 65534, 65534))],
      ['a pointer others can write', () => (writeFileSync(p.pointer, good), chmodSync(p.pointer, 0o666))],
      ['a link', () => (writeFileSync(`${p.pointer}.real`, good, { mode: 0o600 }), symlinkSync(`${p.pointer}.real`, p.pointer))],
      ['a path instead of a suffix', () => writeFileSync(p.pointer, `../../tmp/x\n`, { mode: 0o600 })],
      ['a pointer directory open to others', () => (writeFileSync(p.pointer, good, { mode: 0o600 }), chmodSync(p.pointerDir, 0o755))],
    ];
    for (const [what, plant] of cases) {
      rmSync(p.pointer, { force: true });
      rmSync(`${p.pointer}.real`, { force: true });
      chmodSync(p.pointerDir, 0o700);
      plant();
      let found: string | undefined;
      try {
        found = standInFor(p.dir, p.pointerDir, uid);
      } catch {
        found = undefined; // refused outright is as good
      }
      assert.equal(found, undefined, what);
    }
  } finally {
    p.done();
  }
});
