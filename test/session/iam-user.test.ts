import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { askTwoCodes, deleteKeyCommand, explainIamError, iamUser } from '../../src/session/iam-user.js';
import { StsError, type Sts } from '../../src/sts/sts.js';
import type { AskOptions } from '../../src/terminal/terminal.js';
import { HOME, memoryDeps } from '../memory-deps.js';
import { refusal } from '../refusal.js';

const CONFIG = `${HOME}/.aws/config`;
const KEYS = { accessKeyId: 'AKIAALICE', secretAccessKey: 's' };
const ADMIN = 'role_arn = arn:aws:iam::222222222222:role/admin';
const config = `[profile alice]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:1\n[profile prod]\n${ADMIN}\nsource_profile = alice\n[profile lone-role]\n${ADMIN}\n`;

/** Deps whose STS says the stored keys are `arn`'s (or fails with `fails`), and whether there is a terminal. */
function deps(options: { arn?: string; fails?: Error; terminal?: boolean } = {}) {
  const m = memoryDeps({ files: { [CONFIG]: config }, keys: { alice: KEYS } });
  const asked: unknown[] = [];
  const sts: Pick<Sts, 'getCallerIdentity'> = {
    getCallerIdentity: async (credentials, target) => {
      asked.push({ credentials, target });
      if (options.fails) throw options.fails;
      return { account: '111111111111', arn: options.arn ?? 'arn:aws:iam::111111111111:user/alice', userId: 'AIDA' };
    },
  };
  m.deps.sts = () => sts as Sts;
  m.deps.terminal = { ...m.deps.terminal, available: () => options.terminal ?? false };
  return { deps: m.deps, asked };
}

test("the IAM user behind stored keys: its name (a path's last segment) and the profile's STS and IAM endpoints", async () => {
  const d = deps({ arn: 'arn:aws:iam::111111111111:user/team/alice' });
  const user = await iamUser(d.deps, 'alice', 'rotate');
  assert.equal(user.userName, 'alice');
  assert.equal(user.userArn, 'arn:aws:iam::111111111111:user/team/alice');
  assert.deepEqual(user.keys, KEYS);
  assert.equal(user.config?.settings.region, 'eu-west-1');
  assert.equal(user.sts.region, 'eu-west-1');
  assert.equal(user.sts.endpoint, 'http://127.0.0.1:1');
  assert.deepEqual(d.asked, [{ credentials: KEYS, target: user.sts }]);
});

test('a role profile: the command on its source profile instead, or on USER_PROFILE when it has none', async () => {
  const e = await refusal(iamUser(deps().deps, 'prod', 'rotate'), 'E_CONFIG', EXIT.config);
  assert.equal(e.message, "profile prod is a role (role_arn); rotate works on the IAM user's own profile (alice)");
  assert.equal(e.hint, 'mfa-login rotate alice');
  assert.equal((await refusal(iamUser(deps().deps, 'lone-role', 'mfa create'), 'E_CONFIG', EXIT.config)).hint, 'mfa-login mfa create USER_PROFILE');
});

test('no stored keys: the missing keys, with the add command', async () => {
  await refusal(iamUser(deps().deps, 'bob', 'rotate'), 'E_PROFILE_UNKNOWN', EXIT.config);
  const none = memoryDeps({ files: { [CONFIG]: '[profile carol]\nregion = eu-west-1\n' } });
  const missing = await refusal(iamUser(none.deps, 'carol', 'rotate'), 'E_NO_KEYS', EXIT.missingKeys);
  assert.equal(missing.hint, "store the IAM user's access key first: mfa-login add carol");
});

test('a command that needs a terminal, without one: the command to run in one, before STS is asked', async () => {
  const d = deps();
  const e = await refusal(iamUser(d.deps, 'alice', 'mfa create', "shows the new device's secret on a terminal"), 'E_MFA_NO_SOURCE', EXIT.mfa);
  assert.equal(e.message, `mfa create shows the new device's secret on a terminal, and there is none here: run "mfa-login mfa create alice" in a terminal`);
  assert.deepEqual(d.asked, []);
  assert.equal((await iamUser(deps({ terminal: true }).deps, 'alice', 'mfa create', 'needs one')).userName, 'alice');
});

