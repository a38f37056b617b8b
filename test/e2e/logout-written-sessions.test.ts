/**
 * The first hour of a new user, as they meet it: sessions written to ~/.aws/credentials and taken
 * away again by logout, hints that work when typed as printed, usage errors in our words, doctor
 * leaving no trace, the STS host named in full, and the local STS documented by its --help.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AWS_CLI, MFA_ENV, MFA_LOGIN, ROOT, Sandbox, requireComponent, runCommand, user } from './harness.js';
import { totp } from '../../src/mfa/totp.js';

const alice = user('alice');
const bob = user('bob');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const CONFIG = `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = alice\n`;
/** Long-term keys of another user, and a session some other tool wrote: logout must not touch them. */
const OTHERS = `[other]\naws_access_key_id = AKIAOTHER00000000001\naws_secret_access_key = otherSecretOtherSecretOtherSecretOtherSe\n\n[manual]\naws_access_key_id = ASIAMANUAL0000000001\naws_secret_access_key = manualSecretManualSecretManualSecretManu\naws_session_token = manualToken\n`;
let sb: Sandbox;

before(async () => {
  // bob's policy does not let him list his MFA devices: add guesses the device and asks to confirm.
  // Codes are not what these tests are about: the STS takes one again, so none waits for the next TOTP step.
  sb = await new Sandbox([alice, { ...bob, canListMfaDevices: false } as typeof bob]).start({ roles: [{ roleArn: ROLE, requireMfa: true }], allowCodeReuse: true });
  sb.write('.aws/config', CONFIG);
  await sb.add('alice', alice);
});
after(async () => sb.stop());

/** The sections of an INI text, each with its lines. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^\[(.+)\]$/.exec(line);
    if (h) out.set(h[1]!, (current = []));
    else if (line.trim() !== '' && current) current.push(line);
  }
  return out;
}

/** Logs in, spending a code only when no cached MFA session serves, as a person would. */
async function login(args: string[]): Promise<void> {
  let r = await sb.run(args);
  if (r.status === 5 && /no terminal to ask on/.test(r.stderr)) r = await sb.run([...args, '--mfa-token', await sb.code(alice)]);
  assert.equal(r.status, 0, r.stderr);
}

async function freshCredentials(): Promise<void> {
  sb.write('.aws/credentials', OTHERS);
  // Sessions cached by earlier tests would make later logins skip STS; start each test clean.
  assert.equal((await sb.run(['logout', '--all', '--keep-files'])).status, 0);
}

test('login marks the session it writes; the AWS CLI, botocore and the JS SDK still read the profile', async (t) => {
  await freshCredentials();
  await login(['alice']);
  const written = sections(sb.read('.aws/credentials')!).get('alice')!;
  assert.ok(written.includes('mfa_login_session_of = alice'), written.join('\n'));

  const skip = requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)') || requireComponent(existsSync('/usr/lib/python3/dist-packages/botocore'), 'botocore (Debian python3-botocore)');
  if (skip) return t.skip(skip);
  const cli = await runCommand(AWS_CLI, ['sts', 'get-caller-identity', '--profile', 'alice', '--endpoint-url', sb.sts.url, '--output', 'json'], sb.env({ AWS_ENDPOINT_URL: undefined }));
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stderr, '', 'no complaint about the marker');
  assert.equal(JSON.parse(cli.stdout).Arn, 'arn:aws:iam::111111111111:user/alice');

  // botocore as the Python tools load it (Debian python3-botocore, installed by .ci/run).
  const py = await runCommand('/usr/bin/python3', ['-c', 'import botocore.session; c = botocore.session.Session(profile="alice").get_credentials(); print(c.access_key, c.token is not None)'], sb.env());
  assert.equal(py.status, 0, py.stderr);
  const keyId = /aws_access_key_id = (\S+)/.exec(written.join('\n'))![1];
  assert.equal(py.stdout.trim(), `${keyId} True`);

  const { fromIni } = await import('@aws-sdk/credential-providers');
  const js = await fromIni({ profile: 'alice', filepath: sb.file('.aws/credentials'), configFilepath: sb.file('.aws/config') })();
  assert.equal(js.accessKeyId, keyId);
  assert.ok(js.sessionToken);
});

