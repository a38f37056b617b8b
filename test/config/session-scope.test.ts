import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolicyDocument, parsePolicyArns, parseSessionTags, parseTagKeys, ScopeProblem, scopeFromFlags } from '../../src/config/session-scope.js';
import { MfaLoginError } from '../../src/errors.js';

const tags = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');

test('session_tags is read as aws-vault reads it: pairs split on commas and on the first "=", trimmed', () => {
  assert.deepEqual(parseSessionTags(' team = blue ,cost-center=42,, note=a=b , empty=,Équipe de nuit=Zürich 2'), [
    { key: 'team', value: 'blue' },
    { key: 'cost-center', value: '42' },
    { key: 'note', value: 'a=b' },
    { key: 'empty', value: '' },
    { key: 'Équipe de nuit', value: 'Zürich 2' },
  ]);
  assert.equal(parseSessionTags(tags(50)).length, 50);
  assert.deepEqual(parseSessionTags(`${'k'.repeat(128)}=${'v'.repeat(256)}`), [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }]);
});

const refused: Array<[string, () => unknown, string]> = [
  ['51 tags', () => parseSessionTags(tags(51)), 'has 51 tags; STS takes at most 50'],
  ['a key of 129 characters', () => parseSessionTags(`${'k'.repeat(129)}=v`), 'has a tag key of 129 characters (kkkkkkkkkkkkkkkkkkkk...); STS takes 1 to 128'],
  ['a value of 257 characters', () => parseSessionTags(`k=${'v'.repeat(257)}`), 'has a value of 257 characters for k; STS takes at most 256'],
  ['a character STS refuses in a key', () => parseSessionTags('cost#center=1'), 'has "#" in the key cost#center; tag keys and values take letters, digits, spaces and _.:/=+-@ only'],
  ['a character STS refuses in a value', () => parseSessionTags('team=blue;green'), 'has ";" in the value of team; tag keys and values take letters, digits, spaces and _.:/=+-@ only'],
  ['a control character', () => parseSessionTags('team=a\tb'), 'has U+0009 in the value of team; tag keys and values take letters, digits, spaces and _.:/=+-@ only'],
  ['a pair without "="', () => parseSessionTags('team=blue,green'), 'has "green" without "=": write key=value pairs separated by commas'],
  ['an empty key', () => parseSessionTags('=blue'), 'has a tag with an empty key'],
  ['the same key twice in another case', () => parseSessionTags('Team=a,team=b'), 'names the tag team twice (as Team and team; tag keys are case-insensitive)'],
  ['the same key twice', () => parseSessionTags('team=a,team=b'), 'names the tag team twice (tag keys are case-insensitive)'],
  ['a key AWS keeps for itself', () => parseSessionTags('aws:team=a'), 'has the tag key aws:team; keys beginning with aws: are reserved for AWS'],
  ['nothing', () => parseSessionTags(' , '), 'has no tags: write key=value pairs separated by commas'],
  ['a transitive key STS refuses', () => parseTagKeys('team,cost#center'), 'has "#" in the key cost#center; tag keys and values take letters, digits, spaces and _.:/=+-@ only'],
  ['no transitive keys', () => parseTagKeys(','), 'names no tag keys: write keys separated by commas'],
  ['11 policy ARNs', () => parsePolicyArns(Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(',')), 'names 11 policies; STS takes at most 10'],
  ['a role ARN as a policy', () => parsePolicyArns('arn:aws:iam::222222222222:role/x'), 'has arn:aws:iam::222222222222:role/x, which is not a managed policy ARN (expected arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::aws:policy/NAME)'],
  ['a policy of another account', () => parsePolicyArns('arn:aws:iam::333333333333:policy/x', 'arn:aws:iam::222222222222:role/r'), 'has arn:aws:iam::333333333333:policy/x, a policy of account 333333333333; a session policy must be in the role\'s account (222222222222) or be AWS-managed'],
  ['a policy of another partition', () => parsePolicyArns('arn:aws-cn:iam::aws:policy/x', 'arn:aws:iam::222222222222:role/r'), 'has arn:aws-cn:iam::aws:policy/x, which is in partition aws-cn, not the role\'s (aws)'],
  ['a policy twice', () => parsePolicyArns('arn:aws:iam::aws:policy/x,arn:aws:iam::aws:policy/x'), 'names arn:aws:iam::aws:policy/x twice'],
  ['a policy that is not JSON', () => checkPolicyDocument('{"Statement":'), 'is not JSON (it ends too soon)'],
  ['a policy without statements', () => checkPolicyDocument('{"Version":"2012-10-17"}'), 'is not a policy document: it needs a "Statement"'],
  ['a policy of 2049 characters', () => checkPolicyDocument(`{"Statement":[]${' '.repeat(2033)}}`), 'is 2049 characters; STS takes at most 2048 (leave out spaces and line breaks, or name managed policies instead)'],
  ['a policy with a character beyond U+00FF', () => checkPolicyDocument('{"Statement":[],"Sid":"Ā"}'), 'has the character U+0100; STS takes tab, line breaks and U+0020 to U+00FF only'],
];
for (const [what, fn, message] of refused) {
  test(`refused before STS: ${what}`, () => {
    assert.throws(fn, (e: unknown) => e instanceof ScopeProblem && e.what === message);
  });
}

