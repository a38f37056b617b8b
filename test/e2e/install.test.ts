/**
 * The install the README gives, from a checkout: `npm pack`, then `npm install -g` of the tarball
 * (here into a scratch prefix), and the lock file that `npm install` must leave as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { ROOT, type RunResult } from './harness.js';

/**
 * npm as the developer runs it (their proxy, CA and cache settings come from the environment);
 * a network fetch that stalls fails within the bound.
 */
const npmEnv = (): Record<string, string> => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>),
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_fetch_retries: '1',
  npm_config_fetch_timeout: '30000',
});

/** A command with a bound: on a busy machine a stalled npm fails this test, never the whole file. */
function runCommand(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
      resolve({ status: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr: e?.killed ? `${stderr}\n(killed after ${timeoutMs / 1000} s: ${cmd} ${args.join(' ')})` : stderr });
    });
  });
}

test('npm pack, then npm install -g of the tarball, gives working mfa-login and mfa-env commands', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-install-'));
  try {
    const home = path.join(dir, 'home');
    mkdirSync(home);
    // The build has run (npm test builds first): --ignore-scripts skips prepack's second build.
    const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, ROOT], npmEnv());
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(dir).find((f) => /^mfa-login-.*\.tgz$/.test(f));
    assert.ok(tarball, `npm pack made no tarball: ${pack.stdout}`);
    const prefix = path.join(dir, 'prefix');
    const install = await runCommand('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', path.join(dir, tarball)], npmEnv(), 120_000);
    assert.equal(install.status, 0, install.stderr);

    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    const v = await runCommand(path.join(prefix, 'bin', 'mfa-login'), ['--version'], { PATH: process.env.PATH ?? '', HOME: home });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `${version}\n`);
    const envHelp = await runCommand(path.join(prefix, 'bin', 'mfa-env'), ['--help'], { PATH: process.env.PATH ?? '', HOME: home });
    assert.equal(envHelp.status, 0, envHelp.stderr);
    assert.match(envHelp.stdout, /eval "\$\(mfa-env \[profile\]\)"/);
    // A command that loads the installed bundle's command modules, not only the entry point.
    const policy = await runCommand(path.join(prefix, 'bin', 'mfa-login'), ['policy', '--account', '123456789012'], { PATH: process.env.PATH ?? '', HOME: home });
    assert.equal(policy.status, 0, policy.stderr);
    assert.match(policy.stdout, /arn:aws:iam::123456789012:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm install leaves package-lock.json as committed (its engines match package.json)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-lock-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const home = path.join(dir, 'home');
    mkdirSync(home);
    const r = await runCommand('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--prefix', dir], npmEnv());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'), readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
