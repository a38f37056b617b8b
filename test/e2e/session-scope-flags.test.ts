import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { MFA_ENV, MFA_LOGIN, Sandbox, settled, user } from './harness.js';

/**
 * --session-tags, --transitive-session-tags, --policy-arn and --policy through the built CLI: sent
 * with the target role's AssumeRole (as the local STS records it), each one replacing the
 * profile's own key for that hop, never noted for the cached path, and refused in one line before
 * any code is asked for.
 */
const scoper = user('scoper');
/** Keys stored, no session cached: a run that got as far as wanting a code would run mfa_process. */
const fresh = user('scopefresh');
const ROLE = 'arn:aws:iam::222222222222:role/Scoped';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const OWN_POLICY = 'arn:aws:iam::222222222222:policy/agents/NoDelete';
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const role = (name: string, source: string, extra = '') => `[profile ${name}]\nrole_arn = ${ROLE}\nsource_profile = ${source}\n${extra}\n`;
const CONFIG =
  `[profile scoper]\nmfa_serial = ${scoper.mfaDevices[0]!.serial}\n\n` +
  `[profile fresh]\nmfa_serial = ${fresh.mfaDevices[0]!.serial}\nmfa_process = sh -c 'touch "$HOME/code-asked"; echo 123456'\n\n` +
  role('dev', 'scoper', 'session_tags = team=blue, project=apollo\ntransitive_session_tags = team') +
  role('plain', 'scoper') +
  role('plain2', 'scoper', 'role_session_name = plain2') +
  role('fresh-role', 'fresh');

let sb: Sandbox;
before(async () => {
  sb = await new Sandbox([scoper, fresh]).start({ roles: [{ roleArn: ROLE, requireMfa: true, allowsTagSession: true }] });
  sb.write('.aws/config', CONFIG);
  sb.write('ro.json', `${POLICY}\n`);
  sb.write('notes.txt', 'not a policy\n');
  sb.write('shadow', 'root:*:20200:0:99999:7:::\n');
  sb.write('half.json', '{"Statement": [\n  {"Effect" "Allow"}]}\n');
  writeFileSync(sb.file('latin1.json'), Buffer.from('{"Statement": "caf\xe9"}\n', 'latin1'));
  await sb.add('scoper', scoper);
  await sb.add('fresh', fresh);
  // The MFA session every role session below is assumed with: one code for the whole file.
  const r = await sb.run(['session', 'scoper', '--mfa-token', await sb.code(scoper)]);
  assert.equal(r.status, 0, r.stderr);
});
after(async () => sb.stop());

/** What scoped each AssumeRole the local STS answered since the last reset. */
const assumed = () => sb.sts.log.filter((e) => e.action === 'AssumeRole' && e.status === 200).map((e) => ({ ...e.issued, packedPolicySize: undefined }));

test('exec --session-tags --transitive-session-tags: sent with AssumeRole in place of the profile\'s session_tags and transitive_session_tags', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['exec', '--session-tags', 'owner=me, ticket=OPS-1', '--transitive-session-tags', 'owner', 'dev', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ASIA\w+\n$/);
  assert.deepEqual(assumed(), [{ tags: { owner: 'me', ticket: 'OPS-1' }, transitiveTagKeys: ['owner'], packedPolicySize: undefined }], 'the flags\' tags, not team and project');

  sb.sts.resetCalls();
  const profiles = await sb.run(['credential-process', 'dev']);
  assert.equal(profiles.status, 0, profiles.stderr);
  assert.deepEqual(assumed(), [{ tags: { team: 'blue', project: 'apollo' }, transitiveTagKeys: ['team'], packedPolicySize: undefined }], 'without flags: the profile\'s own, a session of its own');
});

test('a flag replaces only its own key: --transitive-session-tags picks among the profile\'s session_tags', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['credential-process', '--transitive-session-tags', 'project', 'dev']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(assumed(), [{ tags: { team: 'blue', project: 'apollo' }, transitiveTagKeys: ['project'], packedPolicySize: undefined }]);
});

test('mfa-env --session-tags: the exported session is the tagged one', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['--shell', 'sh', '--session-tags', 'owner=you', 'plain'], { bin: MFA_ENV });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^export AWS_ACCESS_KEY_ID='ASIA\w+'$/m);
  assert.deepEqual(assumed(), [{ tags: { owner: 'you' }, packedPolicySize: undefined }]);
});

