/**
 * The region as real consumers read it: botocore (python3-boto3, which reads AWS_DEFAULT_REGION,
 * not AWS_REGION) and the AWS CLI v2 under `exec --server` with the region only in AWS_REGION; the
 * AWS CLI on a profile `mfa-login <profile>` wrote while the region came only from the
 * environment, with the environment cleared; and mfa-use in bash, zsh and fish, where a region
 * mfa-login exported does not pin the next profile's and one the user exported wins.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { AWS_CLI, MFA_LOGIN, ROOT, requireComponent, runCommand, type Sandbox, type TestUser, type RunResult } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, missingShell, sq, inShell as shellIn, ASSUMED_ROLE, ROLE_ARN, BASH, ZSH, FISH } from './kit.js';

let sb: Sandbox;
let alice: TestUser;
let bin: string;
const PYTHON = '/usr/bin/python3';

before(async () => {
  ({ sb, alice, bin } = await prodSandbox());
  // prod has region = eu-west-1; staging another; dev none, and nor has alice (region is not inherited from her).
  sb.write('.aws/config', `${sb.read('.aws/config')}[profile staging]\nrole_arn = ${ROLE_ARN}\nsource_profile = alice\nregion = us-west-2\n[profile dev]\nrole_arn = ${ROLE_ARN}\nsource_profile = alice\n`);
  assert.doesNotMatch(sb.read('.aws/config')!.split('[profile prod]')[0]!, /region/, 'alice has no region');
  const warm = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(warm.status, 0, warm.stderr);
});
after(async () => sb?.stop());

const hasBoto3 = () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

/** `mfa-login exec --server dev -- ...` from a shell whose only region is AWS_REGION. */
function execServer(command: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand(process.execPath, [MFA_LOGIN, 'exec', '--server', 'dev', '--', ...command], sb.env({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: undefined, ...extra }), { cwd: ROOT });
}

test('exec --server with the region only in AWS_REGION: botocore has it and calls STS through the endpoint', async (t) => {
  const skip = requireComponent(hasBoto3(), 'botocore (Debian python3-boto3 for /usr/bin/python3)');
  if (skip) return t.skip(skip);
  // No region given to the client: botocore's own resolution, as a script or tool does it.
  const script = `import boto3, os, json
s = boto3.session.Session()
print(json.dumps({"region": s.region_name, "arn": s.client("sts", endpoint_url=os.environ["LOCAL_STS_URL"]).get_caller_identity()["Arn"]}))`;
  const r = await execServer([PYTHON, '-c', script], { LOCAL_STS_URL: sb.sts.url });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { region: string | null; arn: string };
  assert.equal(got.region, 'ap-south-1');
  assert.match(got.arn, ASSUMED_ROLE);
});

test('exec --server with the region only in AWS_REGION: the AWS CLI v2 calls STS through the endpoint', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  const r = await execServer([AWS_CLI, 'sts', 'get-caller-identity', '--endpoint-url', sb.sts.url, '--output', 'text', '--query', 'Arn']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), ASSUMED_ROLE);
});

test('a profile written while the region came only from the environment works with the environment cleared', async (t) => {
  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)');
  if (skip) return t.skip(skip);
  const r = await sb.run(['dev'], { env: { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: undefined } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Use it with: aws --profile dev-session \.\.\./m);
  // As a person runs it later, in a shell with no region and no keys; AWS CLI 2.9 predates
  // AWS_ENDPOINT_URL_STS, so the local STS is named on the command line.
  const aws = await runCommand(AWS_CLI, ['--profile', 'dev-session', 'sts', 'get-caller-identity', '--endpoint-url', sb.sts.url, '--output', 'text', '--query', 'Arn'], { PATH: process.env.PATH!, HOME: sb.home });
  assert.equal(aws.status, 0, aws.stderr);
  assert.match(aws.stdout.trim(), ASSUMED_ROLE);
});

