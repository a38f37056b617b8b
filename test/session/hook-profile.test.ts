import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { resolveChain } from '../../src/config/chain.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { hookTarget, refuseHookProfile } from '../../src/session/hook-profile.js';

test('the profile a credential_process line hands to mfa-login, when the line calls mfa-login', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['/usr/bin/mfa-login credential-process prod', 'prod'],
    ['"/opt/my tools/node" "/opt/my tools/mfa-login.js" credential-process prod --debug', 'prod'],
    ['/usr/bin/mfa-login credential-process', undefined],
    ['/usr/bin/mfa-login status', undefined],
    ['aws-vault export --format=json prod', undefined],
    [undefined, undefined],
  ];
  for (const [line, target] of cases) assert.equal(hookTarget(line), target, String(line));
});

const config = [
  '[profile prod-mfa]',
  'credential_process = /usr/bin/mfa-login credential-process prod',
  '[profile reports]',
  'role_arn = arn:aws:iam::222222222222:role/reports',
  'source_profile = prod-mfa',
  '[profile alice]',
  'mfa_serial = arn:aws:iam::111111111111:mfa/alice',
  '',
].join('\n');
const files = loadProfiles({ configFile: '/home/alice/.aws/config', credentialsFile: '/home/alice/.aws/credentials' }, config, undefined);

function refusal(target: string, command: string): MfaLoginError {
  try {
    refuseHookProfile(files, resolveChain(files, target), command);
  } catch (e) {
    assert.ok(e instanceof MfaLoginError);
    assert.equal(e.code, 'E_CONFIG');
    assert.equal(e.exitStatus, EXIT.config);
    return e;
  }
  return assert.fail(`${target} was let through`);
}

test('the hook profile itself: what it is, where, and the command to use instead, in the words of each command', () => {
  const e = refusal('prod-mfa', 'mfa-login');
  assert.equal(e.message, "profile prod-mfa is a credential_process profile for prod (/home/alice/.aws/config line 2): AWS tools use it to ask mfa-login for prod's credentials; it has no keys of its own");
  assert.equal(e.hint, 'use the profile it stands for: mfa-login prod');
  assert.equal(refusal('prod-mfa', 'mfa-login exec').hint, 'use the profile it stands for: mfa-login exec prod -- COMMAND');
  assert.equal(refusal('prod-mfa', 'mfa-login console').hint, 'use the profile it stands for: mfa-login console prod');
});

test("a role whose source_profile is a hook profile: the source_profile is what to change", () => {
  const e = refusal('reports', 'mfa-login');
  assert.match(e.message, /^profile prod-mfa \(the source_profile of reports\) is a credential_process profile for prod /);
  assert.equal(e.hint, "set source_profile to the IAM user's profile, not to prod-mfa");
});

test('an IAM user profile passes', () => {
  assert.equal(refuseHookProfile(files, resolveChain(files, 'alice'), 'mfa-login'), undefined);
});
