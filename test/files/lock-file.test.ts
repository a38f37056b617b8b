import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { alive, holderGone, processStartedAt, type LockInfo } from '../../src/files/lock-file.js';

const lockOf = (pid: number, started: number): LockInfo => ({ pid, started, fields: {}, ino: 1, mtimeMs: started, raw: '' });
const linux = process.platform === 'linux';

test('a process that started after a lock was taken is not its holder; one that started before is', { skip: !linux && 'process start times come from /proc' }, async (t) => {
  const takenBefore = Date.now() - 5000;
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  const startedAt = processStartedAt(child.pid!)!;
  assert.ok(Math.abs(startedAt - Date.now()) < 2000, `start time ${startedAt} is about now (${Date.now()})`);
  assert.equal(holderGone(lockOf(child.pid!, takenBefore)), true, 'its pid, in a lock taken 5 s before it started');
  assert.equal(holderGone(lockOf(child.pid!, Date.now())), false, 'a lock it took');
  assert.equal(alive(process.pid, Date.now()), true);
  assert.equal(alive(process.pid), true);
  // pid 1 started at boot: a lock on disk from before the boot names it.
  assert.equal(alive(1, processStartedAt(1)! - 60_000), false);
});

test('a pid with no process is gone, with or without a start time', async () => {
  const child = spawn('true', { stdio: 'ignore' });
  await once(child, 'exit');
  assert.equal(alive(child.pid!), false);
  assert.equal(holderGone(lockOf(child.pid!, Date.now())), true);
  assert.equal(processStartedAt(child.pid!), undefined);
});

test('another user\'s process is judged by when it started, not by whose it is', { skip: (!linux || process.getuid?.() !== 0) && 'needs root on Linux to run a process as another user' }, async (t) => {
  const takenBefore = Date.now() - 5000;
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '30'], { stdio: 'ignore', cwd: '/' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  assert.equal(holderGone(lockOf(child.pid!, takenBefore)), true, 'a later process of another user (a reused pid) does not hold the lock');
  // One that started before it (mfa-login run with sudo on the same files) may.
  assert.equal(holderGone(lockOf(child.pid!, Date.now() + 1000)), false);
});
