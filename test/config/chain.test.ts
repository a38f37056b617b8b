import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveChain, withScope } from '../../src/config/chain.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { MfaLoginError } from '../../src/errors.js';
import { defaultSessionName } from '../../src/providers/chain-keys.js';

const files = { configFile: 'config', credentialsFile: 'credentials' };
const plan = (config: string, target: string) => resolveChain(loadProfiles(files, config, undefined), target);
const USER = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nregion = eu-west-1\n';

test('an IAM user alone is a chain with no roles', () => {
  const p = plan(USER, 'alice');
  assert.deepEqual(p.roles, []);
  assert.equal(p.source.profile, 'alice');
  assert.equal(p.mfaSerial, 'arn:aws:iam::111111111111:mfa/alice');
  assert.equal(p.region, 'eu-west-1');
});

test('role hops are ordered from the source to the target and keep their settings', () => {
  const p = plan(
    `${USER}[profile hop]\nrole_arn = arn:aws:iam::222222222222:role/Hop\nsource_profile = alice\n[profile prod]\nrole_arn = arn:aws-us-gov:iam::333333333333:role/path/Admin\nsource_profile = hop\nexternal_id = abc:123\nrole_session_name = alice@corp\nsource_identity = alice\nduration_seconds = 1800\nregion = us-gov-west-1\n`,
    'prod',
  );
  assert.deepEqual(p.roles.map((r) => r.profile), ['hop', 'prod']);
  assert.deepEqual(p.roles[1], {
    profile: 'prod',
    roleArn: 'arn:aws-us-gov:iam::333333333333:role/path/Admin',
    externalId: 'abc:123',
    roleSessionName: 'alice@corp',
    sourceIdentity: 'alice',
    durationSeconds: 1800,
    sts: { region: 'us-gov-west-1' },
  });
  assert.equal(p.region, 'us-gov-west-1');
});

test('mfa_serial and mfa_process come from the nearest profile to the target', () => {
  const p = plan(`${USER}[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = alice\nmfa_serial = GAHT12345678\nmfa_process = ykman oath accounts code --single aws\n`, 'prod');
  assert.equal(p.mfaSerial, 'GAHT12345678');
  assert.equal(p.mfaSerialFrom, 'prod');
  assert.equal(p.mfaProcess, 'ykman oath accounts code --single aws');
});

