/**
 * nushell (the binary of the npm package `nushell`, a devDependency) evaluating what mfa-env
 * prints and the functions of `mfa-login shell-init nu`, against the built CLI and a local STS:
 * `mfa-env prod | from json | load-env` puts the role into the shell (the AWS CLI started from it
 * is the role), `--unset` takes it out again, and `mfa-use prod` / `mfa-use --off` from the file
 * saved and sourced as the README says. mfa-env is found on PATH as a wrapper that execs node, so
 * nu is its parent process, as with an installed mfa-env: nothing passes --shell.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AWS_CLI, runCommand, type Sandbox, type RunResult } from '../e2e/harness.js';
import { warmProdSandbox, missingShell, sq, ASSUMED_ROLE, type ProcessCredentials } from './kit.js';
import { NU } from '../output/tools.js';

let warm: Awaited<ReturnType<typeof warmProdSandbox>> | undefined;
before(async () => {
  warm = await warmProdSandbox();
});
after(async () => warm?.sb.stop());
let sb: Sandbox;
let expected: ProcessCredentials;
beforeEach(() => {
  ({ sb, expected } = warm!);
});

const missing = () => missingShell(NU);

/** Runs a nu script without config files (or with `config`, a config.nu), bin first on PATH. */
function inNu(script: string, env: Record<string, string> = {}, config?: string): Promise<RunResult> {
  const args = config !== undefined ? ['--config', config, '-c', script] : ['-n', '-c', script];
  return runCommand(NU, args, sb.env({ PATH: `${warm!.bin}:${process.env.PATH}`, SHELL: '/bin/bash', ...env }));
}

/** The caller identity as the AWS CLI started from nu prints it, with no profile: from the environment. */
const whoami = () => `^${AWS_CLI} sts get-caller-identity --endpoint-url ${sq(sb.sts.url)} --output text --query Arn`;

const VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_DEFAULT_REGION'];

/**
 * Lines `TAG:NAME=value` for the variables mfa-env deals in, as a program started from nu sees
 * them (a variable nu holds as null is not passed on, so it counts as unset).
 */
const showVars = (tag: string) => `^env | lines | where {|l| ($l | split row '=' | first) in ${JSON.stringify(VARS).replaceAll(',', ' ')} } | each {|l| print $"${tag}:($l)" } | ignore`;

function vars(stdout: string, tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = new RegExp(`^${tag}:(AWS_\\w+)=(.*)$`).exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function noSecretOn(stderr: string): void {
  for (const secret of [expected.SecretAccessKey, expected.SessionToken]) assert.ok(!stderr.includes(secret), 'a secret on stderr');
}

const ROLE_VARS = () => ({
  AWS_ACCESS_KEY_ID: expected.AccessKeyId,
  AWS_SECRET_ACCESS_KEY: expected.SecretAccessKey,
  AWS_SESSION_TOKEN: expected.SessionToken,
  AWS_CREDENTIAL_EXPIRATION: expected.Expiration,
  // The shell's own AWS_REGION (us-east-1, from the sandbox) wins over the profile's, for both.
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
});

test('nu: mfa-env prod | from json | load-env (nu detected as the parent, SHELL=bash), then the AWS CLI started from nu is the role', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const r = await inNu(['$env.AWS_PROFILE = "prod-mfa-nonexistent"; $env.AWS_DEFAULT_PROFILE = "other"', 'mfa-env prod | from json | load-env', showVars('on'), whoami()].join('\n'));
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  noSecretOn(r.stderr);
  // AWS_PROFILE and AWS_DEFAULT_PROFILE are gone: they would make the CLI use a profile instead.
  assert.deepEqual(vars(r.stdout, 'on'), ROLE_VARS());
  assert.match(r.stdout.trim().split('\n').at(-1)!, ASSUMED_ROLE, 'the AWS CLI uses the loaded role credentials');
});

test('nu: with a program between nu and mfa-env, NU_VERSION (which nu exports) picks nushell when SHELL names no shell', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  // timeout forks mfa-env, so its parent is no shell; SHELL=bash would (rightly) win over NU_VERSION.
  const r = await inNu(['^env -u SHELL timeout 30 mfa-env prod | from json | load-env', showVars('on')].join('\n'));
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.deepEqual(vars(r.stdout, 'on'), ROLE_VARS());
});

test('nu: mfa-env --unset | from json | load-env clears what mfa-env prod set and gives back the shell\'s own region and profile; the AWS CLI then has no credentials', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const load = 'mfa-env prod | from json | load-env';
  const clear = 'mfa-env --unset | from json | load-env';
  const r = await inNu(['$env.AWS_DEFAULT_PROFILE = "mine"', load, load, clear, showVars('off'), `try { with-env {AWS_DEFAULT_PROFILE: null} { ${whoami()} --region eu-west-1 } } catch { print 'no credentials' }`].join('\n'));
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.deepEqual(vars(r.stdout, 'off'), { AWS_REGION: 'us-east-1', AWS_DEFAULT_PROFILE: 'mine' });
  assert.match(r.stdout, /^no credentials$/m);
  assert.match(r.stderr, /Unable to locate credentials/);
  noSecretOn(r.stderr);
});

