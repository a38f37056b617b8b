import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { codeSourceFor } from '../../src/session/code-source.js';
import { plan, role, USER } from '../providers/fakes.js';
import { memoryDeps } from '../memory-deps.js';

const PROD = plan(USER + role('prod', 'alice'), 'prod');
const WITH_PROCESS = plan(USER.replace('\n', '\nmfa_process = /usr/bin/otp-cli show alice\n') + role('prod', 'alice'), 'prod');
const BY_HAND = 'mfa-login session prod';

function choose(p: typeof PROD, flag: string | undefined, env: Record<string, string> = {}) {
  const m = memoryDeps({ env });
  const debug: string[] = [];
  m.deps.debug = (line) => void debug.push(line);
  m.deps.runProcess = async () => '246810\n';
  return { source: codeSourceFor(m.deps, p, flag, BY_HAND), debug };
}

test('--mfa-token first, then MFA_LOGIN_MFA_TOKEN, then mfa_process, then a prompt; --debug says which', async () => {
  const token = { MFA_LOGIN_MFA_TOKEN: '654321' };
  const cases: Array<[ReturnType<typeof choose>, string, string | undefined, string]> = [
    [choose(WITH_PROCESS, '123456', token), 'flag', '123456', 'MFA code from --mfa-token'],
    [choose(WITH_PROCESS, undefined, token), 'environment', '654321', 'MFA code from MFA_LOGIN_MFA_TOKEN'],
    [choose(WITH_PROCESS, undefined), 'mfa_process', '246810', 'MFA code from mfa_process (otp-cli)'],
    [choose(PROD, undefined, { MFA_LOGIN_PROMPT: 'terminal' }), 'terminal', undefined, 'MFA code from a prompt (MFA_LOGIN_PROMPT=terminal)'],
  ];
  for (const [{ source, debug }, kind, code, said] of cases) {
    assert.equal(source.kind, kind);
    if (code !== undefined) assert.equal(await source.get({ profile: 'prod', serial: 's', attempt: 1 }), code);
    assert.deepEqual(debug, [said]);
  }
});

test('no terminal and no desktop: the command to run by hand, in one line', async () => {
  const { source } = choose(PROD, undefined);
  await assert.rejects(source.get({ profile: 'prod', serial: 's', attempt: 1 }), (e: unknown) => {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_MFA_NO_SOURCE');
    assert.equal(e.exitStatus, EXIT.mfa);
    assert.equal(e.message, `an MFA code is needed for prod and there is no terminal to ask on; run "${BY_HAND}" in a terminal first, pass --mfa-token, or set mfa_process in the profile`);
    return true;
  });
});
