/**
 * mfa_process through the real shell: the first line is the answer, taken once the command has
 * exited (not when its stdout closes), and nothing the command started outlives the call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/mfa/run-process.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Whether a process has ended (a zombie waiting for its reaper counts as ended), waiting up to 10 s. */
async function gone(pid: number): Promise<boolean> {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    let state: string;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]!;
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
  }
  return false;
}

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-run-process-'));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the first line with something on it is the answer', async () => {
  assert.equal(await runProcess('echo 123456', 10_000, env), '123456');
  assert.equal(await runProcess("printf '\\n  \\n 123456 \\r\\nsecond line\\n'", 10_000, env), '123456');
  assert.equal(await runProcess('printf 123456', 10_000, env), '123456', 'no line break at the end');
  assert.equal(await runProcess('true', 10_000, env), '', 'nothing printed');
});

test('a child left holding stdout neither delays the answer nor outlives it', { skip: process.platform !== 'linux' && 'Linux: /proc' }, async () => {
  await withDir(async (dir) => {
    const pidFile = path.join(dir, 'pid');
    // The timeout is far off: only a runner that waits for stdout to close would reach it.
    const started = Date.now();
    const answer = await runProcess(`echo 123456; sleep 120 & echo $! > ${pidFile}`, 60_000, env);
    assert.equal(answer, '123456');
    assert.ok(Date.now() - started < 30_000, 'answered long before the timeout');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(await gone(pid), true, `the sleep (pid ${pid}) is still running`);
  });
});

test('a command that printed a line and then failed gave no code', async () => {
  await assert.rejects(runProcess('echo 123456; exit 3', 10_000, env), { code: 'E_MFA_PROCESS', message: 'mfa_process echo failed (exit status 3)' });
});

test('at the timeout the group is killed: with no line it is an error, a line already printed is the answer', { skip: process.platform !== 'linux' && 'Linux: /proc' }, async () => {
  await withDir(async (dir) => {
    const pidFile = path.join(dir, 'pid');
    await assert.rejects(runProcess(`sleep 120 & echo $! > ${pidFile}; wait`, 1000, env), { code: 'E_MFA_PROCESS', message: 'mfa_process sleep gave no code within 1s' });
    assert.equal(await gone(Number(readFileSync(pidFile, 'utf8'))), true, 'the sleep was killed');
    rmSync(pidFile);
    // The command itself hangs after its line (a bound of 5 s: the line comes long before).
    assert.equal(await runProcess(`echo 123456; echo $$ > ${pidFile}; sleep 120`, 5000, env), '123456');
    assert.equal(await gone(Number(readFileSync(pidFile, 'utf8'))), true, 'the command was killed');
  });
});
