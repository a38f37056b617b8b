import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { checkBeforeWriting, octal, openToOthers, whyNotReplaceable, writeTarget } from '../../src/files/file-safety.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-file-safety-'));
process.once('exit', () => {
  // A directory left 0500 by a test cannot be emptied until it is writable again.
  chmodSync(dir, 0o700);
  try {
    chmodSync(path.join(dir, 'locked'), 0o700);
  } catch {
    // not made (the test failed before)
  }
  rmSync(dir, { recursive: true, force: true });
});
const at = (...names: string[]) => path.join(dir, ...names);
const asRoot = process.getuid?.() === 0;
/** Who the permission tests run as: root writes anywhere, so as root they run as user 65534. */
const NOBODY = 65534;
if (asRoot) chownSync(dir, NOBODY, NOBODY);

/**
 * checkBeforeWriting's refusal, asked by a process that permissions bind: this one, or, when the
 * suite runs as root, a child as user 65534 (setpriv, util-linux) that owns the test's files.
 */
function refusalOfUser(file: string): { message: string; code: string; exitStatus: number } {
  const module = new URL('../../src/files/file-safety.js', import.meta.url).pathname;
  const script = `import(${JSON.stringify(module)}).then((m) => m.checkBeforeWriting(process.argv[1])).then(() => console.log('accepted'), (e) => console.log(JSON.stringify({ message: e.message, code: e.code, exitStatus: e.exitStatus })))`;
  const node = [process.execPath, '--input-type=module', '-e', script, file];
  const argv = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...node] : node;
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.notEqual(r.stdout.trim(), 'accepted', `${file} was accepted`);
  return JSON.parse(r.stdout) as { message: string; code: string; exitStatus: number };
}

/** A file or directory of the user the permission tests run as. */
function owned(file: string): void {
  if (asRoot) chownSync(file, NOBODY, NOBODY);
}

async function refusal(file: string): Promise<MfaLoginError> {
  const e = await checkBeforeWriting(file).then(
    () => assert.fail(`${file} was accepted`),
    (e: unknown) => e,
  );
  assert.ok(e instanceof MfaLoginError);
  assert.equal(e.code, 'E_FILE');
  assert.equal(e.exitStatus, EXIT.config);
  return e;
}

test('a file of ours, private: nothing to say; open to others: the warning with its chmod', async () => {
  writeFileSync(at('private'), 'x', { mode: 0o600 });
  assert.equal(await checkBeforeWriting(at('private')), undefined);
  writeFileSync(at('open'), 'x');
  chmodSync(at('open'), 0o644);
  assert.equal(await checkBeforeWriting(at('open')), `${at('open')} is 0644: other users can read the sessions in it; fix it with: chmod 600 ${at('open')}`);
});

test('a file not there yet, in directories not there yet: writable when the nearest one that is, is', async () => {
  assert.equal(await checkBeforeWriting(at('new', 'deeper', 'credentials')), undefined);
});

test('a read-only file is refused, saying so and that nothing changed', () => {
  writeFileSync(at('readonly'), 'x');
  chmodSync(at('readonly'), 0o400);
  owned(at('readonly'));
  const e = refusalOfUser(at('readonly'));
  assert.equal(e.code, 'E_FILE');
  assert.equal(e.exitStatus, EXIT.config);
  assert.equal(e.message, `cannot write ${at('readonly')}: it is read-only (0400), and mfa-login will not undo that (chmod u+w ${at('readonly')} to let it write); nothing was changed`);
});

test('a directory we cannot write in is refused before a code is spent', () => {
  mkdirSync(at('locked'));
  chmodSync(at('locked'), 0o500);
  owned(at('locked'));
  const e = refusalOfUser(at('locked', 'credentials'));
  assert.equal(e.code, 'E_FILE');
  assert.equal(e.exitStatus, EXIT.config);
  assert.equal(e.message, `cannot write ${at('locked', 'credentials')}: its directory ${at('locked')} is not writable for you; nothing was changed`);
});

test('a link is judged by the file it leads to, and named with it', async () => {
  writeFileSync(at('real'), 'x', { mode: 0o640 });
  symlinkSync('real', at('link'));
  symlinkSync('link', at('link2'));
  assert.equal(await writeTarget(at('link2')), at('real'));
  assert.equal(await checkBeforeWriting(at('link2')), `${at('link2')} is 0640: other users can read the sessions in it; fix it with: chmod 600 ${at('link2')}`);
  symlinkSync('nowhere-yet', at('dangling'));
  assert.equal(await writeTarget(at('dangling')), at('nowhere-yet'));
});

test('a loop of links is refused in one line', async () => {
  symlinkSync('loop-b', at('loop-a'));
  symlinkSync('loop-a', at('loop-b'));
  const e = await refusal(at('loop-a'));
  assert.equal(e.message, `cannot write ${at('loop-a')}: ${at('loop-a')} is a loop of symbolic links; nothing was changed`);
});

test('another user\'s file would become ours by the rename: refused, naming both uids', async () => {
  writeFileSync(at('theirs'), 'x', { mode: 0o600 });
  const st = await lstat(at('theirs'));
  assert.equal(whyNotReplaceable(at('theirs'), st, st.uid), undefined);
  assert.equal(whyNotReplaceable(at('theirs'), st, st.uid + 1), `it belongs to another user (uid ${st.uid}), and replacing it would make it yours (uid ${st.uid + 1})`);
});

test('modes: octal with four digits, open to others when group or other has any bit', async () => {
  assert.equal(octal(0o100600), '0600');
  assert.equal(octal(0o7), '0007');
  writeFileSync(at('group'), 'x');
  for (const [mode, open] of [[0o600, false], [0o640, true], [0o604, true], [0o700, false], [0o610, true]] as const) {
    chmodSync(at('group'), mode);
    assert.equal(openToOthers(await lstat(at('group'))), open, octal(mode));
  }
});
