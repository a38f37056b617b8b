import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { editFile, lockPathOf } from '../../src/files/edit-file.js';
import { takeLock } from '../../src/files/lock-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-edit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const WAIT = { waitMs: 10_000 };

test('a first edit makes the file (0600 in a 0700 directory) from no text; the lock goes with it', async () => {
  const file = path.join(dir, 'first', 'credentials');
  const seen: Array<string | undefined> = [];
  assert.equal(await editFile(file, (t) => (seen.push(t), '[a]\n'), WAIT), true);
  assert.deepEqual(seen, [undefined]);
  assert.equal(readFileSync(file, 'utf8'), '[a]\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.equal(existsSync(lockPathOf(file)), false);
});

test('an edit that changes nothing (same text, or undefined) writes nothing', async () => {
  const file = path.join(dir, 'same');
  writeFileSync(file, 'text');
  const before = statSync(file).ino;
  assert.equal(await editFile(file, (t) => t, WAIT), false);
  assert.equal(await editFile(file, () => undefined, WAIT), false);
  assert.equal(statSync(file).ino, before);
});

test('the edit runs on what the reader given reads', async () => {
  const file = path.join(dir, 'read');
  writeFileSync(file, 'on disk');
  await editFile(file, (t) => `${t}, edited`, { ...WAIT, read: async () => 'decrypted' });
  assert.equal(readFileSync(file, 'utf8'), 'decrypted, edited');
});

test('through a symbolic link: the file it leads to is written, and the link stays', async () => {
  const target = path.join(dir, 'dotfiles-credentials');
  writeFileSync(target, 'old');
  const link = path.join(dir, 'linked-credentials');
  symlinkSync(target, link);
  assert.equal(await editFile(link, (t) => `${t}+new`, WAIT), true);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'old+new');
});

test('a writer holding the lock all the while: E_BUSY, saying nothing changed and how to wait longer', async () => {
  const file = path.join(dir, 'busy');
  writeFileSync(file, 'theirs');
  const got = await takeLock(lockPathOf(file), { waitMs: 1000, busy: () => new Error('busy'), cannotTake: (e) => e });
  assert.ok('held' in got);
  try {
    await assert.rejects(editFile(file, () => 'ours', { waitMs: 200 }), (e: unknown) => {
      assert.ok(e instanceof MfaLoginError);
      assert.equal(e.code, 'E_BUSY');
      assert.equal(e.exitStatus, EXIT.cache);
      assert.match(e.message, new RegExp(`^${file} is locked by another mfa-login for \\d+s; gave up waiting after \\d+s, nothing was changed$`));
      assert.match(e.hint!, /MFA_LOGIN_LOCK_TIMEOUT=SECONDS$/);
      return true;
    });
  } finally {
    await got.held.release();
  }
  assert.equal(readFileSync(file, 'utf8'), 'theirs');
  assert.equal(await editFile(file, () => 'ours', WAIT), true);
});

test('a file under a file: E_FILE saying so, nothing changed', async () => {
  const notDir = path.join(dir, 'a-file');
  writeFileSync(notDir, '');
  const file = path.join(notDir, 'credentials');
  await assert.rejects(editFile(file, () => 'x', WAIT), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_FILE');
    assert.equal(e.exitStatus, EXIT.config);
    assert.match(e.message, new RegExp(`^cannot write ${file}: ENOTDIR: not a directory.*; nothing was changed$`));
    return true;
  });
});

test('a file whose lock cannot be made: E_FILE naming the lock, nothing changed', async () => {
  const file = path.join(dir, 'lock-is-a-dir');
  writeFileSync(file, 'theirs');
  mkdirSync(lockPathOf(file));
  await assert.rejects(editFile(file, () => 'x', WAIT), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_FILE');
    assert.match(e.message, new RegExp(`^cannot write ${file}: its lock ${file}\\.lock cannot be made \\(.*\\); nothing was changed$`));
    return true;
  });
  assert.equal(readFileSync(file, 'utf8'), 'theirs');
});

test('a link to a file that cannot be replaced: E_FILE naming the link and its target', async () => {
  const target = path.join(dir, 'read-only');
  writeFileSync(target, 'theirs');
  chmodSync(target, 0o400);
  const link = path.join(dir, 'link-to-read-only');
  symlinkSync(target, link);
  await assert.rejects(editFile(link, () => 'x', WAIT), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_FILE');
    assert.match(e.message, new RegExp(`^cannot write ${link} \\(a link to ${target}\\): .*read-only.*; nothing was changed$`));
    return true;
  });
  assert.equal(readFileSync(target, 'utf8'), 'theirs');
});

// A directory in the file's place: the edit's read fails, and says so as a write that cannot be
// made would (E_FILE, exit 3), not as an internal error.
test('a directory in the file\'s place: E_FILE, like any other file that cannot be written', async () => {
  const file = path.join(dir, 'is-a-dir');
  mkdirSync(file);
  await assert.rejects(editFile(file, () => 'x', WAIT), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_FILE' && e.message === `cannot write ${file}: it is a directory; nothing was changed`);
});
