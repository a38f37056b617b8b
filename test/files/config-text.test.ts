import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeConfigText, plainConfigText, readConfigFile } from '../../src/files/config-text.js';
import { MfaLoginError } from '../../src/errors.js';

/** The cached path's reading of a config file must agree with the strict one wherever it answers. */
const texts: Array<[string, Buffer]> = [
  ['plain', Buffer.from('[profile a]\nregion = eu-west-1\n')],
  ['with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[default]\nregion = us-east-1\n')])],
  ['non-ASCII', Buffer.from('[profile café]\nregion = eu-west-1\n')],
  ['empty', Buffer.alloc(0)],
];

for (const [what, bytes] of texts) {
  test(`plain config text, ${what}: the same text as the strict decoder`, () => {
    assert.equal(plainConfigText(bytes.toString('utf8')), decodeConfigText(bytes, 'config'));
  });
}

test('plain config text: a bad byte or a real U+FFFD is not vouched for, and the strict decoder names the line', () => {
  const bad = Buffer.concat([Buffer.from('[default]\n# caf'), Buffer.from([0xe9, 0x0a])]);
  assert.equal(plainConfigText(bad.toString('utf8')), undefined);
  assert.throws(() => decodeConfigText(bad, 'config'), /config is not UTF-8 text \(invalid byte at line 2\)/);
  assert.equal(plainConfigText('[default]\nregion = \uFFFD\n'), undefined);
});

test('readConfigFile: a regular file is read whole, even one that reports no size; nothing at the path is undefined', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-config-text-'));
  try {
    writeFileSync(path.join(dir, 'config'), '[default]\nregion = eu-west-1\n');
    assert.equal(readConfigFile(path.join(dir, 'config')), '[default]\nregion = eu-west-1\n');
    assert.equal(readConfigFile(path.join(dir, 'missing')), undefined);
    // procfs files say they are empty; their text is read to its end all the same.
    if (process.platform === 'linux') assert.match(readConfigFile('/proc/self/status')!, /^Name:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readConfigFile: what is not a regular file is refused without being read or waited on', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-config-text-'));
  try {
    const fifo = path.join(dir, 'fifo');
    const cases: Array<[string, string]> = [[dir, 'it is a directory'], ['/dev/zero', 'it is a character device, not a file']];
    if (spawnSync('mkfifo', [fifo]).status === 0) cases.push([fifo, 'it is a named pipe (FIFO), not a file']);
    for (const [file, what] of cases) {
      assert.throws(
        () => readConfigFile(file),
        (e: unknown) => e instanceof MfaLoginError && e.code === 'E_FILE' && e.exitStatus === 3 && e.message === `cannot read ${file}: ${what}` && e.hint === undefined,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
