/**
 * Real shells evaluating what mfa-env prints, then the AWS CLI in the same shell using the
 * variables. mfa-env is found on PATH as a wrapper that execs node, so the evaluating shell is its
 * parent, as with an installed mfa-env.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AWS_CLI, type Sandbox, type RunResult } from '../e2e/harness.js';
import { warmProdSandbox, missingShell, sq, ASSUMED_ROLE, BASH, ZSH, FISH, inShell as shellIn, type ProcessCredentials } from './kit.js';

let sb: Sandbox;
let bin: string;
let expected: ProcessCredentials;

before(async () => {
  ({ sb, bin, expected } = await warmProdSandbox());
});
after(async () => sb?.stop());

const missing = missingShell;

const inShell = (shell: string, script: string, env: Record<string, string> = {}): Promise<RunResult> => shellIn(sb, bin, shell, script, env);

/** The caller identity as the AWS CLI prints it, with no profile: from the environment. */
const whoami = () => `${AWS_CLI} sts get-caller-identity --endpoint-url ${sq(sb.sts.url)} --output text --query Arn`;

/** Lines `NAME=[value]` or `NAME unset` for the variables mfa-env deals in. */
const VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_DEFAULT_REGION'];
function showVars(shell: string): string {
  return shell === FISH
    ? VARS.map((v) => `if set -q ${v}; echo "${v}=[$${v}]"; else; echo "${v} unset"; end`).join('\n')
    : VARS.map((v) => `if [ -n "\${${v}+x}" ]; then echo "${v}=[\$${v}]"; else echo "${v} unset"; fi`).join('\n');
}

function vars(stdout: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const line of stdout.split('\n')) {
    const set = /^(AWS_\w+)=\[(.*)\]$/.exec(line);
    if (set) out[set[1]!] = set[2];
    const unset = /^(AWS_\w+) unset$/.exec(line);
    if (unset) out[unset[1]!] = undefined;
  }
  return out;
}


async function roundTrip(shell: string, load: string): Promise<void> {
  const before = shell === FISH ? 'set -gx AWS_PROFILE prod-mfa-nonexistent; set -gx AWS_DEFAULT_PROFILE other' : 'export AWS_PROFILE=prod-mfa-nonexistent AWS_DEFAULT_PROFILE=other';
  const r = await inShell(shell, `${before}\n${load}\n${showVars(shell)}\n${whoami()}`);
  assert.equal(r.status, 0, `${shell}: ${r.stderr}\n${r.stdout}`);
  // A parse error would echo the statement it choked on: the secrets must never be on stderr.
  for (const secret of [expected.SecretAccessKey, expected.SessionToken]) assert.ok(!r.stderr.includes(secret), `${shell}: a secret on stderr`);
  const v = vars(r.stdout);
  const c = expected;
  assert.deepEqual(v, {
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    AWS_SESSION_TOKEN: c.SessionToken,
    AWS_CREDENTIAL_EXPIRATION: c.Expiration,
    // The shell's own AWS_REGION (us-east-1, from the sandbox) wins over the profile's, for both.
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
  });
  assert.match(r.stdout.trim().split('\n').at(-1)!, ASSUMED_ROLE, `${shell}: the AWS CLI uses the exported role credentials`);
}

test('bash: eval "$(mfa-env prod)", then the AWS CLI in the same shell is the role', async (t) => {
  const skip = missing(BASH);
  if (skip) return t.skip(skip);
  await roundTrip(BASH, 'eval "$(mfa-env prod)"');
});

test('zsh: eval "$(mfa-env prod)", then the AWS CLI in the same shell is the role', async (t) => {
  const skip = missing(ZSH);
  if (skip) return t.skip(skip);
  await roundTrip(ZSH, 'eval "$(mfa-env prod)"');
});

test('fish: mfa-env prod | source, then the AWS CLI in the same shell is the role', async (t) => {
  const skip = missing(FISH);
  if (skip) return t.skip(skip);
  await roundTrip(FISH, 'mfa-env prod | source');
});

test('fish: eval (mfa-env prod), then the AWS CLI in the same shell is the role; nothing on stderr', async (t) => {
  const skip = missing(FISH);
  if (skip) return t.skip(skip);
  await roundTrip(FISH, 'eval (mfa-env prod)');
});

test('fish: --shell fish when the parent process is not the shell and SHELL says bash', async (t) => {
  const skip = missing(FISH);
  if (skip) return t.skip(skip);
  // timeout forks mfa-env, so its parent is not a shell and detection falls back to SHELL (bash):
  // without the flag fish gets `unset`, which it does not have, and AWS_PROFILE stays set.
  await roundTrip(FISH, 'env SHELL=/bin/bash timeout 30 mfa-env --shell fish prod | source');
});

for (const shell of [BASH, ZSH, FISH]) {
  test(`${shell.replace(/^.*\//, '')}: mfa-env --unset clears what mfa-env prod set and gives back the shell's own region and profile; the AWS CLI then has no credentials`, async (t) => {
    const skip = missing(shell);
    if (skip) return t.skip(skip);
    const [load, clear] = shell === FISH ? ['mfa-env prod | source', 'mfa-env --unset | source'] : ['eval "$(mfa-env prod)"', 'eval "$(mfa-env --unset)"'];
    // The shell's own AWS_REGION (us-east-1, from the sandbox) and a profile of its own.
    const own = shell === FISH ? 'set -gx AWS_DEFAULT_PROFILE mine' : 'export AWS_DEFAULT_PROFILE=mine';
    const r = await inShell(shell, `${own}\n${load}\n${load}\n${clear}\n${showVars(shell)}\nenv -u AWS_DEFAULT_PROFILE ${whoami()} --region eu-west-1`);
    assert.notEqual(r.status, 0, 'the AWS CLI finds no credentials');
    assert.deepEqual(vars(r.stdout), { ...Object.fromEntries(VARS.map((v) => [v, undefined])), AWS_REGION: 'us-east-1', AWS_DEFAULT_PROFILE: 'mine' });
    assert.match(r.stderr, /Unable to locate credentials/);
  });
}

for (const shell of [BASH, ZSH, FISH]) {
  test(`${shell.replace(/^.*\//, '')}: mfa-env --unset with nothing saved (no mfa-env before it, or a second one) leaves the shell's own profile, region and keys`, async (t) => {
    const skip = missing(shell);
    if (skip) return t.skip(skip);
    const clear = shell === FISH ? 'mfa-env --unset | source' : 'eval "$(mfa-env --unset)"';
    const status = shell === FISH ? 'echo "status=$status"' : 'echo "status=$?"';
    // Long-term keys of the user's own, a profile and a region: none of them mfa-login's.
    const own = { AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY0000000001', AWS_SECRET_ACCESS_KEY: 'ownSecret', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' };
    const r = await inShell(shell, `${clear}\n${status}\n${clear}\n${showVars(shell)}`, own);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^status=0$/m);
    assert.deepEqual(vars(r.stdout), { ...Object.fromEntries(VARS.map((v) => [v, undefined])), ...own });
    // After a real round trip, a second --unset keeps what the first one gave back.
    const [load] = shell === FISH ? ['mfa-env prod | source'] : ['eval "$(mfa-env prod)"'];
    const again = await inShell(shell, `${load}\n${clear}\n${clear}\n${showVars(shell)}`, own);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(vars(again.stdout), { ...Object.fromEntries(VARS.map((v) => [v, undefined])), AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' });
  });
}
