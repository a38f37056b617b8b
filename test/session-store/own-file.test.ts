import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOwnFile } from '../../src/session-store/own-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-own-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const uid = process.getuid!();
function file(name: string, text: string, mode = 0o600): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

test('a private regular file of ours, within the size: its text', () => {
  assert.equal(readOwnFile(file('ok.json', '{"a":1}'), uid, 100), '{"a":1}');
  assert.equal(readOwnFile(file('exact.json', '12345'), uid, 5), '12345');
  assert.equal(readOwnFile(file('any-owner.json', 'x'), undefined, 5), 'x');
});

test('anything else is not read: open to others, too big, a link, a directory, another\'s, none', () => {
  assert.equal(readOwnFile(file('group.json', 'x', 0o640), uid, 100), undefined);
  assert.equal(readOwnFile(file('world.json', 'x', 0o604), uid, 100), undefined);
  assert.equal(readOwnFile(file('big.json', '123456'), uid, 5), undefined);
  const link = path.join(dir, 'link.json');
  symlinkSync(file('target.json', 'x'), link);
  assert.equal(readOwnFile(link, uid, 100), undefined);
  mkdirSync(path.join(dir, 'dir.json'), { mode: 0o700 });
  assert.equal(readOwnFile(path.join(dir, 'dir.json'), uid, 100), undefined);
  const theirs = file('theirs.json', 'x');
  chownSync(theirs, uid + 1, uid + 1);
  assert.equal(readOwnFile(theirs, uid, 100), undefined);
  assert.equal(readOwnFile(path.join(dir, 'none.json'), uid, 100), undefined);
});