test('serve --policy-arn --policy FILE: the endpoint hands out a session whose AssumeRole carried PolicyArns and the Policy', async () => {
  sb.sts.resetCalls();
  const child = spawn(process.execPath, [MFA_LOGIN, 'serve', '--policy-arn', READ_ONLY, '--policy-arn', OWN_POLICY, '--policy', sb.file('ro.json'), 'plain', '--shell', 'sh'], { env: sb.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  try {
    const vars = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const found = Object.fromEntries([...out.matchAll(/^export (AWS_CONTAINER_\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
        if (Object.keys(found).length === 2) resolve(found);
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}) before printing its variables: ${err}`)));
    });
    const answer = await fetch(vars.AWS_CONTAINER_CREDENTIALS_FULL_URI!, { headers: { Authorization: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN! }, signal: AbortSignal.timeout(60_000) });
    assert.equal(answer.status, 200);
    const served = (await answer.json()) as { AccessKeyId: string };
    assert.deepEqual(assumed(), [{ policyArns: [READ_ONLY, OWN_POLICY], policy: POLICY, packedPolicySize: undefined }], 'one AssumeRole, narrowed; the file\'s last newline is not sent');

    const plain = await sb.run(['credential-process', 'plain']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.notEqual(JSON.parse(plain.stdout).AccessKeyId, served.AccessKeyId, 'the plain profile is not served the narrowed session');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    clearTimeout(bound);
  }
});

test('after a scoped call, a plain credential-process PROFILE (the cached path) gets a session of its own, not the narrowed one', async () => {
  // The full path notes a route only for config files that have settled.
  await settled();
  sb.sts.resetCalls();
  const scoped = await sb.run(['credential-process', '--policy-arn', READ_ONLY, 'plain2']);
  assert.equal(scoped.status, 0, scoped.stderr);
  assert.deepEqual(assumed(), [{ policyArns: [READ_ONLY], packedPolicySize: undefined }]);

  sb.sts.resetCalls();
  const plain = await sb.run(['credential-process', 'plain2']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.notEqual(JSON.parse(plain.stdout).AccessKeyId, JSON.parse(scoped.stdout).AccessKeyId, 'not the narrowed session');
  assert.deepEqual(assumed(), [{ packedPolicySize: undefined }], 'an AssumeRole with no policies');
  const again = await sb.run(['credential-process', 'plain2']);
  assert.equal(again.stdout, plain.stdout, 'and from then on its own, cached');
});

test('login --policy-arn --to writes the narrowed session to the profile named', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['login', 'plain', '--policy-arn', OWN_POLICY, '--to', 'plain-ro']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Wrote a session of arn:aws:iam::222222222222:role\/Scoped to \[plain-ro\] in ~\/\.aws\/credentials, /);
  assert.deepEqual(assumed(), [{ policyArns: [OWN_POLICY], packedPolicySize: undefined }]);
  const written = /\[plain-ro\]\naws_access_key_id = (\w+)\n/.exec(sb.read('.aws/credentials') ?? '');
  assert.ok(written, sb.read('.aws/credentials'));
  const scoped = await sb.run(['credential-process', '--policy-arn', OWN_POLICY, 'plain']);
  assert.equal(JSON.parse(scoped.stdout).AccessKeyId, written[1], 'the session written is the narrowed one');
});

const bad: Array<[string, string[], RegExp, RegExp]> = [
  ['a tag key STS refuses', ['--session-tags', 'cost#center=42'], /^mfa-login: --session-tags cost#center=42 has "#" in the key cost#center; tag keys and values take letters, digits, spaces and _\.:\/=\+-@ only$/, /^ {2}hint: write --session-tags key1=value1,key2=value2 /],
  ['a transitive key that is not among the tags', ['--session-tags', 'team=red', '--transitive-session-tags', 'owner'], /^mfa-login: profile fresh-role: --transitive-session-tags names owner, which is not among the session tags \(team\)$/, /^ {2}hint: change --session-tags or --transitive-session-tags$/],
  ['a policy ARN of another account', ['--policy-arn', 'arn:aws:iam::333333333333:policy/x'], /^mfa-login: profile fresh-role: --policy-arn has arn:aws:iam::333333333333:policy\/x, a policy of account 333333333333; a session policy must be in the role's account \(222222222222\) or be AWS-managed$/, /^ {2}hint: /],
  ['a policy ARN of another partition', ['--policy-arn', 'arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess'], /^mfa-login: profile fresh-role: --policy-arn has arn:aws-us-gov:iam::aws:policy\/ReadOnlyAccess, which is in partition aws-us-gov, not the role's \(aws\)$/, /^ {2}hint: give --policy-arn arn:aws:iam::222222222222:policy\/NAME or arn:aws:iam::aws:policy\/NAME$/],
  ['eleven policy ARNs', Array.from({ length: 11 }, (_, i) => ['--policy-arn', `arn:aws:iam::aws:policy/P${i}`]).flat(), /^mfa-login: --policy-arn arn:aws:iam::aws:policy\/P0,.*\.\.\. names 11 policies; STS takes at most 10$/, /^ {2}hint: give --policy-arn arn:aws:iam::ACCOUNT:policy\/NAME once per policy \(at most 10\)$/],
  ['a policy file that is not there', ['--policy', 'missing.json'], /^mfa-login: --policy missing\.json: no such file$/, /^ {2}hint: name a file holding one JSON policy document of at most 2048 characters$/],
  ['a policy "file" that is a device', ['--policy', '/dev/zero'], /^mfa-login: --policy \/dev\/zero: it is a character device, not a file$/, /^ {2}hint: name a file/],
  ['a policy file that is not a policy', ['--policy', 'HOME/notes.txt'], /^mfa-login: --policy \S+\/notes\.txt is not JSON$/, /^ {2}hint: name a file/],
  ['a policy file that is another file: none of its text is shown', ['--policy', 'HOME/shadow'], /^mfa-login: --policy \S+\/shadow is not JSON$/, /^ {2}hint: name a file/],
  ['a policy file with a JSON mistake: where it is', ['--policy', 'HOME/half.json'], /^mfa-login: --policy \S+\/half\.json is not JSON \(line 2, column 13\)$/, /^ {2}hint: name a file/],
  ['a policy file that is not UTF-8: the path once', ['--policy', 'HOME/latin1.json'], /^mfa-login: --policy \/\S+\/latin1\.json is not UTF-8 text \(invalid byte at line 1\)$/, /^ {2}hint: name a file/],
  ['a repeated --policy-arn with one bad value', ['--policy-arn', 'arn:aws:iam::aws:policy/A', '--policy-arn', 'x'], /^mfa-login: --policy-arn x is not a managed policy ARN \(expected arn:aws:iam::123456789012:policy\/NAME or arn:aws:iam::aws:policy\/NAME\)$/, /^ {2}hint: give --policy-arn /],
  ['a tag named twice in two cases', ['--session-tags', 'K=v,k=w'], /^mfa-login: --session-tags K=v,k=w names the tag k twice \(as K and k; tag keys are case-insensitive\)$/, /^ {2}hint: write --session-tags /],
  ['an empty value', ['--session-tags', ''], /^mfa-login: --session-tags "" has no tags: write key=value pairs separated by commas$/, /^ {2}hint: write --session-tags /],
  ['two policy files', ['--policy', 'HOME/ro.json', '--policy', 'HOME/notes.txt'], /^mfa-login: --policy is given more than once; AssumeRole takes one inline session policy$/, /^ {2}hint: put every statement in one policy document, or name managed policies with --policy-arn$/],
  ['flags for an IAM user', ['--session-tags', 'a=b', 'fresh'], /^mfa-login: --session-tags scopes a role session, and profile fresh is an IAM user \(its MFA session comes from GetSessionToken, which takes no tags or policies\)$/, /^ {2}hint: name a profile with role_arn instead of fresh$/],
];
for (const [what, flags, message, hint] of bad) {
  test(`bad scope flags fail in one line with exit status 2 before any code is asked for: ${what}`, async () => {
    sb.sts.resetCalls();
    const profile = flags.includes('fresh') ? [] : ['fresh-role'];
    const r = await sb.run(['credential-process', ...flags.map((f) => f.replace(/^HOME\//, `${sb.home}/`)), ...profile]);
    assert.equal(r.status, 2, r.stderr);
    const [line, hintLine, ...rest] = r.stderr.split('\n');
    assert.match(line!, message);
    assert.match(hintLine!, hint);
    assert.deepEqual(rest, ['']);
    assert.equal(r.stdout, '');
    assert.deepEqual({ ...sb.sts.calls }, {}, 'STS was not asked');
    assert.equal(existsSync(sb.file('code-asked')), false, 'no code was asked for (mfa_process did not run)');
  });
}
