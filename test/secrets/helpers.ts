import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { editFile } from '../../src/files/edit-file.js';

/** Set by test/with-keyring.sh: a private, unlocked gnome-keyring is on the session bus. */
export const keyringReady = process.env.MFA_LOGIN_TEST_KEYRING === '1';
const inCi = process.env.CI === 'true';

/**
 * `skip` for tests that need the private keyring. In CI they must not skip: they run, and
 * requireKeyring() fails them with the reason.
 */
export const skipWithoutKeyring: string | false =
  process.platform !== 'linux'
    ? 'the Secret Service tests are Linux-only'
    : keyringReady || inCi
      ? false
      : 'no test keyring: run under `sh test/with-keyring.sh` (needs dbus-run-session and gnome-keyring-daemon)';

export function requireKeyring(): void {
  if (!keyringReady) {
    assert.fail('CI=true but no test keyring (MFA_LOGIN_TEST_KEYRING unset): run the tests under `sh test/with-keyring.sh` with gnome-keyring and dbus installed');
  }
}

export const distSecrets = new URL('../../src/secrets/', import.meta.url);

/** A directory removed when the process exits, so a failed assertion leaves nothing behind. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mfa-login-${prefix}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A node script that runs KeychainStore operations given as arguments ("get:alice", "set:alice",
 * "remove:alice", "list") and prints one JSON line per operation: the value, or the error's code,
 * message and hint. Run inside whatever bus situation a test sets up.
 */
export const KEYCHAIN_STEPS_SCRIPT = `
const { KeychainStore } = await import(process.env.MFA_TEST_STORE_URL);
const store = new KeychainStore({ service: process.env.MFA_TEST_SERVICE });
const keys = { accessKeyId: 'AKIAEXAMPLEKEYID0001', secretAccessKey: process.env.MFA_TEST_SECRET };
for (const step of process.argv.slice(1)) {
  const [op, profile] = step.split(':');
  try {
    const value = op === 'list' ? await store.list() : await store[op](profile, keys);
    console.log(JSON.stringify({ step, ok: true, value: value ?? null }));
  } catch (e) {
    console.log(JSON.stringify({ step, ok: false, name: e.name, code: e.code, message: e.message, hint: e.hint }));
  }
}
`;

export interface StepResult {
  step: string;
  ok: boolean;
  value?: unknown;
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
}

export function parseSteps(stdout: string): StepResult[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as StepResult);
}

/** Environment for the step script: nothing of the developer's session, a HOME of its own. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    // Both D-Bus clients fall back to $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is unset:
    // point it at an empty directory so that fallback finds no real user bus either.
    XDG_RUNTIME_DIR: home,
    MFA_TEST_STORE_URL: new URL('keychain-store.js', distSecrets).href,
    ...extra,
  };
  return env;
}

/**
 * The file I/O the key stores' record needs (deps.readFile and deps.editFile), on the real file
 * system, for `settings` (whose keys.infoFile is where the record lives).
 */
export function realIo<S extends { keys: { infoFile: string } }>(settings: S) {
  return {
    settings,
    readFile: async (p: string) => readFile(p, 'utf8').catch(() => undefined),
    editFile: (p: string, edit: (text: string | undefined) => string | undefined, o?: { mode?: number }) => editFile(p, edit, { waitMs: 5000, ...(o?.mode !== undefined ? { mode: o.mode } : {}) }),
  };
}