test('keys that are not an IAM user\'s, or an STS that cannot be reached', async () => {
  const role = await refusal(iamUser(deps({ arn: 'arn:aws:sts::111111111111:assumed-role/admin/x' }).deps, 'alice', 'rotate'), 'E_NO_KEYS', EXIT.missingKeys);
  assert.equal(role.message, 'the keys stored for alice belong to arn:aws:sts::111111111111:assumed-role/admin/x, not to an IAM user');
  const gone = await refusal(iamUser(deps({ fails: new StsError('NetworkError', 'ECONNREFUSED', undefined, undefined, 'http://127.0.0.1:1') }).deps, 'alice', 'rotate'), 'E_STS_UNREACHABLE', EXIT.sts);
  assert.equal(gone.message, 'cannot reach STS at http://127.0.0.1:1 (ECONNREFUSED)');
});

// The keys here were stored earlier (by add), and rotate or mfa create read them back: the refusal
// names them as the profile's stored key, not in add's words for keys just given.
test('stored keys AWS does not recognise: named as the profile\'s stored key, not as keys just given', async () => {
  const invalid = new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403, undefined, 'http://127.0.0.1:1');
  const refused = await refusal(iamUser(deps({ fails: invalid }).deps, 'alice', 'rotate'), 'E_STS', EXIT.sts);
  assert.doesNotMatch(refused.message, /you gave|nothing was stored/);
  assert.match(refused.message, /alice/);
});

test('IAM refusals in the user\'s words: denied (with the policy), unreachable, anything else with its code', () => {
  const at = 'https://iam.amazonaws.com';
  const denied = explainIamError(new StsError('AccessDenied', 'not allowed', 403, undefined, at), 'alice', 'create the MFA device') as MfaLoginError;
  assert.equal(denied.code, 'E_STS_ACCESS_DENIED');
  assert.equal(denied.message, 'IAM refused to create the MFA device for profile alice: not allowed');
  assert.match(denied.hint!, /mfa-login policy/);
  assert.equal((explainIamError(new StsError('InvalidClientTokenId', 'bad key', 403, undefined, at), 'alice', 'x') as MfaLoginError).code, 'E_STS_ACCESS_DENIED');
  const other = explainIamError(new StsError('LimitExceeded', 'too many', 409, undefined, at), 'alice', 'create a key') as MfaLoginError;
  assert.equal(other.code, 'E_STS');
  assert.equal(other.message, 'IAM refused to create a key for profile alice: LimitExceeded: too many');
  const gone = explainIamError(new StsError('NetworkError', 'ECONNREFUSED', undefined, undefined, 'http://127.0.0.1:1'), 'alice', 'x') as MfaLoginError;
  assert.equal(gone.code, 'E_STS_UNREACHABLE');
  assert.equal(gone.message, 'cannot reach IAM at http://127.0.0.1:1 (ECONNREFUSED)');
  const bug = new TypeError('a bug');
  assert.equal(explainIamError(bug, 'alice', 'x'), bug);
});

test('two codes: each must be 6 digits, the second not the first again', async () => {
  const { deps: d } = deps({ terminal: true });
  const answers = ['12345', ' 123456 ', '123456', 'abcdef', '654321'];
  const told: string[] = [];
  d.terminal.ask = async (_message: string, options?: AskOptions) => {
    for (;;) {
      const v = answers.shift()!;
      const ok = options!.validate!(v);
      if (ok === true) return v;
      told.push(ok);
    }
  };
  assert.deepEqual(await askTwoCodes(d), ['123456', '654321']);
  assert.deepEqual(told, ['A code is 6 digits', 'That is the same code: wait until the device shows the next one', 'A code is 6 digits']);
});

test('the command that deletes a key names the user, or has rotate find it', () => {
  assert.equal(deleteKeyCommand('alice', 'AKIAOLD', 'alice'), 'mfa-login exec alice -- aws iam delete-access-key --user-name alice --access-key-id AKIAOLD');
  assert.equal(deleteKeyCommand('alice', 'AKIAOLD', undefined), 'mfa-login rotate alice  (lists the keys and names the one to delete)');
});