test('logout prod takes away the sessions written for or through prod, and nothing else', async () => {
  await freshCredentials();
  await login(['alice']);
  await login(['prod']);
  await login(['alice', '--to', 'scratch']);
  // A line the user added to a written section stays after logout.
  sb.write('.aws/credentials', sb.read('.aws/credentials')!.replace('[prod-session]\n', '[prod-session]\nregion = eu-west-1\n'));
  const before = sections(sb.read('.aws/credentials')!);
  assert.deepEqual([...before.keys()], ['other', 'manual', 'alice', 'prod-session', 'scratch']);
  assert.ok(before.get('prod-session')!.includes('mfa_login_session_of = prod via alice'));

  const r = await sb.run(['logout', 'prod']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Forgot \d+ cached sessions? of prod and removed \[prod-session\] from ~\/\.aws\/credentials\.\n$/);
  const after = sections(sb.read('.aws/credentials')!);
  assert.deepEqual(after.get('prod-session'), ['region = eu-west-1']);
  for (const name of ['other', 'manual', 'alice', 'scratch']) assert.deepEqual(after.get(name), before.get(name), name);

  // alice's own sessions, and the role session obtained through her, all go with `logout alice`.
  await login(['prod']);
  const r2 = await sb.run(['logout', 'alice']);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /removed \[alice\], \[prod-session\], \[scratch\] from ~\/\.aws\/credentials\./);
  const left = sb.read('.aws/credentials')!;
  assert.ok(left.startsWith(OTHERS), 'the other sections keep every byte');
  assert.doesNotMatch(left, /mfa_login_session_of|aws_session_token = (?!manualToken)/);
});

test('logout --all takes away every written session; --keep-files keeps them and says so', async () => {
  await freshCredentials();
  await login(['alice']);
  await login(['prod']);
  const kept = await sb.run(['logout', '--all', '--keep-files']);
  assert.equal(kept.status, 0, kept.stderr);
  assert.match(kept.stdout, /^Forgot \d+ cached sessions?\. Kept \[alice\], \[prod-session\] in ~\/\.aws\/credentials \(--keep-files\): they work until they expire\.\n$/);
  assert.equal(sections(sb.read('.aws/credentials')!).size, 4);

  const r = await sb.run(['logout', '--all']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /removed \[alice\], \[prod-session\] from ~\/\.aws\/credentials\./);
  assert.equal(sb.read('.aws/credentials'), OTHERS);
});

test('remove says which written sessions it left, and the command it names takes them away', async () => {
  await freshCredentials();
  await login(['prod']);
  const r = await sb.run(['remove', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  const hint = /Left \[prod-session\] in ~\/\.aws\/credentials, written with these keys and good until \S+; remove it with: (mfa-login logout alice)\n/.exec(r.stdout);
  assert.ok(hint, r.stdout);
  const again = await runCommand('/bin/sh', ['-c', hint[1]!.replace(/^mfa-login/, `${JSON.stringify(process.execPath)} ${JSON.stringify(MFA_LOGIN)}`)], sb.env());
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /removed \[prod-session\]/);
  assert.equal(sb.read('.aws/credentials'), OTHERS);
  await sb.add('alice', alice);
});

test('bare logout with no default profile fails as every other command does; with AWS_PROFILE it works', async () => {
  const logout = await sb.run(['logout']);
  const session = await sb.run(['session']);
  assert.equal(session.status, 3);
  assert.equal(logout.status, 3, logout.stdout + logout.stderr);
  assert.match(session.stderr, /profile default not found/);
  assert.match(logout.stderr, /^mfa-login: no profile given, and profile default not found; known profiles: .*\n  hint: name one: mfa-login logout PROFILE, or forget every session: mfa-login logout --all\n$/);
  const named = await sb.run(['logout'], { env: { AWS_PROFILE: 'alice' } });
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /^Forgot \d+ cached sessions? of alice\./);
  const typo = await sb.run(['logout', 'alcie']);
  assert.equal(typo.status, 3);
  assert.match(typo.stderr, /profile alcie not found; did you mean alice\?/);
});

