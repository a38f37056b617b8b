import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LEFTOVER_AGE_MS, writeFileAtomic } from '../../src/files/atomic-write.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o7777;

test('a new file, in directories made on the way: 0600 and 0700 unless told otherwise, no temporary file left', async () => {
  const file = path.join(dir, 'new', 'deeper', 'credentials');
  await writeFileAtomic(file, 'one');
  assert.equal(readFileSync(file, 'utf8'), 'one');
  assert.equal(mode(file), 0o600);
  assert.equal(mode(path.join(dir, 'new')), 0o700);
  assert.deepEqual(readdirSync(path.dirname(file)), ['credentials']);
  const other = path.join(dir, 'made', 'config');
  await writeFileAtomic(other, 'x', { mode: 0o640, dirMode: 0o750 });
  assert.equal(mode(other), 0o640);
  assert.equal(mode(path.join(dir, 'made')), 0o750);
});

test('an existing file keeps its own mode', async () => {
  const file = path.join(dir, 'kept');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  await writeFileAtomic(file, 'new', { mode: 0o600 });
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(mode(file), 0o640);
});

test('a symbolic link is refused and stays a link to the untouched file', async () => {
  const target = path.join(dir, 'target');
  writeFileSync(target, 'theirs');
  const link = path.join(dir, 'link');
  symlinkSync(target, link);
  await assert.rejects(writeFileAtomic(link, 'ours'), { code: 'ESYMLINK', message: `${link} is a symbolic link; refusing to replace it` });
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), 'theirs');
});

test('without makeDir a missing directory is an error, not made', async () => {
  const file = path.join(dir, 'absent', 'file');
  await assert.rejects(writeFileAtomic(file, 'x', { makeDir: false }), { code: 'ENOENT' });
  assert.equal(existsSync(path.join(dir, 'absent')), false);
});

test('temporary files of killed writers: all go under the lock; without it only old ones', async () => {
  const d = path.join(dir, 'leftovers');
  await writeFileAtomic(path.join(d, 'credentials'), 'v1');
  const fresh = path.join(d, '.credentials.123.0badc0de.tmp');
  const old = path.join(d, '.credentials.456.deadbeef.tmp');
  const notOurs = path.join(d, '.credentials.backup');
  for (const f of [fresh, old, notOurs]) writeFileSync(f, 'half');
  const long = (Date.now() - LEFTOVER_AGE_MS - 60_000) / 1000;
  utimesSync(old, long, long);
  utimesSync(notOurs, long, long);
  await writeFileAtomic(path.join(d, 'credentials'), 'v2');
  assert.deepEqual(readdirSync(d).sort(), ['.credentials.123.0badc0de.tmp', '.credentials.backup', 'credentials']);
  await writeFileAtomic(path.join(d, 'credentials'), 'v3', { locked: true });
  assert.deepEqual(readdirSync(d).sort(), ['.credentials.backup', 'credentials']);
  assert.equal(readFileSync(path.join(d, 'credentials'), 'utf8'), 'v3');
});
