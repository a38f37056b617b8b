import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { formatFinding, runChecks } from '../../src/doctor/run.js';
import type { SessionStore } from '../../src/session-store/store.js';
import { HOME, memoryDeps } from '../memory-deps.js';

test('a finding is one line, its fix on the next; colour only when asked', () => {
  assert.equal(formatFinding({ level: 'ok', area: 'config', text: 'config files: fine' }, false), 'ok    config files: fine\n');
  assert.equal(formatFinding({ level: 'warn', area: 'clock', text: 'clock: off', fix: 'use NTP' }, false), 'warn  clock: off\n      fix: use NTP\n');
  assert.equal(formatFinding({ level: 'FAIL', area: 'cache', text: 'cache: open', fix: 'chmod 700 x' }, true), '\x1b[31mFAIL\x1b[0m  cache: open\n      fix: chmod 700 x\n');
  assert.equal(formatFinding({ level: 'ok', area: 'cache', text: 'x' }, true), '\x1b[32mok  \x1b[0m  x\n');
});

/**
 * Every check against memory: no key store failure unless given, no cache, an STS nobody answers
 * on (the clock check only warns then). The AWS CLI check runs the real `aws --version`, if there
 * is one: it only ever warns, so it never changes the exit status.
 */
async function doctor(options: { config?: string; listKeys?: () => Promise<string[]> } = {}) {
  const m = memoryDeps({
    env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1', PATH: process.env.PATH ?? '' },
    files: options.config === undefined ? {} : { [`${HOME}/.aws/config`]: options.config },
    keys: { alice: { accessKeyId: 'AKIA', secretAccessKey: 's' } },
    ...(options.listKeys ? { listKeys: options.listKeys } : {}),
  });
  const nope = () => assert.fail('doctor reads no session');
  m.deps.cache = (): SessionStore => ({ mode: 'none', location: 'MFA_LOGIN_CACHE=none', read: nope, put: nope, forget: nope, list: nope, acquire: nope });
  const status = await runChecks(m.deps, { isTty: false, clockTimeoutMs: 2000 });
  return { status, out: m.stdout.join('') };
}

const ALICE = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nregion = eu-west-1\n';

test('nothing failed: 0, warnings counted but not failures', async () => {
  const { status, out } = await doctor({ config: ALICE });
  assert.equal(status, EXIT.ok);
  assert.match(out, /^ok {4}key store: file ~\/.config\/mfa-login\/keys.enc is readable, keys for 1 profile\n/);
  assert.match(out, /\nwarn  clock: not checked, STS at http:\/\/127\.0\.0\.1:1 cannot be reached/);
  assert.match(out, /\n\nNo problems found \(\d+ warnings?\)\.\n$/);
});

test('only the key store failed: the keychain status, its line naming the check', async () => {
  const { status, out } = await doctor({ config: ALICE, listKeys: async () => Promise.reject(new MfaLoginError('E_KEYCHAIN_LOCKED', `the keychain of ${HOME}/x is locked`, { hint: `unlock ${HOME}/x` })) });
  assert.equal(status, EXIT.keychain);
  assert.match(out, /^FAIL  key store: the keychain of ~\/x is locked\n {6}fix: unlock ~\/x\n/);
  assert.match(out, /\n\n1 check failed, \d+ warnings?\.\n$/);
});

test('a config file that does not parse: the config status, and the checks that need it say they did not run', async () => {
  const { status, out } = await doctor({ config: '[profile alice]\nnot a setting\n' });
  assert.equal(status, EXIT.config);
  assert.match(out, /\nFAIL  config files: ~\/.aws\/config line 2: .*\n {6}fix: correct that line or file: mfa-login reads them as strictly as the AWS CLI does\n/);
  assert.match(out, /\nwarn  profiles: not checked, the config files do not parse \(see above\)\n/);
});

test('a failure that is not ours becomes a line of its own, and the other checks still run', async () => {
  const { status, out } = await doctor({ config: ALICE, listKeys: async () => Promise.reject(new TypeError('x is not a function')) });
  assert.equal(status, EXIT.keychain);
  assert.match(out, /^FAIL  key store: unexpected error: x is not a function\n {6}fix: run mfa-login doctor --debug, and report it if it persists\n/);
  assert.match(out, /\nok {4}config files: ~\/.aws\/config parse \(1 profile\)\n/);
  assert.match(out, /\nok {4}session cache: off \(MFA_LOGIN_CACHE=none\)/);
  assert.match(out, /\nok {4}credential_process: no profile calls mfa-login/);
});

test('the key store and something else failed: the config status, which covers the machine\'s setup', async () => {
  const { status, out } = await doctor({ config: '[profile alice]\nnot a setting\n', listKeys: async () => Promise.reject(new MfaLoginError('E_KEYCHAIN_LOCKED', 'the keychain is locked')) });
  assert.equal(status, EXIT.config);
  assert.match(out, /\n\n2 checks failed, \d+ warnings?\.\n$/);
});
