import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleStep } from '../../src/config/chain.js';
import { MfaLoginError } from '../../src/errors.js';
import { assumedDirectly, assumeRoleFrom, assumeRoleWithMfa, chainedSeconds, type RoleHop } from '../../src/providers/assume-role.js';
import { StsError, stsTarget } from '../../src/sts/sts.js';
import { ALICE_KEYS, ALICE_MFA, codes, ENDPOINT, fakeDeps, stsError } from './fakes.js';
import { accessDenied, packedPolicyTooLarge } from '../../src/aws-stand-in/faults.js';

const target = stsTarget({ endpointUrl: ENDPOINT }, {});
const step = (durationSeconds?: number): RoleStep => ({
  profile: 'prod',
  roleArn: 'arn:aws:iam::222222222222:role/prod',
  externalId: 'ext-1',
  sourceIdentity: 'alice',
  sts: {},
  ...(durationSeconds !== undefined ? { durationSeconds } : {}),
});
const hop = (durationSeconds?: number): RoleHop => ({ role: step(durationSeconds), roleSessionName: 'alice', target, serial: ALICE_MFA });

const chained: Array<[number | undefined, number, boolean]> = [
  [undefined, 3600, false],
  [1800, 1800, false],
  [3600, 3600, false],
  [7200, 3600, true],
];
for (const [asked, sent, capped] of chained) {
  test(`chaining cap: duration_seconds ${asked ?? '(none)'} is asked as ${sent}`, () => {
    const f = fakeDeps();
    assert.equal(chainedSeconds(f.deps, step(asked)), sent);
    assert.deepEqual(f.debug, capped ? [`prod: duration_seconds ${asked} capped to 3600: this hop is reached through another role (role chaining)`] : []);
  });
}

const direct: Array<[number, number | undefined, boolean]> = [
  [0, 7200, true],
  [0, 3601, true],
  [0, 3600, false],
  [0, undefined, false],
  [1, 7200, false],
];
for (const [index, seconds, expected] of direct) {
  test(`hop ${index} with duration_seconds ${seconds ?? '(none)'} ${expected ? 'is' : 'is not'} assumed straight from the IAM user`, () => {
    const f = fakeDeps();
    assert.equal(assumedDirectly(f.deps, step(seconds), index), expected);
    assert.equal(f.debug.length, expected ? 1 : 0);
    if (expected) assert.match(f.debug[0]!, /exceeds the 1-hour chaining cap; calling AssumeRole directly with the long-term key and an MFA code$/);
  });
}

test('AssumeRole with MFA sends the long-term key, the device, the code and the full duration', async () => {
  const f = fakeDeps();
  const creds = await assumeRoleWithMfa(f.deps, hop(7200), { keys: ALICE_KEYS, serial: ALICE_MFA, code: { source: () => codes('flag', '123456'), profile: 'prod' } });
  assert.deepEqual(f.sts.assumeRoleCalls, [
    { roleArn: 'arn:aws:iam::222222222222:role/prod', roleSessionName: 'alice', target, externalId: 'ext-1', sourceIdentity: 'alice', credentials: ALICE_KEYS, durationSeconds: 7200, serialNumber: ALICE_MFA, tokenCode: '123456' },
  ]);
  assert.equal(creds.expiration.getTime(), f.clock.ms + 7200_000);
});

test('AssumeRole with MFA asks a person again when STS refuses the code', async () => {
  const f = fakeDeps();
  f.sts.refusedCodes.add('111111');
  const source = codes('terminal', '111111', '222222');
  await assumeRoleWithMfa(f.deps, hop(7200), { keys: ALICE_KEYS, serial: ALICE_MFA, code: { source: () => source, profile: 'prod' } });
  assert.deepEqual(f.sts.assumeRoleCalls.map((c) => c.tokenCode), ['111111', '222222']);
  assert.equal(f.said.length, 1);
});

test('AssumeRole from a parent session sends the parent credentials and says where it comes from', async () => {
  const f = fakeDeps();
  const parent = { accessKeyId: 'ASIAPARENT', secretAccessKey: 's', sessionToken: 't', expiration: new Date(f.clock.ms + 600_000) };
  await assumeRoleFrom(f.deps, hop(), { credentials: parent, name: 'MFA session' }, 3600);
  assert.equal(f.sts.assumeRoleCalls[0]!.credentials, parent);
  assert.equal(f.sts.assumeRoleCalls[0]!.durationSeconds, 3600);
  assert.equal(f.sts.assumeRoleCalls[0]!.serialNumber, undefined);
  assert.deepEqual(f.debug, ['prod: AssumeRole from the MFA session (role chaining, at most 3600s)']);
});

