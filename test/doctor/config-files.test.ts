import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFiles } from '../../src/doctor/config-files.js';
import type { Learnt } from '../../src/doctor/check.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-doctor-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CONFIG = `${HOME}/.aws/config`;
const CREDENTIALS_TEXT = '[alice]\naws_access_key_id = AKIA\naws_secret_access_key = s\n';

/** The check on a credentials file at `file` (real, for its mode) with the given text, and what it learnt. */
async function check(files: Record<string, string>, credentialsFile = `${HOME}/.aws/credentials`) {
  const learnt: Learnt = { storeName: 'the key store', clockTimeoutMs: 1000 };
  const findings = await configFiles.run(memoryDeps({ env: { AWS_SHARED_CREDENTIALS_FILE: credentialsFile }, files }).deps, learnt);
  return { findings, learnt };
}

test('neither file: a warning with the command that makes them', async () => {
  const { findings, learnt } = await check({});
  assert.deepEqual(findings, [
    { level: 'warn', area: 'config', text: 'config files: neither ~/.aws/config nor ~/.aws/credentials exists', fix: "store an IAM user's keys and record its MFA device with: mfa-login add PROFILE" },
  ]);
  assert.equal(learnt.files?.profiles.size, 0);
});

test('the files that exist parse: named, with how many profiles, learnt for the later checks', async () => {
  const { findings, learnt } = await check({ [CONFIG]: '[profile alice]\nregion = eu-west-1\n[profile bob]\n' });
  assert.deepEqual(findings, [{ level: 'ok', area: 'config', text: 'config files: ~/.aws/config parse (2 profiles)' }]);
  assert.deepEqual([...learnt.files!.profiles.keys()], ['alice', 'bob']);
});

test('a private credentials file is fine; one others can read is a warning with its chmod', async () => {
  const file = path.join(dir, 'credentials');
  writeFileSync(file, CREDENTIALS_TEXT);
  chmodSync(file, 0o600);
  assert.deepEqual((await check({ [CONFIG]: '[profile alice]\n', [file]: CREDENTIALS_TEXT }, file)).findings, [
    { level: 'ok', area: 'config', text: `config files: ~/.aws/config and ${file} parse (1 profile)` },
  ]);
  chmodSync(file, 0o644);
  const [, open] = (await check({ [file]: CREDENTIALS_TEXT }, file)).findings;
  assert.equal(open!.level, 'warn');
  assert.match(open!.text, new RegExp(`^credentials file: ${file} is 0644: other users can read the sessions in it$`));
  assert.equal(open!.fix, `chmod 600 ${file}`);
});

test('a credentials file that is a link is not judged by the link', async () => {
  const target = path.join(dir, 'real-credentials');
  writeFileSync(target, CREDENTIALS_TEXT, { mode: 0o644 });
  const link = path.join(dir, 'link-credentials');
  symlinkSync(target, link);
  assert.equal((await check({ [link]: CREDENTIALS_TEXT }, link)).findings.length, 1);
});

test('a file that does not parse is the check\'s failure, with the file and line', async () => {
  await assert.rejects(check({ [CONFIG]: '[profile alice]\nnot a setting\n' }), (e: unknown) => {
    assert.match((e as Error).message, new RegExp(`${CONFIG}.*line 2`));
    return true;
  });
});