const loops: Array<[string, string, string]> = [
  ['one profile', '[profile a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = a\n', 'a -> a'],
  ['two profiles', '[profile a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = a\n', 'a -> b -> a'],
  [
    'five profiles',
    ['a', 'b', 'c', 'd', 'e'].map((n, i, all) => `[profile ${n}]\nrole_arn = arn:aws:iam::222222222222:role/${n}\nsource_profile = ${all[(i + 1) % 5]}\n`).join(''),
    'a -> b -> c -> d -> e -> a',
  ],
];
for (const [name, config, path] of loops) {
  test(`a source_profile loop of ${name} lists the path`, () => {
    assert.throws(() => plan(config, 'a'), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_PROFILE_LOOP' && e.message === `source_profile loop: ${path}`);
  });
}

const invalid: Array<[string, string, RegExp]> = [
  ['a user ARN as mfa_serial', '[profile a]\nmfa_serial = arn:aws:iam::111111111111:user/alice\n', /config line 2: mfa_serial = arn:aws:iam::111111111111:user\/alice is an IAM user ARN, not an MFA device/],
  ['a wrong partition', '[profile a]\nmfa_serial = arn:aws-xx:iam::111111111111:mfa/alice\n', /has partition "aws-xx" \(expected aws, aws-us-gov or aws-cn\)/],
  ['a wrong service', '[profile a]\nmfa_serial = arn:aws:sts::111111111111:mfa/alice\n', /is an ARN of sts, not of IAM/],
  ['a short account id', '[profile a]\nmfa_serial = arn:aws:iam::1111:mfa/alice\n', /does not have a 12-digit account id/],
  ['garbage serial', '[profile a]\nmfa_serial = a b\n', /is neither an MFA device ARN/],
  ['a bad role ARN', `${USER}[profile a]\nrole_arn = arn:aws:iam::222222222222:user/x\nsource_profile = alice\n`, /role_arn = arn:aws:iam::222222222222:user\/x is not an IAM role ARN/],
  ['a duration that is not a number', `${USER}[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = alice\nduration_seconds = 1h\n`, /duration_seconds = 1h must be a whole number of seconds/],
  ['a role duration out of range', `${USER}[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = alice\nduration_seconds = 600\n`, /duration_seconds = 600 must be between 1800 \(30 minutes\) and 43200 \(12 hours\) seconds for a role/],
  ['a bad session name', `${USER}[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = alice\nrole_session_name = a b\n`, /role_session_name = a b must be 2 to 64 characters/],
  ['a bad external id', `${USER}[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = alice\nexternal_id = x\n`, /external_id = x must be 2 to 1224/],
  ['a bad sts_regional_endpoints', '[profile a]\nsts_regional_endpoints = sometimes\n', /must be "legacy" or "regional"/],
  ['role_arn without source_profile', '[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\ncredential_source = Ec2InstanceMetadata\n', /has role_arn but credential_source = Ec2InstanceMetadata/],
  ['a dangling source_profile', '[profile a]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = ghost\n', /names source_profile ghost, which is not defined \(config line 3\); known profiles: a/],
];
for (const [name, config, message] of invalid) {
  test(`refuses ${name}`, () => {
    assert.throws(() => plan(config, 'a'), (e: unknown) => e instanceof MfaLoginError && message.test(e.message));
  });
}

test('the role session name names the human', () => {
  assert.equal(defaultSessionName(plan(USER, 'alice')), 'alice');
  assert.equal(defaultSessionName(plan('[profile ops user]\nmfa_serial = GAHT12345678\n', 'ops user')), 'ops-user');
});

test('a near miss of a key this tool reads gets a warning naming the key it resembles; other unknown keys do not', () => {
  const p = plan(`[profile alice]\nmfa_seriall = x\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\nMFA_PROCESS = echo 123456\ncli_pager =\nmy_own_tool_key = 1\nsso_region = eu-west-1\n[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = alice\nduration-seconds = 900\n`, 'prod');
  assert.deepEqual(p.warnings, [
    'config line 11: unknown key duration-seconds in profile prod; did you mean duration_seconds?',
    'config line 2: unknown key mfa_seriall in profile alice; did you mean mfa_serial?',
    'config line 4: unknown key MFA_PROCESS in profile alice; did you mean mfa_process?',
  ]);
});

test('a misspelt source_profile is named in the hint of the error it causes', () => {
  assert.throws(
    () => plan(`${USER}[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource-profile = alice\n`, 'prod'),
    (e: unknown) => e instanceof MfaLoginError && e.hint === 'config line 6: unknown key source-profile in profile prod; did you mean source_profile?',
  );
});

/** `[profile r1]` ... `[profile rN]`, each assuming its role from the one before, r1 from alice. */
const chainOf = (roles: number) => USER + Array.from({ length: roles }, (_, i) => `[profile r${i + 1}]\nrole_arn = arn:aws:iam::222222222222:role/r${i + 1}\nsource_profile = ${i === 0 ? 'alice' : `r${i}`}\n`).join('');

test(`a chain of 64 roles is followed; one of 65 is refused, naming the profile and the limit`, () => {
  const p = plan(chainOf(64), `r64`);
  assert.equal(p.roles.length, 64);
  assert.equal(p.source.profile, 'alice');
  assert.throws(
    () => plan(chainOf(3000), 'r3000'),
    (e: unknown) =>
      e instanceof MfaLoginError &&
      e.code === 'E_CONFIG' &&
      e.exitStatus === 3 &&
      e.message === `the source_profile chain of profile r3000 has more than 64 roles, the most mfa-login follows (role 65 from r3000 is r2936, config line ${3 + 3 * 2936 - 1})`,
  );
});

test('an error that lists the known profiles shows ten and counts the rest', () => {
  const many = chainOf(30);
  assert.throws(() => plan(many, 'nosuch'), (e: unknown) => e instanceof MfaLoginError && /; known profiles: alice, r1, r10, r11, r12, r13, r14, r15, r16, r17 and 21 more$/.test(e.message));
  assert.throws(
    () => plan(`${many}[profile x]\nrole_arn = arn:aws:iam::222222222222:role/x\nsource_profile = ghost\n`, 'x'),
    (e: unknown) => e instanceof MfaLoginError && /which is not defined \(config line \d+\); known profiles: alice, r1, r10, r11, r12, r13, r14, r15, r16, r17 and 22 more$/.test(e.message),
  );
  assert.throws(() => plan(chainOf(9), 'nosuch'), (e: unknown) => e instanceof MfaLoginError && /; known profiles: alice, r1, r2, r3, r4, r5, r6, r7, r8, r9$/.test(e.message));
});

const roleWith = (name: string, source: string, extra: string) => `[profile ${name}]\nrole_arn = arn:aws:iam::222222222222:role/${name}\nsource_profile = ${source}\n${extra}`;

test('session_tags, transitive_session_tags and policy_arns belong to the hop of their profile', () => {
  const p = plan(USER + roleWith('hop', 'alice', 'session_tags = team=blue,project=x\ntransitive_session_tags = team\n') + roleWith('prod', 'hop', 'policy_arns = arn:aws:iam::aws:policy/ReadOnlyAccess\n'), 'prod');
  assert.deepEqual(p.roles[0], {
    profile: 'hop',
    roleArn: 'arn:aws:iam::222222222222:role/hop',
    sts: {},
    tags: [{ key: 'team', value: 'blue' }, { key: 'project', value: 'x' }],
    transitiveTagKeys: ['team'],
  });
  assert.deepEqual(p.roles[1], { profile: 'prod', roleArn: 'arn:aws:iam::222222222222:role/prod', sts: {}, policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
  assert.deepEqual(p.warnings, []);
});

const badScope: Array<[string, string, string]> = [
  ['51 session tags', `session_tags = ${Array.from({ length: 51 }, (_, i) => `k${i}=v`).join(',')}\n`, 'config line 7: session_tags = k0=v,k1=v,k2=v,k3=v,k4=v,k5=v,k6=v,k7=v,k8=v,k9=v,k10=v,k11=v,k12=v,k13=v,k14... has 51 tags; STS takes at most 50'],
  ['a transitive key not among the tags', 'session_tags = team=blue\ntransitive_session_tags = project\n', 'config line 8: transitive_session_tags = project names project, which is not among the session tags (team)'],
  ['transitive keys without tags', 'transitive_session_tags = project\n', 'config line 7: transitive_session_tags = project names project, but no session_tags are set for this role'],
  ['a policy ARN of another account', 'policy_arns = arn:aws:iam::333333333333:policy/x\n', 'config line 7: policy_arns = arn:aws:iam::333333333333:policy/x has arn:aws:iam::333333333333:policy/x, a policy of account 333333333333; a session policy must be in the role\'s account (222222222222) or be AWS-managed'],
];
for (const [what, extra, message] of badScope) {
  test(`refuses ${what}, naming file and line`, () => {
    assert.throws(() => plan(USER + roleWith('a', 'alice', extra), 'a'), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_CONFIG' && e.message === message && e.hint === 'fix ' + message.split(' = ')[0]!.split(': ')[1] + ' in the profile a');
  });
}

test('a later hop that sets a tag an earlier hop made transitive is refused, naming both profiles', () => {
  const config = USER + roleWith('hop', 'alice', 'session_tags = Team=blue\ntransitive_session_tags = team\n') + roleWith('prod', 'hop', 'session_tags = team=green\n');
  assert.throws(
    () => plan(config, 'prod'),
    (e: unknown) => e instanceof MfaLoginError && e.code === 'E_CONFIG' && e.message === 'config line 12: session_tags = team=green sets the tag team, which profile hop earlier in the chain passes on as transitive (transitive_session_tags): STS refuses to change an inherited transitive tag',
  );
  assert.equal(plan(config, 'hop').roles.length, 1, 'the first hop alone is fine');
});

test('session tags on the IAM user have no effect, and say so', () => {
  assert.deepEqual(plan(`${USER}session_tags = team=blue\n`, 'alice').warnings, ['config line 4: session_tags in profile alice has no effect: it applies to a role (role_arn), and this profile is the IAM user']);
});

test('a command\'s scope replaces the target hop\'s values, key by key, and is checked with the config', () => {
  const config = USER + roleWith('hop', 'alice', 'session_tags = team=blue\ntransitive_session_tags = team\n') + roleWith('prod', 'hop', 'session_tags = project=x\npolicy_arns = arn:aws:iam::aws:policy/ReadOnlyAccess\n');
  const base = plan(config, 'prod');
  assert.equal(withScope(base, {}), base, 'no options: the plan as it was');
  const scoped = withScope(base, { tags: [{ key: 'project', value: 'y' }], policy: '{"Statement":[]}' });
  assert.deepEqual(scoped.roles[0], base.roles[0], 'earlier hops keep theirs');
  assert.deepEqual(scoped.roles[1], { ...base.roles[1], tags: [{ key: 'project', value: 'y' }], policy: '{"Statement":[]}', scopeFlags: ['--session-tags', '--policy'] });
  assert.deepEqual(base.roles[1]!.tags, [{ key: 'project', value: 'x' }], 'the plan given is not changed');
  const usage = (scope: Parameters<typeof withScope>[1], target: string, message: string, hint: string) =>
    assert.throws(() => withScope(plan(config, target), scope), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_USAGE' && e.message === message && e.hint === hint);
  usage({ tags: [{ key: 'Team', value: 'red' }] }, 'prod', 'profile prod: the target sets the tag Team, which profile hop earlier in the chain passes on as transitive (transitive_session_tags): STS refuses to change an inherited transitive tag', 'change --session-tags, or transitive_session_tags earlier in the chain');
  usage({ transitiveTagKeys: ['owner'] }, 'prod', 'profile prod: --transitive-session-tags names owner, which is not among the session tags (project)', 'change session_tags in [profile prod] or --transitive-session-tags');
  usage({ tags: [{ key: 'owner', value: 'me' }] }, 'hop', 'profile hop: transitive_session_tags names team, which is not among the session tags (owner)', 'change --session-tags or transitive_session_tags in [profile hop]');
  usage({ policyArns: ['arn:aws:iam::333333333333:policy/x'] }, 'prod', 'profile prod: --policy-arn has arn:aws:iam::333333333333:policy/x, a policy of account 333333333333; a session policy must be in the role\'s account (222222222222) or be AWS-managed', 'give --policy-arn arn:aws:iam::222222222222:policy/NAME or arn:aws:iam::aws:policy/NAME');
  usage({ policyArns: ['arn:aws-us-gov:iam::aws:policy/x'] }, 'prod', 'profile prod: --policy-arn has arn:aws-us-gov:iam::aws:policy/x, which is in partition aws-us-gov, not the role\'s (aws)', 'give --policy-arn arn:aws:iam::222222222222:policy/NAME or arn:aws:iam::aws:policy/NAME');
  usage({ policy: '{}' }, 'prod', 'profile prod: --policy is not a policy document: it needs a "Statement"', 'change --policy');
  usage({ tags: [{ key: 'a', value: 'b' }] }, 'alice', '--session-tags scopes a role session, and profile alice is an IAM user (its MFA session comes from GetSessionToken, which takes no tags or policies)', 'name a profile with role_arn instead of alice');
  usage({ tags: [{ key: 'a', value: 'b' }], policy: '{"Statement":[]}' }, 'alice', '--session-tags, --policy scope a role session, and profile alice is an IAM user (its MFA session comes from GetSessionToken, which takes no tags or policies)', 'name a profile with role_arn instead of alice');
});

test('a slip in a session tag key is caught like any key of ours', () => {
  assert.deepEqual(plan(USER + roleWith('prod', 'alice', 'session_tag = team=blue\ntransitive-session-tags = team\n'), 'prod').warnings, [
    'config line 7: unknown key session_tag in profile prod; did you mean session_tags?',
    'config line 8: unknown key transitive-session-tags in profile prod; did you mean transitive_session_tags?',
  ]);
});
