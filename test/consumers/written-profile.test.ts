/**
 * `mfa-login prod` writes [prod-session] and prints "Use it with: aws --profile prod-session":
 * the AWS CLI v2 really runs that command, with no region in its environment, against the local
 * STS. The region comes from the profile (or --region), written to ~/.aws/config.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { requireComponent, runCommand, AWS_CLI, type Sandbox, type TestUser } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, ASSUMED_ROLE } from './kit.js';

let sb: Sandbox;
let alice: TestUser;

before(async () => {
  ({ sb, alice } = await prodSandbox());
});
after(async () => sb?.stop());

/** Runs the `aws --profile NAME` that mfa-login printed, as a person would: no region, no keys in the environment. */
async function runPrinted(stdout: string) {
  const m = /^Use it with: aws --profile (\S+) \.\.\./m.exec(stdout);
  assert.ok(m, stdout);
  // AWS CLI 2.9 (Debian's) predates AWS_ENDPOINT_URL_STS: the local STS is named on the command line.
  return runCommand(AWS_CLI, ['--profile', m[1]!, 'sts', 'get-caller-identity', '--endpoint-url', sb.sts.url, '--output', 'text', '--query', 'Arn'], {
    PATH: process.env.PATH!,
    HOME: sb.home,
  });
}

test('the printed "aws --profile prod-session" works: the written profile has the region', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  // No region in the environment (the sandbox has one): it comes from the profile.
  const r = await sb.run(['prod', '--mfa-token', await codeWithTime(sb, alice)], { env: { AWS_REGION: undefined } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /set region = eu-west-1 in \[profile prod-session\] in ~\/\.aws\/config/);
  assert.match(sb.read('.aws/config')!, /\[profile prod-session\]\nregion = eu-west-1\n/);
  const aws = await runPrinted(r.stdout);
  assert.equal(aws.status, 0, aws.stderr);
  assert.match(aws.stdout.trim(), ASSUMED_ROLE);

  // What users met before: the same profile without the region fails in the AWS CLI.
  sb.write('.aws/config', sb.read('.aws/config')!.replace(/\[profile prod-session\]\nregion = eu-west-1\n/, ''));
  const without = await runPrinted(r.stdout);
  assert.notEqual(without.status, 0);
  assert.match(without.stderr, /You must specify a region/);
});

test('--region overrides the profile\'s region in what is written; a second login changes nothing else', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  const r = await sb.run(['prod', '--region', 'us-west-2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(sb.read('.aws/config')!, /\[profile prod-session\]\nregion = us-west-2\n/);
  const again = await sb.run(['prod', '--region', 'us-west-2']);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /region/, 'nothing to say when the region is already there');
  const aws = await runPrinted(r.stdout);
  assert.equal(aws.status, 0, aws.stderr);
});

test('a profile of the user\'s own keeps its region; mfa-login says so', async () => {
  sb.write('.aws/config', `${sb.read('.aws/config')}[profile mine]\nregion = ap-south-1\noutput = json\n`);
  const r = await sb.run(['prod', '--to', 'mine', '--region', 'us-west-2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\[profile mine\] in ~\/\.aws\/config keeps its region = ap-south-1 \(not us-west-2\)/);
  assert.match(sb.read('.aws/config')!, /\[profile mine\]\nregion = ap-south-1\noutput = json\n/);
});

test('--region that is not a region name: exit 2, one line, nothing written', async () => {
  const before = [sb.read('.aws/config'), sb.read('.aws/credentials')];
  for (const cmd of [['prod'], ['credential-process', 'prod'], ['exec', 'prod'], ['console', 'prod']]) {
    const r = await sb.run([...cmd, '--region', 'us-east-1; rm -rf ~', ...(cmd[0] === 'exec' ? ['--', 'true'] : [])]);
    assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^mfa-login: --region "us-east-1; rm -rf ~" is not an AWS region name\n  hint: /);
  }
  const { MFA_ENV } = await import('../e2e/harness.js');
  const env = await sb.run(['prod', '--region', 'EU'], { bin: MFA_ENV });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /^mfa-env: --region "EU" is not an AWS region name/);
  assert.deepEqual([sb.read('.aws/config'), sb.read('.aws/credentials')], before);
});

test('--region reaches mfa-env, exec and credential-process', async () => {
  const { MFA_ENV } = await import('../e2e/harness.js');
  const e = await sb.run(['--shell', 'sh', 'prod', '--region', 'ca-central-1'], { bin: MFA_ENV });
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /^export AWS_REGION='ca-central-1'$/m);
  assert.match(e.stdout, /^export AWS_DEFAULT_REGION='ca-central-1'$/m);
  const x = await sb.run(['exec', 'prod', '--region', 'ca-central-1', '--', 'sh', '-c', 'echo "$AWS_REGION $AWS_DEFAULT_REGION"']);
  assert.equal(x.status, 0, x.stderr);
  assert.equal(x.stdout, 'ca-central-1 ca-central-1\n');
  const c = await sb.run(['credential-process', 'prod', '--region', 'ca-central-1']);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).Version, 1);
});

test('login with no region anywhere says, in one line, that the printed aws --profile will fail, and the fix it names works as printed', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  // dev has no region, nor has alice, its source; the environment has none either.
  sb.write('.aws/config', `${sb.read('.aws/config')}[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\n`);
  const noRegion = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
  let r = await sb.run(['dev'], { env: noRegion });
  if (r.status === 5 && /no terminal to ask on/.test(r.stderr)) r = await sb.run(['dev', '--mfa-token', await codeWithTime(sb, alice)], { env: noRegion });
  assert.equal(r.status, 0, r.stderr);
  const warning = r.stderr.split('\n').filter((l) => /region/.test(l));
  assert.deepEqual(warning, [
    'mfa-login: warning: no region is known for dev (no --region, AWS_REGION, AWS_DEFAULT_REGION or region in its profile), so "aws --profile dev-session" will fail with "You must specify a region": run mfa-login login dev --region REGION, or add region = REGION to [profile dev-session] in ~/.aws/config',
  ]);
  const without = await runPrinted(r.stdout);
  assert.notEqual(without.status, 0);
  assert.match(without.stderr, /You must specify a region/, 'what the warning said');

  // The first fix, as printed, with a region for REGION.
  const fix = /run (mfa-login \S+(?: \S+)*? --region) REGION,/.exec(warning[0]!)![1]!.split(' ').slice(1);
  const again = await sb.run([...fix, 'eu-west-1'], { env: noRegion });
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /warning/);
  const aws = await runPrinted(again.stdout);
  assert.equal(aws.status, 0, aws.stderr);
  assert.match(aws.stdout.trim(), ASSUMED_ROLE);

  // The second: region = in the written profile, and the next login has nothing to warn about.
  sb.write('.aws/config', sb.read('.aws/config')!.replace(/\[profile dev-session\]\nregion = eu-west-1\n/, '[profile dev-session]\nregion = us-west-2\noutput = json\n'));
  const third = await sb.run(['dev'], { env: noRegion });
  assert.equal(third.status, 0, third.stderr);
  assert.doesNotMatch(third.stderr, /warning/);
  assert.equal((await runPrinted(third.stdout)).status, 0);
});