test('add --from-env without a terminal: a guessed MFA device is named with the one config line that records it, not another add', async () => {
  const env = { AWS_ACCESS_KEY_ID: bob.accessKeyId, AWS_SECRET_ACCESS_KEY: bob.secretAccessKey };
  const r = await sb.run(['add', 'bob', '--from-env'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /To record it, add "mfa_serial = arn:aws:iam::111111111111:mfa\/bob" to \[profile bob\] in ~\/\.aws\/config\n/);
  assert.doesNotMatch(r.stdout, /mfa-login add/);
  assert.doesNotMatch(sb.read('.aws/config') ?? '', /mfa\/bob/);

  // Keys piped on stdin cannot be piped again by a hint: it names the config line instead.
  sb.write('.aws/config', CONFIG);
  const piped = await sb.run(['add', 'bob'], { input: `${bob.accessKeyId}\n${bob.secretAccessKey}\n` });
  assert.equal(piped.status, 0, piped.stderr);
  assert.match(piped.stdout, /To record it, add "mfa_serial = arn:aws:iam::111111111111:mfa\/bob" to \[profile bob\] in ~\/\.aws\/config\n/);
  sb.write('.aws/config', CONFIG);
});

test('mfa-env prod-mfa, a profile setup wrote, says what it is and what to use instead', async () => {
  sb.write('.aws/config', CONFIG);
  assert.equal((await sb.run(['setup', 'prod'])).status, 0);
  const r = await sb.run(['prod-mfa'], { bin: MFA_ENV });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^mfa-env: profile prod-mfa is a credential_process profile for prod \(.*config line \d+\): AWS tools use it to ask mfa-login for prod's credentials; it has no keys of its own\n  hint: use the profile it stands for: (mfa-env prod)\n$/);
  let ok = await sb.run(['prod'], { bin: MFA_ENV });
  if (ok.status === 5) ok = await sb.run(['prod', '--mfa-token', await sb.code(alice)], { bin: MFA_ENV });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /AWS_SESSION_TOKEN/);
  const login = await sb.run(['prod-mfa']);
  assert.match(login.stderr, /hint: use the profile it stands for: mfa-login prod\n$/);
  sb.write('.aws/config', CONFIG);
});

test('a mistyped profile gets "did you mean"', async () => {
  for (const [bin, args] of [[MFA_LOGIN, ['prdo']], [MFA_ENV, ['prdo']], [MFA_LOGIN, ['credential-process', 'alcie']]] as const) {
    const r = await sb.run([...args], { bin });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /profile (prdo|alcie) not found; did you mean (prod|alice)\? \(known profiles: /);
  }
});

/** yargs' own phrases (its en locale): none may reach the user. */
const YARGS_WORDS = /Unknown argument|Unknown command|Invalid values|Argument:|Given:|Choices:|Missing required|Missing argument|Not enough|Too many|mutually exclusive|Did you mean/;

