import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Sandbox, user } from './harness.js';

/**
 * aws-vault's session_tags and transitive_session_tags through the built CLI: sent with AssumeRole
 * (as the local STS records them), part of the session's cache key, and refused before any code is
 * asked for when STS would refuse them.
 */
const tagger = user('tagger');
/** Keys stored, no session cached: a run that got as far as wanting a code would run mfa_process. */
const fresh = user('fresh');
const TAGGED = 'arn:aws:iam::222222222222:role/Tagged';
const NEXT = 'arn:aws:iam::222222222222:role/TaggedNext';
const role = (name: string, arn: string, source: string, extra: string) => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = ${source}\n${extra}\n`;
const CONFIG = `[profile tagger]\nmfa_serial = ${tagger.mfaDevices[0]!.serial}\n\n[profile fresh]\nmfa_serial = ${fresh.mfaDevices[0]!.serial}\nmfa_process = sh -c 'touch "$HOME/code-asked"; echo 123456'\n\n` +
  role('dev', TAGGED, 'tagger', 'session_tags = team=blue, project=apollo\ntransitive_session_tags = team') +
  role('dev-green', TAGGED, 'tagger', 'session_tags = team=green, project=apollo') +
  role('next', NEXT, 'dev', 'session_tags = owner=me') +
  role('plain', TAGGED, 'tagger', '');

let sb: Sandbox;
before(async () => {
  sb = await new Sandbox([tagger, fresh]).start({
    roles: [
      { roleArn: TAGGED, requireMfa: true, allowsTagSession: true },
      { roleArn: NEXT, trustedPrincipals: [TAGGED], allowsTagSession: true },
    ],
  });
  sb.write('.aws/config', CONFIG);
  await sb.add('tagger', tagger);
  await sb.add('fresh', fresh);
});
after(async () => sb.stop());

/** What the local STS issued on each successful AssumeRole since the last reset, and the tags of the session that asked. */
const assumed = () => sb.sts.log.filter((e) => e.action === 'AssumeRole' && e.status === 200).map((e) => ({ tags: e.issued?.tags, transitive: e.issued?.transitiveTagKeys, callerTags: e.principalTags }));

test('a profile\'s session_tags and transitive_session_tags go with AssumeRole; a later hop inherits the transitive one', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['credential-process', 'dev', '--mfa-token', await sb.code(tagger), '--debug']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(assumed(), [{ tags: { team: 'blue', project: 'apollo' }, transitive: ['team'], callerTags: undefined }]);
  assert.match(r.stderr, /AssumeRole arn:aws:iam::222222222222:role\/Tagged as tagger via \S+ for 3600s, with session tags team=blue,project=apollo; transitive team\n/);

  sb.sts.resetCalls();
  const next = await sb.run(['credential-process', 'next']);
  assert.equal(next.status, 0, next.stderr);
  assert.deepEqual(assumed(), [{ tags: { team: 'blue', owner: 'me' }, transitive: ['team'], callerTags: { team: 'blue', project: 'apollo' } }], 'from the cached dev session: team passes on, project does not');
});

test('tags are part of the cache key: other tags are another session, a changed tag a new AssumeRole, the unchanged profile stays cached', async () => {
  sb.sts.resetCalls();
  const again = await sb.run(['credential-process', 'dev']);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual({ ...sb.sts.calls }, {}, 'the same tags: the cached session');

  const green = await sb.run(['credential-process', 'dev-green']);
  assert.equal(green.status, 0, green.stderr);
  assert.notEqual(JSON.parse(green.stdout).AccessKeyId, JSON.parse(again.stdout).AccessKeyId);
  assert.deepEqual({ ...sb.sts.calls }, { AssumeRole: 1 }, 'the same role with other tags: a session of its own, from the cached MFA session');
  assert.deepEqual(assumed(), [{ tags: { team: 'green', project: 'apollo' }, transitive: undefined, callerTags: undefined }]);

  const plain = await sb.run(['credential-process', 'plain']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(sb.sts.log.at(-1)!.issued, undefined, 'no tags in the profile: none sent');

  sb.write('.aws/config', CONFIG.replace('team=blue', 'team=red'));
  sb.sts.resetCalls();
  const red = await sb.run(['credential-process', 'dev']);
  assert.equal(red.status, 0, red.stderr);
  assert.deepEqual(assumed(), [{ tags: { team: 'red', project: 'apollo' }, transitive: ['team'], callerTags: undefined }], 'a changed tag: a new AssumeRole');
  sb.sts.resetCalls();
  const stillGreen = await sb.run(['credential-process', 'dev-green']);
  assert.equal(stillGreen.stdout, green.stdout, 'the unchanged profile: its cached session');
  assert.deepEqual({ ...sb.sts.calls }, {});
  sb.write('.aws/config', CONFIG);
});

const bad: Array<[string, string, RegExp]> = [
  ['51 tags', `session_tags = ${Array.from({ length: 51 }, (_, i) => `k${i}=v`).join(',')}`, /session_tags = k0=v,.*\.\.\. has 51 tags; STS takes at most 50$/],
  ['a key of 129 characters', `session_tags = ${'k'.repeat(129)}=v`, /session_tags = k+\.\.\. has a tag key of 129 characters \(k{20}\.\.\.\); STS takes 1 to 128$/],
  ['a character STS refuses', 'session_tags = cost#center=42', /session_tags = cost#center=42 has "#" in the key cost#center; tag keys and values take letters, digits, spaces and _\.:\/=\+-@ only$/],
  ['a transitive key not among the tags', 'session_tags = team=blue\ntransitive_session_tags = owner', /transitive_session_tags = owner names owner, which is not among the session tags \(team\)$/],
  ['a tag an earlier hop made transitive', '', /session_tags = team=x sets the tag team, which profile dev earlier in the chain passes on as transitive \(transitive_session_tags\): STS refuses to change an inherited transitive tag$/],
];
for (const [what, extra, message] of bad) {
  test(`bad session tags fail in one line with exit status 3 before any code is asked for: ${what}`, async () => {
    const config = extra === '' ? CONFIG + role('bad', NEXT, 'dev', 'session_tags = team=x') : CONFIG + role('bad', TAGGED, 'fresh', extra);
    sb.write('.aws/config', config);
    sb.sts.resetCalls();
    const r = await sb.run(['credential-process', 'bad']);
    assert.equal(r.status, 3, r.stderr);
    const [line, hint, ...rest] = r.stderr.split('\n');
    assert.match(line!, /^mfa-login: \S*config line \d+: /);
    assert.match(line!, message);
    assert.equal(hint, `  hint: fix ${/ (\w+) = /.exec(line!)![1]} in the profile bad`);
    assert.deepEqual(rest, ['']);
    assert.equal(r.stdout, '');
    assert.deepEqual({ ...sb.sts.calls }, {}, 'STS was not asked');
    assert.equal(existsSync(sb.file('code-asked')), false, 'no code was asked for (mfa_process did not run)');
    sb.write('.aws/config', CONFIG);
  });
}