test('a refusal of a chained AssumeRole is explained and keeps the STS error as its cause', async () => {
  const f = fakeDeps();
  f.sts.failNext('assumeRole', () => stsError(accessDenied('User: arn:aws:sts::111111111111:assumed-role/hop/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/prod')));
  const parent = { accessKeyId: 'ASIAPARENT', secretAccessKey: 's', sessionToken: 't', expiration: new Date(f.clock.ms + 600_000) };
  const e = await assumeRoleFrom(f.deps, hop(), { credentials: parent, name: 'MFA session' }, 3600).then(
    () => assert.fail('expected a refusal'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof MfaLoginError);
  assert.equal(e.code, 'E_STS_ACCESS_DENIED');
  assert.match(e.message, /^arn:aws:sts::111111111111:assumed-role\/hop\/alice may not assume arn:aws:iam::222222222222:role\/prod \(profile prod\)/);
  assert.ok(e.cause instanceof StsError && e.cause.code === 'AccessDenied');
});

test('STS refuses more than an hour through another role: why the chained length is capped', async () => {
  const f = fakeDeps();
  const parent = { accessKeyId: 'ASIAPARENT', secretAccessKey: 's', sessionToken: 't', expiration: new Date(f.clock.ms + 600_000) };
  await assert.rejects(assumeRoleFrom(f.deps, hop(7200), { credentials: parent, name: 'MFA session' }, 7200), {
    code: 'E_STS',
    message: 'arn:aws:iam::222222222222:role/prod cannot be assumed for longer than 1 hour through another role (profile prod)',
  });
});

const scopedHop = (): RoleHop => ({
  ...hop(7200),
  role: { ...step(7200), tags: [{ key: 'team', value: 'blue' }], transitiveTagKeys: ['team'], policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], policy: '{"Statement":[]}' },
});

test('AssumeRole with MFA, straight from the IAM user, sends the hop\'s session tags and policies too', async () => {
  const f = fakeDeps();
  await assumeRoleWithMfa(f.deps, scopedHop(), { keys: ALICE_KEYS, serial: ALICE_MFA, code: { source: () => codes('flag', '123456'), profile: 'prod' } });
  const [call] = f.sts.assumeRoleCalls;
  assert.deepEqual([call!.tags, call!.transitiveTagKeys, call!.policyArns, call!.policy], [[{ key: 'team', value: 'blue' }], ['team'], ['arn:aws:iam::aws:policy/ReadOnlyAccess'], '{"Statement":[]}']);
});

const parentSession = (f: ReturnType<typeof fakeDeps>) => ({ accessKeyId: 'ASIAPARENT', secretAccessKey: 's', sessionToken: 't', expiration: new Date(f.clock.ms + 600_000) });

test('a trust policy without sts:TagSession is named as such, not as "may not assume"', async () => {
  const f = fakeDeps();
  f.sts.failNext('assumeRole', () => stsError(accessDenied('User: arn:aws:sts::111111111111:assumed-role/hop/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::222222222222:role/prod')));
  await assert.rejects(assumeRoleFrom(f.deps, scopedHop(), { credentials: parentSession(f), name: 'MFA session' }, 3600), (e: unknown) =>
    e instanceof MfaLoginError &&
    e.code === 'E_STS_ACCESS_DENIED' &&
    e.message === 'arn:aws:sts::111111111111:assumed-role/hop/alice may not tag a session of arn:aws:iam::222222222222:role/prod (profile prod): the role\'s trust policy does not allow sts:TagSession, which session tags (and transitive tags from an earlier hop) need' &&
    e.hint === 'allow sts:TagSession in the trust policy of arn:aws:iam::222222222222:role/prod, or remove session_tags from [profile prod]' &&
    e.cause instanceof StsError);
});

test('a TagSession refusal names what set the tags: the options given, or an earlier hop\'s transitive tags', async () => {
  const refusal = () => stsError(accessDenied('User: arn:aws:sts::111111111111:assumed-role/hop/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::222222222222:role/prod'));
  const cases: Array<[RoleHop, string]> = [
    [{ ...scopedHop(), role: { ...scopedHop().role, scopeFlags: ['--session-tags', '--policy'] } }, 'leave out --session-tags'],
    [{ ...scopedHop(), role: { ...scopedHop().role, scopeFlags: ['--session-tags', '--transitive-session-tags'] } }, 'leave out --session-tags and --transitive-session-tags'],
    [hop(7200), 'remove transitive_session_tags from the profiles before it in the chain'],
  ];
  for (const [h, fix] of cases) {
    const f = fakeDeps();
    f.sts.failNext('assumeRole', refusal);
    await assert.rejects(assumeRoleFrom(f.deps, h, { credentials: parentSession(f), name: 'MFA session' }, 3600), { hint: `allow sts:TagSession in the trust policy of arn:aws:iam::222222222222:role/prod, or ${fix}` });
  }
});

test('tags and policies too large once packed: said in their terms, with what to shorten', async () => {
  const f = fakeDeps();
  f.sts.failNext('assumeRole', () => stsError(packedPolicyTooLarge(164)));
  await assert.rejects(assumeRoleFrom(f.deps, scopedHop(), { credentials: parentSession(f), name: 'MFA session' }, 3600), {
    code: 'E_STS',
    message: 'STS refused the session tags and policies of profile prod as too large once packed: Packed policy consumes 164% of allotted space, please use smaller policy.',
    hint: 'use fewer or shorter session_tags, or fewer or smaller session policies',
  });
});
