/**
 * The names of a shell its users type: `nushell` for nu wherever a shell is chosen, and `pwsh` for
 * shell-init as for --shell. Each is taken as the shell it names, not called "not a shell".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The built CLI in an empty HOME: status, stdout and stderr. */
function run(bin: 'mfa-login' | 'mfa-env', args: string[]): { status: number | null; stdout: string; stderr: string } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfl-shells-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', `${bin}.js`), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home }, timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const same = (a: [bin: 'mfa-login' | 'mfa-env', args: string[]], b: [bin: 'mfa-login' | 'mfa-env', args: string[]]) => {
  const [x, y] = [run(...a), run(...b)];
  assert.deepEqual(x, y);
  assert.equal(x.status, 0, x.stderr);
  assert.equal(x.stderr, '');
  assert.notEqual(x.stdout, '');
};

test('mfa-env --shell nushell prints what --shell nu prints', () => same(['mfa-env', ['--unset', '--shell', 'nushell']], ['mfa-env', ['--unset', '--shell', 'nu']]));
test('completion nushell prints the nu script', () => same(['mfa-login', ['completion', 'nushell']], ['mfa-login', ['completion', 'nu']]));
test('shell-init nushell prints the nu functions', () => same(['mfa-login', ['shell-init', 'nushell']], ['mfa-login', ['shell-init', 'nu']]));
test('shell-init pwsh prints the PowerShell functions, as --shell pwsh prints for PowerShell', () => same(['mfa-login', ['shell-init', 'pwsh']], ['mfa-login', ['shell-init', 'powershell']]));

test('a shell none of them prints for is named with the list of names taken', () => {
  const r = run('mfa-login', ['shell-init', 'tcsh']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'mfa-login: shell-init tcsh: tcsh is not a shell; use bash, zsh, fish, powershell, pwsh, nu or nushell\n  hint: see: mfa-login shell-init --help\n');
});
