import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentialProcess } from '../../src/doctor/credential-process.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-doctor-hooks-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, mode: number) => {
  const p = path.join(dir, name);
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, mode);
  return p;
};
const BIN = file('mfa-login', 0o755);
const SCRIPT = file('mfa-login.js', 0o644);
const NODE = file('node', 0o755);
const PLAIN = file('plain', 0o644);

const USER = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n';
const hook = (name: string, line: string) => `[profile ${name}]\ncredential_process = ${line}\n`;

function check(config: string) {
  const files = loadProfiles({ configFile: `${HOME}/.aws/config`, credentialsFile: `${HOME}/.aws/credentials` }, config, undefined);
  return credentialProcess.run(memoryDeps().deps, { files, storeName: 'the key store', clockTimeoutMs: 1000 });
}

test('hooks with absolute, existing programs that name a profile that resolves are fine', async () => {
  assert.deepEqual(await check(USER + hook('alice-mfa', `${BIN} credential-process alice`) + hook('alice-node', `${NODE} ${SCRIPT} credential-process alice`)), [
    { level: 'ok', area: 'hooks', text: `credential_process: [profile alice-mfa] runs ${BIN} for alice` },
    { level: 'ok', area: 'hooks', text: `credential_process: [profile alice-node] runs ${NODE} ${SCRIPT} for alice` },
  ]);
});

test('no hook calls mfa-login: said, with the command that adds one', async () => {
  assert.deepEqual(await check(USER + hook('other', '/usr/bin/aws-vault export alice')), [
    { level: 'ok', area: 'hooks', text: 'credential_process: no profile calls mfa-login (mfa-login setup PROFILE adds one)' },
  ]);
});

test('each way a hook cannot work fails with what is wrong and the setup command that rewrites it', async () => {
  const where = (name: string) => `credential_process of [profile ${name}] (~/.aws/config line`;
  const cases: Array<[string, string, RegExp, string]> = [
    ['relative', 'mfa-login credential-process alice', /"mfa-login" is not an absolute path; AWS tools run credential_process with their own PATH/, 'rewrite it with the paths of this installation: mfa-login setup alice --name relative'],
    ['gone', `${dir}/gone/mfa-login credential-process alice`, /gone\/mfa-login" does not exist$/, 'rewrite it with the paths of this installation: mfa-login setup alice --name gone'],
    ['noexec', `${PLAIN} credential-process alice mfa-login`, /plain" is not executable$/, 'rewrite it with the paths of this installation: mfa-login setup alice --name noexec'],
    ['dir', `${dir} credential-process alice mfa-login`, /" is not a file$/, 'rewrite it with the paths of this installation: mfa-login setup alice --name dir'],
    ['noscript', `${NODE} ${dir}/mfa-login-gone.js credential-process alice`, /mfa-login-gone\.js" does not exist$/, 'rewrite it with the paths of this installation: mfa-login setup alice --name noscript'],
    ['noprofile', `${BIN} credential-process`, /does not name a profile after credential-process$/, 'mfa-login setup PROFILE --name noprofile'],
    ['unknown', `${BIN} credential-process nosuch`, /names profile nosuch, which does not resolve: profile nosuch not found; known profiles: alice, unknown$/, 'add [profile nosuch] to ~/.aws/config, or store keys for it with: mfa-login add nosuch'],
  ];
  for (const [name, line, text, fix] of cases) {
    const [f, ...rest] = await check(USER + hook(name, line));
    assert.equal(rest.length, 0, name);
    assert.equal(f!.level, 'FAIL', name);
    assert.ok(f!.text.startsWith(where(name)), `${name}: ${f!.text}`);
    assert.match(f!.text, text, name);
    assert.equal(f!.fix, fix, name);
  }
});

test('config files that do not parse: not checked', async () => {
  assert.deepEqual(await credentialProcess.run(memoryDeps().deps, { storeName: 'the key store', clockTimeoutMs: 1000 }), [
    { level: 'warn', area: 'hooks', text: 'credential_process: not checked, the config files do not parse (see above)' },
  ]);
});
