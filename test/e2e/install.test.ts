/**
 * The install the README gives, from a checkout: `npm pack`, then `npm install -g` of the tarball
 * (here into a scratch prefix), and the lock file that `npm install` must leave as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCommand } from './harness.js';

const npmEnv = (home: string) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, npm_config_cache: path.join(os.homedir(), '.npm'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

test('npm pack, then npm install -g of the tarball, gives working mfa-login and mfa-env commands', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-install-'));
  try {
    const home = path.join(dir, 'home');
    mkdirSync(home);
    // The build has run (npm test builds first): --ignore-scripts skips prepack's second build.
    const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, ROOT], npmEnv(home));
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(dir).find((f) => /^mfa-login-.*\.tgz$/.test(f));
    assert.ok(tarball, `npm pack made no tarball: ${pack.stdout}`);
    const prefix = path.join(dir, 'prefix');
    const install = await runCommand('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', path.join(dir, tarball)], npmEnv(home));
    assert.equal(install.status, 0, install.stderr);

    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    const v = await runCommand(path.join(prefix, 'bin', 'mfa-login'), ['--version'], { PATH: process.env.PATH ?? '', HOME: home });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `${version}\n`);
    const envHelp = await runCommand(path.join(prefix, 'bin', 'mfa-env'), ['--help'], { PATH: process.env.PATH ?? '', HOME: home });
    assert.equal(envHelp.status, 0, envHelp.stderr);
    assert.match(envHelp.stdout, /eval "\$\(mfa-env \[profile\]\)"/);
    // The whole flow from the installed copy: its bundle, its local STS, its bin scripts.
    const demo = await runCommand(path.join(prefix, 'bin', 'mfa-login'), ['demo', '--yes'], { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: dir });
    assert.equal(demo.status, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /\[6\/6\] Clean up/);
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
    const r = await runCommand('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--prefix', dir], npmEnv(home));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'), readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