const REGION_VARS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'MFA_LOGIN_EXPORTED_REGION'];
function show(shell: string, tag: string): string {
  return shell === FISH
    ? REGION_VARS.map((v) => `if set -q ${v}; echo "${tag}${v}=$${v}"; else; echo "${tag}${v} unset"; end`).join('\n')
    : REGION_VARS.map((v) => `if [ -n "\${${v}+x}" ]; then echo "${tag}${v}=\$${v}"; else echo "${tag}${v} unset"; fi`).join('\n');
}
function seen(stdout: string, tag: string): string {
  return stdout.split('\n').filter((l) => l.startsWith(tag)).map((l) => l.slice(tag.length)).join(' ');
}
const both = (r: string) => `AWS_REGION=${r} AWS_DEFAULT_REGION=${r}`;

for (const shell of [BASH, ZSH, FISH]) {
  const name = shell.replace(/^.*\//, '');
  test(`${name}: mfa-use prod then mfa-use staging gives staging's region; one the user exported wins; --off leaves none`, async (t) => {
    const skip = missingShell(shell);
    if (skip) return t.skip(skip);
    const fish = shell === FISH;
    const init = fish ? 'mfa-login shell-init fish | source' : `eval "$(mfa-login shell-init ${shell === ZSH ? 'zsh' : 'bash'})"`;
    const script = [
      init,
      // A shell with no region of its own (the sandbox gives one).
      fish ? 'set -e AWS_REGION' : 'unset AWS_REGION',
      'mfa-use prod', show(shell, 'prod:'),
      'mfa-use staging', show(shell, 'staging:'),
      `${AWS_CLI} sts get-caller-identity --endpoint-url ${sq(sb.sts.url)} --output text --query Arn`,
      fish ? 'set -gx AWS_REGION ap-south-1' : 'export AWS_REGION=ap-south-1',
      'mfa-use prod', show(shell, 'mine:'),
      'mfa-use --off', show(shell, 'off:'),
    ].join('\n');
    const r = await shellIn(sb, bin, shell, script);
    assert.equal(r.status, 0, `${shell}: ${r.stderr}\n${r.stdout}`);
    assert.equal(seen(r.stdout, 'prod:'), `${both('eu-west-1')} MFA_LOGIN_EXPORTED_REGION=eu-west-1`);
    assert.equal(seen(r.stdout, 'staging:'), `${both('us-west-2')} MFA_LOGIN_EXPORTED_REGION=us-west-2`, 'prod\'s region, exported by mfa-login, did not pin staging\'s');
    assert.ok(r.stdout.split('\n').some((l) => ASSUMED_ROLE.test(l)), `${shell}: the AWS CLI in that shell is the role:\n${r.stdout}`);
    assert.equal(seen(r.stdout, 'mine:'), `${both('ap-south-1')} MFA_LOGIN_EXPORTED_REGION unset`, 'the user\'s own AWS_REGION wins over prod\'s');
    assert.equal(seen(r.stdout, 'off:'), 'AWS_REGION unset AWS_DEFAULT_REGION unset MFA_LOGIN_EXPORTED_REGION unset', 'the shell had no region before the first export');
  });
}

test('bash: a shell with a region of its own keeps it through mfa-use, and gets it back after --off', async (t) => {
  const skip = missingShell(BASH);
  if (skip) return t.skip(skip);
  const script = ['eval "$(mfa-login shell-init bash)"', 'export AWS_REGION=ca-central-1', 'mfa-use prod', show(BASH, 'prod:'), 'mfa-use staging', show(BASH, 'staging:'), 'mfa-use --off', show(BASH, 'off:')].join('\n');
  const r = await shellIn(sb, bin, BASH, script);
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.equal(seen(r.stdout, 'prod:'), `${both('ca-central-1')} MFA_LOGIN_EXPORTED_REGION unset`);
  assert.equal(seen(r.stdout, 'staging:'), `${both('ca-central-1')} MFA_LOGIN_EXPORTED_REGION unset`);
  assert.equal(seen(r.stdout, 'off:'), 'AWS_REGION=ca-central-1 AWS_DEFAULT_REGION unset MFA_LOGIN_EXPORTED_REGION unset');
});