test('usage errors name the command and the word at fault, in our words', async () => {
  const cases: [string[], RegExp, string?][] = [
    [['lgoin', 'alice'], /^mfa-login: unknown command lgoin; did you mean login\?$/],
    [['stauts', '--json'], /^mfa-login: unknown command stauts; did you mean status\?$/],
    [['prod', 'extra'], /^mfa-login: unknown command prod: mfa-login takes a command, or a profile name on its own/],
    [['prod', '--frobnicate'], /^mfa-login: unknown option --frobnicate$/],
    [['login', 'prod', '--mfa-tokne', '1'], /^mfa-login: unknown option --mfa-tokne for login; did you mean --mfa-token\?$/],
    [['completion', 'nope'], /^mfa-login: completion nope: nope is not a shell; use bash, zsh, fish, nu or nushell$/],
    [['completion'], /^mfa-login: completion needs a shell \(bash, zsh, fish, nu or nushell\)$/],
    [['agent', 'restart'], /^mfa-login: agent restart: restart is not an agent action; use status or stop$/],
    [['policy', '--partition', 'moon'], /^mfa-login: --partition moon is not an AWS partition: use aws, aws-us-gov or aws-cn$/],
    [['add'], /^mfa-login: add needs a profile name$/],
    [['logout', 'a', 'b'], /^mfa-login: logout takes one profile; b is one word too many$/],
    [['prod', '--to'], /^mfa-login: --to needs a value$/],
    [['add', 'x', '--mfa-serial'], /^mfa-login: --mfa-serial needs a value$/],
    [['--shell', 'nope'], /^mfa-env: --shell nope is not a shell: use sh, bash, zsh, fish, powershell, pwsh, nu or nushell$/, 'mfa-env'],
    [['--shell'], /^mfa-env: --shell needs a value: sh, bash/, 'mfa-env'],
    [['a', 'b'], /^mfa-env: mfa-env takes one profile; b is one word too many$/, 'mfa-env'],
    [['prod', '--nope'], /^mfa-env: unknown option --nope$/, 'mfa-env'],
  ];
  for (const [args, message, tool] of cases) {
    const r = await sb.run(args, tool === 'mfa-env' ? { bin: MFA_ENV } : {});
    const label = `${tool ?? 'mfa-login'} ${args.join(' ')}`;
    assert.equal(r.status, 2, `${label}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, message, label);
    assert.match(lines[1] ?? '', /^ {2}hint: /, label);
    assert.equal(lines.length, 2, label);
    assert.doesNotMatch(r.stderr, YARGS_WORDS, label);
  }
  // The wording does not depend on the user's locale (yargs translates its own messages).
  const fr = await sb.run(['prod', '--frobnicate'], { env: { LANG: 'fr_FR.UTF-8', LC_ALL: 'fr_FR.UTF-8' } });
  assert.match(fr.stderr, /^mfa-login: unknown option --frobnicate\n/);
});

test('"cannot reach STS" names the whole host the SDK tried (FIPS endpoint)', async () => {
  // A region no DNS knows: unreachable wherever the test runs, with or without a network.
  const r = await sb.run(['alice', '--mfa-token', '123456'], { env: { AWS_ENDPOINT_URL: undefined, AWS_REGION: 'xx-nowhere-1', AWS_USE_FIPS_ENDPOINT: 'true', MFA_LOGIN_CACHE: 'none' } });
  assert.equal(r.status, 6, r.stderr);
  assert.match(r.stderr, /^mfa-login: cannot reach STS at https:\/\/sts-fips\.xx-nowhere-1\.amazonaws\.com \(/);
});

/** Every file and directory under `dir`, with content hashes and modes. */
function tree(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      out.set(p, `dir ${st.mode}`);
      tree(p, out);
    } else out.set(p, st.isFile() ? `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mode}` : `other ${st.mode}`);
  }
  return out;
}

/** Processes whose command line names `needle` (an agent started for this HOME would). */
function processesNaming(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(`${pid} ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test('doctor starts nothing and creates nothing, in agent and in file mode', async () => {
  const fresh = new Sandbox([alice]);
  try {
    await fresh.start();
    fresh.write('.aws/config', `${CONFIG}\n[profile prod-mfa]\ncredential_process = ${process.execPath} ${MFA_LOGIN} credential-process prod\n`);
    for (const mode of ['agent', 'file']) {
      const before = tree(fresh.home);
      const r = await fresh.run(['doctor'], { env: { MFA_LOGIN_CACHE: mode, XDG_RUNTIME_DIR: undefined, PATH: '/usr/bin:/bin' } });
      assert.ok(r.status === 0 || r.status === 3, r.stdout + r.stderr);
      assert.match(r.stdout, /session cache: /);
      assert.deepEqual([...tree(fresh.home)].sort(), [...before].sort(), `doctor (${mode}) left the HOME as it was`);
      assert.deepEqual(processesNaming(fresh.home), [], `doctor (${mode}) started no process for this HOME`);
    }
  } finally {
    await fresh.stop();
  }
});

test('the local STS answers --help with its fixture format, and a fixture written from it serves mfa-login', async () => {
  const main = path.join(ROOT, 'dist/src/aws-stand-in/main.js');
  const help = await runCommand(process.execPath, [main, '--help'], { PATH: process.env.PATH ?? '' });
  assert.equal(help.status, 0, help.stderr);
  for (const field of ['port', 'host', 'allowCodeReuse', 'users', 'userName', 'accountId', 'accessKeyId', 'secretAccessKey', 'partition', 'canListMfaDevices', 'mfaDevices', 'serial', 'seed', 'roles', 'roleArn', 'maxSessionDuration', 'requireMfa', 'externalId', 'trustedPrincipals']) {
    assert.match(help.stdout, new RegExp(`"${field}"`), `--help documents ${field}`);
  }
  const pick = (field: string) => new RegExp(`"${field}": "([^"]+)"`).exec(help.stdout)![1]!;
  const fixture = {
    users: [{ userName: pick('userName'), accountId: pick('accountId'), accessKeyId: pick('accessKeyId'), secretAccessKey: pick('secretAccessKey'), mfaDevices: [{ serial: pick('serial'), seed: pick('seed') }] }],
    roles: [{ roleArn: pick('roleArn'), requireMfa: true }],
  };
  const home = new Sandbox([]);
  writeFileSync(home.file('fixture.json'), JSON.stringify(fixture));
  const child = spawn(process.execPath, [main, home.file('fixture.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the local STS printed no URL within 20 s')), 20_000);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /\{"url":"([^"]+)"\}\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`the local STS exited (${code})`)));
    });
    // The steps the help prints, as printed.
    const env = home.env({ AWS_ENDPOINT_URL: url });
    const add = await runCommand(process.execPath, [MFA_LOGIN, 'add', pick('userName'), '--yes'], env, `${pick('accessKeyId')}\n${pick('secretAccessKey')}\n`);
    assert.equal(add.status, 0, add.stderr);
    assert.match(help.stdout, /oathtool --totp -b JBSWY3DPEHPK3PXP/);
    const code = totp(pick('seed'), Date.now());
    const login = await runCommand(process.execPath, [MFA_LOGIN, pick('userName'), '--mfa-token', code], env);
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, /^Wrote an MFA session to \[alice\]/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await home.stop();
  }
});
