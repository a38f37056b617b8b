/**
 * The code prompt without a terminal: the built CLI, detached (no controlling terminal), with a
 * display, asks through a real zenity dialog on a private Xvfb server, and xdotool answers it as a
 * person would. A screenshot of the dialog is kept; what it says is checked through its title.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MFA_LOGIN, requireComponent, type Sandbox, type TestUser, type RunResult } from './harness.js';
import { prodSandbox, codeWithTime, ROLE_ARN } from '../consumers/kit.js';
import { onPath } from '../../src/child-process.js';

const TOOLS = ['Xvfb', 'zenity', 'xdotool', 'import'];
const missing = () => requireComponent(TOOLS.every((t) => onPath(t, process.env)), `${TOOLS.join(', ')} (Debian xvfb zenity xdotool imagemagick)`);

let sb: Sandbox;
let alice: TestUser;
let xvfb: ChildProcess | undefined;
let display = '';
let shots = '';

before(async () => {
  if (missing()) return;
  ({ sb, alice } = await prodSandbox());
  shots = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-dialog-'));
  // -displayfd: the server picks a free display and writes its number, so parallel runs never clash.
  xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb gave no display number within 30 s')), 30_000);
    let got = '';
    (xvfb!.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (xvfb!.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => {
      got += d;
      if (got.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${got.trim()}`);
      }
    });
    xvfb!.on('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
});

after(async () => {
  if (xvfb && xvfb.exitCode === null) {
    xvfb.kill('SIGTERM');
    await new Promise((r) => xvfb!.once('exit', r));
  }
  if (shots) rmSync(shots, { recursive: true, force: true });
  await sb?.stop();
});

/** An X client on our display, bounded so a missing window fails instead of hanging. */
function x(cmd: string, args: string[], timeoutS = 30): { status: number | null; stdout: string } {
  const r = spawnSync('timeout', [String(timeoutS), cmd, ...args], { env: { ...process.env, DISPLAY: display }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

/** `mfa-login session prod` detached (no terminal) with the display set: only a dialog can ask. */
function startSession(extra: Record<string, string> = {}): { done: Promise<RunResult>; child: ChildProcess } {
  const child = spawn(process.execPath, [MFA_LOGIN, 'session', 'prod'], { env: sb.env({ DISPLAY: display, NO_AT_BRIDGE: '1', ...extra }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RunResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { done, child };
}

/**
 * The dialog's window, waited for with a bound: a generous one, since the first GTK start on a
 * machine busy with other tests can take tens of seconds; it is reached only when no window comes.
 */
function dialogWindow(): string {
  const r = x('xdotool', ['search', '--sync', '--onlyvisible', '--name', 'mfa-login: MFA code for prod'], 120);
  assert.equal(r.status, 0, 'the dialog appeared within 120 s');
  return r.stdout.trim().split('\n')[0]!;
}

function answer(win: string, keys: string): void {
  assert.equal(x('xdotool', ['windowfocus', '--sync', win]).status, 0);
  if (keys) assert.equal(x('xdotool', ['type', '--delay', '30', keys]).status, 0);
  assert.equal(x('xdotool', ['key', 'Return']).status, 0);
}

async function bounded<T>(p: Promise<T>, child: ChildProcess, what: string): Promise<T> {
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    return await p;
  } finally {
    clearTimeout(timer);
    assert.equal(child.exitCode !== null || child.signalCode !== null, true, what);
  }
}

test('no terminal, a display: a zenity dialog naming the profile and device takes the code', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await sb.run(['logout', '--all']);
  const { done, child } = startSession();
  try {
    let win = dialogWindow();
    const title = x('xdotool', ['getwindowname', win]).stdout.trim();
    assert.equal(title, `mfa-login: MFA code for prod (${alice.mfaDevices[0]!.serial})`);
    const shot = path.join(shots, 'dialog.png');
    assert.equal(x('import', ['-window', 'root', shot]).status, 0);
    assert.ok(statSync(shot).size > 1000, 'the screenshot was saved');
    t.diagnostic(`screenshot: ${shot}`);

    // Not six digits: asked again, nothing sent to STS.
    answer(win, '12ab');
    for (const until = Date.now() + 30_000; x('xdotool', ['search', '--onlyvisible', '--name', 'mfa-login: MFA code'], 5).stdout.trim() === win && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    win = dialogWindow();
    sb.sts.resetCalls();
    answer(win, await codeWithTime(sb, alice, 10_000));
    const r = await bounded(done, child, 'the command ended');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^prod: ${ROLE_ARN}, valid until \\S+Z \\(\\d+ min\\)\\.\\n$`));
    assert.equal(sb.sts.calls.GetSessionToken, 1, 'one code sent: the malformed answer never reached STS');
  } finally {
    child.kill('SIGKILL');
  }
});

test('Cancel in the dialog: one line, exit 5', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await sb.run(['logout', '--all']);
  const { done, child } = startSession();
  try {
    const win = dialogWindow();
    assert.equal(x('xdotool', ['windowfocus', '--sync', win]).status, 0);
    assert.equal(x('xdotool', ['key', 'Escape']).status, 0);
    const r = await bounded(done, child, 'the command ended');
    assert.equal(r.status, 5);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'mfa-login: the MFA code for prod was not given: the dialog was cancelled\n');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a dialog left unanswered ends with the lease timeout, and the dialog is closed', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await sb.run(['logout', '--all']);
  const { done, child } = startSession({ MFA_LOGIN_LOCK_TIMEOUT: '3' });
  try {
    dialogWindow();
    const r = await bounded(done, child, 'the command ended');
    assert.equal(r.status, 5);
    assert.match(r.stderr, /^mfa-login: no MFA code was entered in the zenity dialog within 3s\n {2}hint: /);
    assert.notEqual(x('xdotool', ['search', '--onlyvisible', '--name', 'mfa-login: MFA code'], 10).status, 0, 'no dialog is left on the screen');
  } finally {
    child.kill('SIGKILL');
  }
});

test('MFA_LOGIN_PROMPT=none never prompts, display or not; a bad value is a usage error', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await sb.run(['logout', '--all']);
  const none = await sb.run(['session', 'prod'], { env: { DISPLAY: display, MFA_LOGIN_PROMPT: 'none' } });
  assert.equal(none.status, 5);
  assert.match(none.stderr, /^mfa-login: an MFA code is needed for prod and MFA_LOGIN_PROMPT=none allows no prompt; run "mfa-login session prod" in a terminal first/);
  const bad = await sb.run(['session', 'prod'], { env: { MFA_LOGIN_PROMPT: 'gtk' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^mfa-login: MFA_LOGIN_PROMPT="gtk" is not one of auto, terminal, zenity, kdialog, osascript, none\n/);
});

test('the dialog program gets the environment without our secrets (a zenity that writes its environment down)', async (t) => {
  if (!sb) ({ sb, alice } = await prodSandbox());
  await sb.run(['logout', '--all']);
  const bin = sb.file('fake-zenity');
  const dump = sb.file('zenity-env.txt');
  sb.write('fake-zenity/zenity', `#!/bin/sh\nenv > ${dump}\necho ${await codeWithTime(sb, alice, 10_000)}\n`);
  spawnSync('chmod', ['755', path.join(bin, 'zenity')]);
  // Any display will do: this zenity shows nothing. The key file's passphrase is in the
  // environment (the sandbox stores keys in the encrypted file), as it is for a user of that backend.
  const { done, child } = startSession({ DISPLAY: ':424242', PATH: `${bin}:${process.env.PATH}` });
  const r = await bounded(done, child, 'the command ended');
  assert.equal(r.status, 0, r.stderr);
  const seen = readFileSync(dump, 'utf8');
  assert.match(seen, /^DISPLAY=:424242$/m, 'the dialog got the display');
  assert.deepEqual(seen.split('\n').filter((l) => /^MFA_LOGIN_(FILE_PASSPHRASE|MFA_TOKEN)=/.test(l)), []);
  assert.ok(!seen.includes(sb.env().MFA_LOGIN_FILE_PASSPHRASE!), 'the passphrase reached the dialog');
  t.diagnostic(`zenity saw ${seen.split('\n').filter((l) => l.startsWith('MFA_LOGIN_')).join(', ') || 'no MFA_LOGIN_ variable'}`);
});
