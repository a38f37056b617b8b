/**
 * The demo in a real terminal (tmux): a mistyped code is refused by the local STS, the demo says
 * so and asks again, and the right code then carries the demo through to the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MFA_LOGIN, requireComponent, runCommand } from '../e2e/harness.js';
import { executable, sq } from './kit.js';

const TMUX = '/usr/bin/tmux';
const WAIT_MS = 30_000;

test('the demo asks again after a mistyped code instead of ending', async (t) => {
  const skip = requireComponent(executable(TMUX), 'tmux (/usr/bin/tmux)');
  if (skip) return t.skip(skip);
  const outer = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-demo-tty-'));
  const home = path.join(outer, 'home');
  const tmp = path.join(outer, 'tmp');
  for (const d of [home, tmp]) mkdirSync(d);
  const socket = path.join(outer, 'tmux.sock');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8', TERM: 'xterm-256color', NO_COLOR: '1' };
  const tmux = async (...args: string[]) => {
    const r = await runCommand(TMUX, ['-S', socket, ...args], env);
    assert.equal(r.status, 0, `tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'main', '-S', '-1000');
  const waitFor = async (re: RegExp, what: string): Promise<string> => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const s = await screen();
      if (re.test(s)) return s;
      if (Date.now() > deadline) assert.fail(`waited ${WAIT_MS / 1000} s for ${what}; the screen shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    // The demo runs as the pane's only program; `; echo` keeps its exit status on screen.
    const command = `${sq(process.execPath)} ${sq(MFA_LOGIN)} demo; echo "rc=$?"; sleep 600`;
    await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '160', '-y', '50', '-c', home, `sh -c ${sq(command)}`);
    const first = await waitFor(/Type the code shown above \(Enter uses it\):/, 'the first prompt');
    const shown = /shows: (\d{3}) (\d{3})/.exec(first)!;
    // One digit off: what a person mistyping the code sends.
    const wrong = `${shown[1]}${shown[2]}`.replace(/\d$/, (d) => String((Number(d) + 5) % 10));
    await tmux('send-keys', '-t', 'main', '-l', wrong);
    await tmux('send-keys', '-t', 'main', 'Enter');
    const second = await waitFor(/Type the code again \(the device now shows (\d{3}) (\d{3}); Enter uses it\):/, 'the prompt asking again');
    assert.match(second, new RegExp(`\\$ mfa-login login demo --mfa-token ${wrong}`));
    assert.match(second, /STS refused the MFA code/);
    assert.match(second, /STS refused that code\. A mistyped or already used code is refused like this; mfa-login asks again\. Try once more\./);
    assert.doesNotMatch(second, /rc=\d+/, 'the demo is still running');
    // The refused code has no ✔ beside it: the prompt ended before STS judged it.
    assert.doesNotMatch(second, new RegExp(`✔.*${wrong}`), second);
    assert.match(second, new RegExp(`^› Type the code shown above \\(Enter uses it\\): ${wrong}$`, 'm'), second);
    assert.match(second, /✘ STS refused that code\./);
    // Enter takes the code the device shows now.
    await tmux('send-keys', '-t', 'main', 'Enter');
    const end = await waitFor(/^rc=\d+$/m, 'the demo to finish');
    assert.match(end, /^rc=0$/m, end);
    assert.match(end, /Wrote an MFA session to \[demo\]/);
    assert.match(end, /\[7\/7\] Clean up/);
  } finally {
    await runCommand(TMUX, ['-S', socket, 'kill-server'], env);
    rmSync(outer, { recursive: true, force: true });
  }
});