test('policy_arns takes the account\'s own and AWS-managed policies, with paths', () => {
  assert.deepEqual(parsePolicyArns(' arn:aws:iam::222222222222:policy/team/ReadS3 , arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::222222222222:role/r'), [
    'arn:aws:iam::222222222222:policy/team/ReadS3',
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
  ]);
  assert.equal(checkPolicyDocument(`{"Statement":[]${' '.repeat(2032)}}`).length, 2048);
});

test('flags become a scope; a bad one is a usage error naming the flag and its value', () => {
  assert.deepEqual(
    scopeFromFlags({ sessionTags: 'team=blue', transitiveSessionTags: 'team', policyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B,arn:aws:iam::aws:policy/C'], policy: { file: 'p.json', text: '{"Statement":[]}\n' } }),
    { tags: [{ key: 'team', value: 'blue' }], transitiveTagKeys: ['team'], policyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B', 'arn:aws:iam::aws:policy/C'], policy: '{"Statement":[]}' },
  );
  assert.deepEqual(scopeFromFlags({}), {});
  const usage = (flags: Parameters<typeof scopeFromFlags>[0], message: string, hint: RegExp) =>
    assert.throws(() => scopeFromFlags(flags), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_USAGE' && e.exitStatus === 2 && e.message === message && hint.test(e.hint ?? ''));
  usage({ sessionTags: 'team' }, '--session-tags team has "team" without "=": write key=value pairs separated by commas', /^write --session-tags key1=value1,key2=value2/);
  usage({ transitiveSessionTags: 'a#b' }, '--transitive-session-tags a#b has "#" in the key a#b; tag keys and values take letters, digits, spaces and _.:/=+-@ only', /^write --transitive-session-tags/);
  usage({ policyArns: ['nope'] }, '--policy-arn nope is not a managed policy ARN (expected arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::aws:policy/NAME)', /^give --policy-arn/);
  usage({ policy: { file: 'p.json', text: 'not json' } }, '--policy p.json is not JSON', /^name a file holding one JSON policy document/);
  usage({ policy: { file: '/etc/shadow', text: 'root:*:20200:0:99999:7:::' } }, '--policy /etc/shadow is not JSON', /^name a file/);
  usage({ policy: { file: 'p.json', text: '{"Statement": [\n  {"Effect" "Allow"}]}' } }, '--policy p.json is not JSON (line 2, column 13)', /^name a file/);
  usage({ policyArns: ['arn:aws:iam::aws:policy/A', 'x'] }, '--policy-arn x is not a managed policy ARN (expected arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::aws:policy/NAME)', /^give --policy-arn/);
  usage({ policyArns: ['arn:aws:iam::aws:policy/A,y'] }, '--policy-arn y is not a managed policy ARN (expected arn:aws:iam::123456789012:policy/NAME or arn:aws:iam::aws:policy/NAME)', /^give --policy-arn/);
});