test('nu: mfa-env --unset with nothing saved (no mfa-env before it, or a second one) leaves the shell\'s own profile, region and keys', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const clear = 'mfa-env --unset | from json | load-env';
  const own = { AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY0000000001', AWS_SECRET_ACCESS_KEY: 'ownSecret', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' };
  const r = await inNu([clear, clear, showVars('first'), 'mfa-env prod | from json | load-env', clear, clear, showVars('again')].join('\n'), own);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(vars(r.stdout, 'first'), own);
  // After a real round trip, a second --unset keeps what the first one gave back (not the keys: those were mfa-login's to replace).
  assert.deepEqual(vars(r.stdout, 'again'), { AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' });
});

/**
 * The README's steps: save `mfa-login shell-init nu` into nu's config directory (from nu), and
 * source it from config.nu. Returns the config.nu to start nu with.
 */
async function savedInit(): Promise<string> {
  const dir = path.join(sb.home, '.config', 'nushell'); // nu makes it on its first start
  mkdirSync(dir, { recursive: true });
  const save = await inNu('mfa-login shell-init nu | save -f ($nu.default-config-dir | path join mfa-login.nu)');
  assert.equal(save.status, 0, save.stderr);
  assert.ok(existsSync(path.join(dir, 'mfa-login.nu')), 'the save command wrote into nu\'s config directory');
  const config = path.join(dir, 'config.nu');
  writeFileSync(config, 'source ($nu.default-config-dir | path join mfa-login.nu)\n');
  return config;
}

test('nu: mfa-use prod puts the role into the shell, mfa_prompt shows it with no program, mfa-use --off takes it all out', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const config = await savedInit();
  const script = [
    '$env.AWS_PROFILE = "mine"',
    'mfa-use prod',
    showVars('on'),
    whoami(),
    // With PATH emptied, any program the prompt started would fail: it must not need one.
    'let prompt = (with-env {PATH: []} { mfa_prompt }); print $"prompt=[($prompt)]"',
    'mfa-use --off',
    showVars('off'),
    // mfa-use hides what mfa-env sends as null: no key left in $env, not even as nothing.
    `print $"keys=(['AWS_ACCESS_KEY_ID' 'AWS_SESSION_TOKEN' 'AWS_CREDENTIAL_EXPIRATION' 'MFA_LOGIN_SAVED' '__MFA_USE_PROFILE'] | where {|v| $v in $env } | to nuon)"`,
    'print $"offprompt=[(mfa_prompt)]"',
  ].join('\n');
  const started = Date.now();
  const r = await inNu(script, {}, config);
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.deepEqual(vars(r.stdout, 'on'), ROLE_VARS());
  assert.ok(r.stdout.split('\n').some((l) => ASSUMED_ROLE.test(l)), `the AWS CLI started from nu is the role:\n${r.stdout}`);
  const m = /^prompt=\[\[prod (\d+)m\] \]$/m.exec(r.stdout);
  assert.ok(m, `the prompt segment:\n${r.stdout}\n${r.stderr}`);
  const minutes = (Date.parse(expected.Expiration) - started) / 60000;
  assert.ok(Math.abs(Number(m[1]) - minutes) <= 2, `${m[1]} minutes shown, ${minutes.toFixed(1)} left`);
  assert.deepEqual(vars(r.stdout, 'off'), { AWS_PROFILE: 'mine', AWS_REGION: 'us-east-1' });
  assert.match(r.stdout, /^keys=\[\]$/m);
  assert.match(r.stdout, /^offprompt=\[\]$/m, 'no segment once off');
  noSecretOn(r.stderr);
});

test('nu: mfa-use with no profile, a flag first or an unknown profile fails and changes nothing; --off with nothing in, or twice, keeps the shell\'s own', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const config = await savedInit();
  const attempt = (call: string, tag: string) => `try { ${call}; print "${tag}=ok" } catch {|e| print $"${tag}=failed ($e.msg)" }`;
  const script = [
    '$env.AWS_PROFILE = "mine"',
    attempt('mfa-use', 'none'),
    attempt('mfa-use --help', 'help'),
    attempt('mfa-use --region eu-west-1', 'flag'),
    attempt('mfa-use nosuch', 'unknown'),
    'print $"status=($env.LAST_EXIT_CODE)"',
    attempt('mfa-use --off', 'off'),
    showVars('first'),
    'mfa-use prod',
    'mfa-use --off',
    attempt('mfa-use --off', 'again'),
    showVars('twice'),
  ].join('\n');
  const r = await inNu(script, {}, config);
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^none=failed mfa-use: which profile\? e\.g\. mfa-use prod$/m);
  assert.match(r.stdout, /^help=ok$/m);
  assert.match(r.stdout, /^flag=failed mfa-use: the profile comes first$/m);
  assert.match(r.stdout, /^unknown=failed /m);
  assert.match(r.stdout, /^status=3$/m, 'the status of mfa-env for an unknown profile');
  assert.match(r.stderr, /usage: mfa-use PROFILE/);
  assert.match(r.stderr, /mfa-env: .*nosuch/);
  assert.match(r.stdout, /^off=ok$/m);
  assert.match(r.stdout, /^again=ok$/m);
  const kept = { AWS_PROFILE: 'mine', AWS_REGION: 'us-east-1' };
  assert.deepEqual(vars(r.stdout, 'first'), kept, 'mfa-use --off with nothing in');
  assert.deepEqual(vars(r.stdout, 'twice'), kept, 'a second mfa-use --off');
});

