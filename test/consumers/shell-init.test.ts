/**
 * `eval "$(mfa-login shell-init SHELL)"` really evaluated by bash, zsh and fish against the built
 * CLI and a local STS: `mfa-use prod` puts the role's credentials into the shell (the AWS CLI in
 * that shell is the role), `mfa_prompt` shows the profile and its minutes left without starting
 * a program, `mfa-use --off` takes everything out, and the profile names complete.
 * pwsh is not installed here: the PowerShell text is checked as text in test/output/shell-init.test.ts.
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

const VARS = ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION'];
function showVars(shell: string, tag: string): string {
  return shell === FISH
    ? VARS.map((v) => `if set -q ${v}; echo "${tag}${v}=[$${v}]"; else; echo "${tag}${v} unset"; end`).join('\n')
    : VARS.map((v) => `if [ -n "\${${v}+x}" ]; then echo "${tag}${v}=[\$${v}]"; else echo "${tag}${v} unset"; fi`).join('\n');
}
function vars(stdout: string, tag: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(tag)) continue;
    const rest = line.slice(tag.length);
    const set = /^(AWS_\w+)=\[(.*)\]$/.exec(rest);
    if (set) out[set[1]!] = set[2];
    const unset = /^(AWS_\w+) unset$/.exec(rest);
    if (unset) out[unset[1]!] = undefined;
  }
  return out;
}

const whoami = () => `${AWS_CLI} sts get-caller-identity --endpoint-url ${sq(sb.sts.url)} --output text --query Arn`;

async function switchesAndBack(shell: string): Promise<void> {
  const fish = shell === FISH;
  const init = fish ? 'mfa-login shell-init fish | source' : `eval "$(mfa-login shell-init ${shell === ZSH ? 'zsh' : 'bash'})"`;
  // The shell's own profile (and the sandbox's AWS_REGION, us-east-1): out while the role is in, back after --off.
  const own = fish ? 'set -gx AWS_PROFILE mine' : 'export AWS_PROFILE=mine';
  // With PATH emptied, any program the prompt started would fail: it must not need one.
  const prompt = fish
    ? 'set -l keep $PATH; set PATH /nonexistent; echo "prompt=["(mfa_prompt)"]"; set PATH $keep'
    : 'keep=$PATH; PATH=/nonexistent; echo "prompt=[$(mfa_prompt)]"; PATH=$keep';
  const script = [init, own, 'mfa-use prod', 'echo "use=$status$?"'.replace(fish ? '$?' : '$status', ''), showVars(shell, 'on:'), whoami(), prompt, 'mfa-use --off', showVars(shell, 'off:'), 'echo "offprompt=[$(mfa_prompt)]"'.replace('$(mfa_prompt)', fish ? '"(mfa_prompt | string collect --allow-empty)"' : '$(mfa_prompt)')].join('\n');
  const started = Date.now();
  const r = await inShell(shell, script);
  assert.equal(r.status, 0, `${shell}: ${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^use=0$/m, r.stdout);
  const c = expected;
  assert.deepEqual(vars(r.stdout, 'on:'), {
    AWS_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    AWS_SESSION_TOKEN: c.SessionToken,
    AWS_CREDENTIAL_EXPIRATION: c.Expiration,
    AWS_REGION: 'us-east-1', // the shell's own wins over the profile's
  });
  assert.ok(r.stdout.split('\n').some((l) => ASSUMED_ROLE.test(l)), `${shell}: the AWS CLI in that shell is the role:\n${r.stdout}`);
  const m = /^prompt=\[\[prod (\d+)m\] \]$/m.exec(r.stdout);
  assert.ok(m, `${shell}: the prompt segment:\n${r.stdout}\n${r.stderr}`);
  const minutes = (Date.parse(c.Expiration) - started) / 60000;
  assert.ok(Math.abs(Number(m[1]) - minutes) <= 2, `${shell}: ${m[1]} minutes shown, ${minutes.toFixed(1)} left`);
  assert.deepEqual(vars(r.stdout, 'off:'), { ...Object.fromEntries(VARS.map((v) => [v, undefined])), AWS_PROFILE: 'mine', AWS_REGION: 'us-east-1' });
  assert.match(r.stdout, /^offprompt=\[\]$/m, 'no segment once off');
  for (const secret of [c.SecretAccessKey, c.SessionToken]) assert.ok(!r.stderr.includes(secret), `${shell}: a secret on stderr`);
}

for (const shell of [BASH, ZSH, FISH]) {
  const name = shell.replace(/^.*\//, '');
  test(`${name}: mfa-use prod puts the role into the shell, mfa_prompt shows it with no program, mfa-use --off takes it out`, async (t) => {
    const skip = missing(shell);
    if (skip) return t.skip(skip);
    await switchesAndBack(shell);
  });
}

test('bash: mfa-use completes profile names and --off', async (t) => {
  const skip = missing(BASH);
  if (skip) return t.skip(skip);
  const r = await inShell(BASH, 'eval "$(mfa-login shell-init bash)"\ncomplete -p mfa-use\nCOMP_WORDS=(mfa-use p); COMP_CWORD=1; __mfa_use_complete; echo "p:${COMPREPLY[*]}"\nCOMP_WORDS=(mfa-use --o); COMP_CWORD=1; __mfa_use_complete; echo "o:${COMPREPLY[*]}"\nCOMP_WORDS=(mfa-use ""); COMP_CWORD=1; __mfa_use_complete; echo "all:${COMPREPLY[*]}"');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^complete -F __mfa_use_complete mfa-use$/m);
  assert.match(r.stdout, /^p:prod$/m);
  assert.match(r.stdout, /^o:--off$/m);
  assert.match(r.stdout, /^all:alice prod$/m);
});

test('fish: mfa-use completes profile names and --off', async (t) => {
  const skip = missing(FISH);
  if (skip) return t.skip(skip);
  const r = await inShell(FISH, "mfa-login shell-init fish | source\ncomplete -C 'mfa-use p'\ncomplete -C 'mfa-use --o'");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]), ['prod', '--off']);
});

test('zsh: after compinit, mfa-use is given its completion function', async (t) => {
  const skip = missing(ZSH);
  if (skip) return t.skip(skip);
  const r = await inShell(ZSH, 'autoload -Uz compinit; compinit -u -D\neval "$(mfa-login shell-init zsh)"\necho "comp=${_comps[mfa-use]}"\nprofiles=(${(f)"$(mfa-login profiles)"}); echo "profiles=$profiles"');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^comp=__mfa_use_complete$/m);
  assert.match(r.stdout, /^profiles=alice prod$/m);
});

test('bash: mfa-use with no profile, or a flag first, says how to use it and changes nothing', async (t) => {
  const skip = missing(BASH);
  if (skip) return t.skip(skip);
  const r = await inShell(BASH, 'eval "$(mfa-login shell-init bash)"\nmfa-use; echo "none=$?"\nmfa-use --help 2>/dev/null; echo "help=$?"\nmfa-use --region eu-west-1; echo "flag=$?"\nmfa-use nosuch; echo "unknown=$?"\necho "key=${AWS_ACCESS_KEY_ID-unset}"');
  assert.match(r.stdout, /^none=2$/m);
  assert.match(r.stdout, /^help=0$/m);
  assert.match(r.stdout, /^flag=2$/m);
  assert.match(r.stdout, /^unknown=3$/m, 'the status of mfa-env for an unknown profile');
  assert.match(r.stdout, /^key=unset$/m);
  assert.match(r.stderr, /usage: mfa-use PROFILE/);
  assert.match(r.stderr, /mfa-env: .*nosuch/);
});

for (const shell of [BASH, ZSH, FISH]) {
  const name = shell.replace(/^.*\//, '');
  test(`${name}: the shell-init line ends with status 0 (zsh without compinit too); mfa-use --off with nothing in, or twice, keeps the shell's own profile and region`, async (t) => {
    const skip = missing(shell);
    if (skip) return t.skip(skip);
    const fish = shell === FISH;
    // As in an rc file: what follows `&&` / `; and` runs only if the line succeeded.
    const init = fish ? 'mfa-login shell-init fish | source; and echo init=ok' : `eval "$(mfa-login shell-init ${name})" && echo init=ok`;
    const own = fish ? 'set -gx AWS_PROFILE mine' : 'export AWS_PROFILE=mine';
    const status = fish ? 'echo "off=$status"' : 'echo "off=$?"';
    const script = [init, own, 'mfa-use --off', status, showVars(shell, 'first:'), 'mfa-use prod', 'mfa-use --off', 'mfa-use --off', status, showVars(shell, 'twice:')].join('\n');
    const r = await inShell(shell, script);
    assert.equal(r.status, 0, `${shell}: ${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /^init=ok$/m, `${name}: the shell-init line failed:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.stdout.match(/^off=\d+$/gm), ['off=0', 'off=0']);
    // The sandbox's AWS_REGION (us-east-1) and the shell's own profile.
    const kept = { ...Object.fromEntries(VARS.map((v) => [v, undefined])), AWS_PROFILE: 'mine', AWS_REGION: 'us-east-1' };
    assert.deepEqual(vars(r.stdout, 'first:'), kept, 'mfa-use --off with nothing in');
    assert.deepEqual(vars(r.stdout, 'twice:'), kept, 'a second mfa-use --off');
  });
}
