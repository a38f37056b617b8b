import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive, createLock, holderGone, processStartTicks, readLock, type LockInfo } from '../../src/files/lock-file.js';

const lockOf = (pid: number, ticks?: number): LockInfo => ({ pid, started: Date.now(), fields: ticks === undefined ? {} : { ticks }, ino: 1, mtimeMs: Date.now(), raw: '' });
const linux = process.platform === 'linux';

test('a lock records when its holder started; a process with the same pid that started at another moment is not the holder', { skip: !linux && 'process start times come from /proc' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.ok(await createLock(path.join(dir, 'x.lock')));
  const info = (await readLock(path.join(dir, 'x.lock')))!;
  assert.equal(info.fields.ticks, processStartTicks(process.pid), readFileSync(path.join(dir, 'x.lock'), 'utf8'));
  assert.equal(holderGone(info), false, 'its own holder, alive');

  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  const ticks = processStartTicks(child.pid!)!;
  assert.ok(ticks >= processStartTicks(process.pid)!, 'a later process has a later start');
  assert.equal(holderGone(lockOf(child.pid!, ticks)), false, 'the process that took the lock');
  assert.equal(holderGone(lockOf(child.pid!, ticks - 1)), true, 'its pid, in a lock taken by an earlier process');
  assert.equal(alive(child.pid!), true, 'with nothing recorded, a live pid holds');
  // A lock on disk from before a reboot names pid 1, which started at this boot.
  assert.equal(alive(1, processStartTicks(1)! + 12345), false);
  assert.equal(alive(1, processStartTicks(1)!), true);
});

test('a pid with no process is gone, with or without a start', async () => {
  const child = spawn('true', { stdio: 'ignore' });
  await once(child, 'exit');
  assert.equal(alive(child.pid!), false);
  assert.equal(holderGone(lockOf(child.pid!, 5)), true);
  assert.equal(holderGone(lockOf(child.pid!)), true);
  assert.equal(processStartTicks(child.pid!), undefined);
});

test('another user\'s process holding a reused pid is not the holder', { skip: (!linux || process.getuid?.() !== 0) && 'needs root on Linux to run a process as another user' }, async (t) => {
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '30'], { stdio: 'ignore', cwd: '/' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  const ticks = processStartTicks(child.pid!)!;
  assert.equal(holderGone(lockOf(child.pid!, ticks - 100)), true, 'the dead holder started earlier: this is a later process of another user');
  // The one that did take it (mfa-login run with sudo on the same files) holds it.
  assert.equal(holderGone(lockOf(child.pid!, ticks)), false);
});