/** savedInit, and `mfa-login completion nu` saved and sourced too, as the README says. */
async function savedCompletion(): Promise<string> {
  const config = await savedInit();
  const dir = path.dirname(config);
  const save = await inNu('mfa-login completion nu | save -f ($nu.default-config-dir | path join mfa-login-completion.nu)');
  assert.equal(save.status, 0, save.stderr);
  writeFileSync(config, 'source ($nu.default-config-dir | path join mfa-login.nu)\nsource ($nu.default-config-dir | path join mfa-login-completion.nu)\n');
  assert.ok(existsSync(path.join(dir, 'mfa-login-completion.nu')));
  return config;
}

test('nu: a profile name holding x(...) completes in double quotes, and the completed line passes the name as it is and runs nothing', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const config = await savedCompletion();
  const mark = sb.file('PWNED');
  // In the order mfa-login profiles lists them.
  const names = ['$env.HOME', 'a b', 'plain.name-1', 'q"uote', 'semi;colon', `x(touch ${mark})`];
  const odd = sb.file('odd-config');
  writeFileSync(odd, names.map((n) => `[profile ${n}]\nregion = us-east-1\n`).join(''));
  const list = await inNu('print $"login=(nu-complete mfa-login profiles | to json -r)"; print $"use=(__mfa_use_complete | to json -r)"', { AWS_CONFIG_FILE: odd }, config);
  assert.equal(list.status, 0, `${list.stderr}\n${list.stdout}`);
  const completed = (tag: string): string[] => JSON.parse(/^(\w+)=(.*)$/m.exec(list.stdout.split('\n').find((l) => l.startsWith(`${tag}=`))!)![2]!);
  const login = completed('login');
  const use = completed('use');
  // The plain name as it is, every other one quoted.
  assert.deepEqual(login, ['"$env.HOME"', '"a b"', 'plain.name-1', '"q\\"uote"', '"semi;colon"', `"x(touch ${mark})"`]);
  assert.deepEqual(use, [...login, '--off']);
  // nushell puts a completion on the line as it is: each, typed after a command, reaches it whole.
  const lines = login.map((word) => `^printf '[%s]\\n' ${word}`);
  const r = await inNu(lines.join('\n'), { AWS_CONFIG_FILE: odd }, config);
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.deepEqual(r.stdout.trim().split('\n'), names.map((n) => `[${n}]`));
  assert.ok(!existsSync(mark), 'the completed line ran code from the profile name');
});

test('nu: mfa-use completes profile names and --off; mfa-login completion nu declares the commands, completing profiles', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const config = await savedCompletion();
  // nushell has no command that completes a line: the completer each parameter names is asked directly.
  const completer = (command: string, param: string) => `scope commands | where name == '${command}' | get signatures.0 | values | first | where parameter_name == '${param}' | get completion.0`;
  const script = [
    `print $"use-completer=(${completer('mfa-use', 'profile')})"`,
    'print $"use=(__mfa_use_complete | str join \' \')"',
    `print $"login-completer=(${completer('mfa-login login', 'profile')})"`,
    `print $"env-completer=(${completer('mfa-env', 'profile')})"`,
    `print $"shells=(${completer('mfa-env', 'shell')})"`,
    'print $"profiles=(nu-complete mfa-login profiles | str join \' \')"',
    'print $"first=(nu-complete mfa-login command-or-profile | str join \' \')"',
  ].join('\n');
  const r = await inNu(script, {}, config);
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^use-completer=__mfa_use_complete$/m);
  assert.match(r.stdout, /^use=alice prod --off$/m);
  assert.match(r.stdout, /^login-completer=nu-complete mfa-login profiles$/m);
  assert.match(r.stdout, /^env-completer=nu-complete mfa-login profiles$/m);
  assert.match(r.stdout, /^shells=nu-complete mfa-login shells$/m);
  assert.match(r.stdout, /^profiles=alice prod$/m);
  assert.match(r.stdout, /^first=login add .* rotate alice prod$/m);
});
