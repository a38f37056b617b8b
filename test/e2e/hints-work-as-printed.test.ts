import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, readdirSync, readFileSync, lstatSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Sandbox, user } from './harness.js';
import { commandsIn, isTemplate, notAsPrinted, runAsPrinted } from './hints.js';
import { cliVocabulary, parseArgs, parseEnvArgs } from '../../src/cli/args.js';

/**
 * The corpus of broken inputs: each must give its documented exit status and one clear line (plus
 * an optional hint), no stack trace, and leave every file under HOME exactly as it was.
 */
const alice = user('alice');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const GOOD = `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = alice\n`;
const CREDS = `[other]\naws_access_key_id = AKIAOTHER00000000001\naws_secret_access_key = otherSecretOtherSecretOtherSecretOtherSe\n`;
let sb: Sandbox;
/** Every hint line the corpus printed, with the files it was printed for. */
const hints: { hint: string; config: string; credentials: string; from: string }[] = [];
/** nobody's uid: a file owned by someone else (the suite runs as root in CI, where chown works). */
const OTHER_UID = 65534;

interface Case {
  name: string;
  config?: string;
  credentials?: string;
  args: string[];
  env?: Record<string, string> | ((sb: Sandbox) => Record<string, string>);
  input?: string;
  bin?: 'mfa-env';
  prepare?: (sb: Sandbox) => void;
  status: number;
  stderr: RegExp;
}

const loop = (names: string[]) => names.map((n, i) => `[profile ${n}]\nrole_arn = arn:aws:iam::222222222222:role/${n}\nsource_profile = ${names[(i + 1) % names.length]}\n`).join('');
const role = (extra: string) => `${GOOD}[profile x]\nrole_arn = ${ROLE}\nsource_profile = alice\n${extra}`;
const user_ = (extra: string) => `[profile alice]\n${extra}`;

/** A copy of the sandbox's key file at `name` with one scrypt parameter of its header changed. */
const keyFileWith = (s: Sandbox, name: string, field: 'N' | 'r' | 'p', value: number) => {
  const [header, body] = readFileSync(s.file('.config/mfa-login/keys.enc'), 'utf8').split('\n') as [string, string];
  writeFileSync(s.file(name), `${header.replace(new RegExp(`"${field}":\\d+`), `"${field}":${value}`)}\n${body}\n`);
};
/** A lock on `rel` held by another process (test/e2e/writer.ts), until the next case starts. */
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'writer.js');
const holders: number[] = [];
const heldLock = (s: Sandbox, rel: string) => {
  const said = path.join(os.tmpdir(), `mfl-holder-${process.pid}`);
  const r = spawnSync('sh', ['-c', '"$1" "$2" hold "$3" >"$4" 2>&1 </dev/null & echo $!; i=0; until grep -q held "$4"; do i=$((i+1)); [ $i -lt 3000 ] || exit 1; sleep 0.01; done; rm -f "$4"', 'sh', process.execPath, WRITER, s.file(`${rel}.lock`), said], { encoding: 'utf8' });
  holders.push(Number(r.stdout.trim()));
  assert.equal(r.status, 0, 'the holder took the lock');
};
const endHolders = () => {
  for (const pid of holders.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
};

const cases: Case[] = [
  // Malformed files
  { name: 'a line with no "="', config: `${GOOD}region us-east-1\n`, args: ['prod', '--mfa-token', '123456'], status: 3, stderr: /config line 7: expected "key = value" or "\[section\]", found "region us-east-1"/ },
  { name: 'a setting before any section', config: `region = x\n${GOOD}`, args: ['prod'], status: 3, stderr: /config line 1: setting "region" comes before any \[section\] header/ },
  { name: 'an unclosed header', config: `${GOOD}[profile y\n`, args: ['prod'], status: 3, stderr: /line 7: section header is missing its closing "\]"/ },
  { name: 'an empty header', config: `${GOOD}[]\n`, args: ['prod'], status: 3, stderr: /line 7: empty section header/ },
  { name: 'a duplicate section', config: `${GOOD}[profile alice]\nregion = x\n`, args: ['prod'], status: 3, stderr: /line 7: section \[profile alice\] appears twice \(first on line 1\)/ },
  { name: 'a duplicate key', config: `${GOOD}region = a\nregion = b\n`, args: ['prod'], status: 3, stderr: /line 8: region is set twice in \[profile prod\]/ },
  { name: '[default] and [profile default]', config: `${GOOD}[default]\nregion = a\n[profile default]\nregion = b\n`, args: ['prod'], status: 3, stderr: /profile default is defined twice/ },
  { name: 'a mangled credentials line (secret masked)', credentials: `${CREDS}[bad]\naws_secret_access_key wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n`, args: ['prod'], status: 3, stderr: /credentials line 5: expected "key = value" or "\[section\]", found "aws_secret_access_key \*\*\*\*"/ },
  { name: 'non-UTF-8 bytes', prepare: (s) => writeFileSync(s.file('.aws/config'), Buffer.concat([Buffer.from(GOOD), Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a])])), args: ['prod'], status: 3, stderr: /config is not UTF-8 text \(invalid byte at line 7\)/ },
  { name: 'a huge config file', prepare: (s) => writeFileSync(s.file('.aws/config'), GOOD + `# ${'x'.repeat(1000)}\n`.repeat(11000)), args: ['prod'], status: 3, stderr: /config is 10\.5 MiB; an AWS config or credentials file is never that large/ },
  { name: 'a config path that is a directory', env: { AWS_CONFIG_FILE: '/tmp' }, args: ['prod'], status: 3, stderr: /^mfa-login: cannot read \/tmp: it is a directory\n  hint: AWS_CONFIG_FILE=\/tmp names it: point AWS_CONFIG_FILE at the file, or unset it for the default\n$/ },
  { name: 'a credentials path that is a directory', env: { AWS_SHARED_CREDENTIALS_FILE: '/tmp' }, args: ['prod'], status: 3, stderr: /^mfa-login: cannot read \/tmp: it is a directory\n  hint: AWS_SHARED_CREDENTIALS_FILE=\/tmp names it/ },
  { name: 'a key file path that is a directory', env: { MFA_LOGIN_BACKEND: 'file', MFA_LOGIN_FILE_STORE: '/tmp' }, args: ['list'], status: 7, stderr: /^mfa-login: cannot read the key file \/tmp: it is a directory\n  hint: MFA_LOGIN_FILE_STORE names the key file itself \(created on first add\), not a directory\n$/ },
  // Bad ARNs
  { name: 'a user ARN as mfa_serial', config: user_('mfa_serial = arn:aws:iam::111111111111:user/alice\n'), args: ['alice'], status: 3, stderr: /mfa_serial = arn:aws:iam::111111111111:user\/alice is an IAM user ARN, not an MFA device/ },
  { name: 'a wrong partition', config: user_('mfa_serial = arn:aws-moon:iam::111111111111:mfa/alice\n'), args: ['alice'], status: 3, stderr: /has partition "aws-moon"/ },
  { name: 'a wrong service', config: user_('mfa_serial = arn:aws:s3::111111111111:mfa/alice\n'), args: ['alice'], status: 3, stderr: /is an ARN of s3, not of IAM/ },
  { name: 'an account id that is not 12 digits', config: user_('mfa_serial = arn:aws:iam::11111:mfa/alice\n'), args: ['alice'], status: 3, stderr: /does not have a 12-digit account id/ },
  { name: 'a role_arn that is not a role', config: role('').replace(`role_arn = ${ROLE}\nsource_profile = alice\n\n`, `role_arn = ${ROLE}\nsource_profile = alice\n\n`).replace(/\[profile x\]\nrole_arn = \S+/, '[profile x]\nrole_arn = arn:aws:iam::222222222222:policy/Admin'), args: ['x'], status: 3, stderr: /role_arn = arn:aws:iam::222222222222:policy\/Admin is not an IAM role ARN/ },
  { name: 'a role_arn that is not an ARN', config: role('').replace(/\[profile x\]\nrole_arn = \S+/, '[profile x]\nrole_arn = Admin'), args: ['x'], status: 3, stderr: /role_arn = Admin is not an IAM role ARN/ },
  // Durations
  { name: 'a role duration that is not a number', config: role('duration_seconds = 1h\n'), args: ['x'], status: 3, stderr: /duration_seconds = 1h must be a whole number of seconds/ },
  { name: 'a role duration below 900', config: role('duration_seconds = 60\n'), args: ['x'], status: 3, stderr: /config line 10: duration_seconds = 60 must be between 1800 \(30 minutes\) and 43200 \(12 hours\) seconds for a role: a session is used only while more than 15 minutes of it are left/ },
  { name: 'a role duration of 15 minutes, spent on arrival', config: role('duration_seconds = 900\n'), args: ['x'], status: 3, stderr: /duration_seconds = 900 must be between 1800 \(30 minutes\) and 43200/ },
  { name: 'a role duration above 12 h', config: role('duration_seconds = 50000\n'), args: ['x'], status: 3, stderr: /duration_seconds = 50000 must be between 1800 \(30 minutes\) and 43200 \(12 hours\) seconds for a role$/m },
  { name: 'an MFA session duration above 36 h', config: `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nduration_seconds = 200000\n`, args: ['alice', '--mfa-token', '123456'], status: 3, stderr: /config line 3: duration_seconds = 200000 must be between 1800 \(30 minutes\) and 129600 \(36 hours\) seconds for an MFA session$/m },
  { name: 'an MFA session of 15 minutes, spent on arrival', config: `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nduration_seconds = 900\n`, args: ['alice', '--mfa-token', '123456'], status: 3, stderr: /config line 3: duration_seconds = 900 must be between 1800 \(30 minutes\) and 129600 \(36 hours\) seconds for an MFA session: a session is used only while more than 15 minutes of it are left/ },
  { name: '--duration that is not a duration', args: ['prod', '--duration', 'soon'], status: 2, stderr: /--duration "soon" is not a duration/ },
  { name: '--duration below 15 minutes', args: ['prod', '--duration', '10m'], status: 2, stderr: /--duration 10m is too short/ },
  { name: '--duration of 15 minutes, spent on arrival', args: ['prod', '--duration', '15m', '--mfa-token', '123456'], status: 2, stderr: /--duration 15m is too short: a session is used only while more than 15 minutes of it are left, so a shorter one would ask for a new code on almost every call; the least is 30m \(1800\)/ },
  { name: '--duration of 29 minutes for mfa-env', bin: 'mfa-env', args: ['prod', '--duration', '1799'], status: 2, stderr: /^mfa-env: --duration 1799 is too short/ },
  { name: '--duration above 36 hours', args: ['prod', '--duration', '40h'], status: 2, stderr: /^mfa-login: --duration 40h is too long: an MFA session lasts at most 36 hours \(129600\)\n  hint: use a duration from 30m to 36h, e.g. --duration 12h\n$/ },
  { name: 'console --duration above 12 hours', args: ['console', 'prod', '--duration', '13h'], status: 2, stderr: /^mfa-login: --duration 13h is too long: a console session lasts at most 12 hours \(43200\)\n  hint: use a duration from 15m to 12h, e.g. --duration 1h\n$/ },
  ...['0', '30s', '59'].map((v) => ({ name: `--ensure ${v}, under a minute`, args: ['exec', '--ensure', v, 'prod', '--', 'true'], status: 2, stderr: new RegExp(`^mfa-login: --ensure ${v} is too short: the least is 1m\n  hint: use a duration from 1m to 36h, e.g. --ensure 2h\n$`) })),
  { name: '--ensure above 36 hours', args: ['exec', '--ensure', '40h', 'prod', '--', 'true'], status: 2, stderr: /^mfa-login: --ensure 40h is too long: no MFA session lasts longer than 36 hours \(129600\)\n  hint: use a duration from 1m to 36h, e.g. --ensure 2h\n$/ },
  { name: '--ensure -5m, taken for flags', args: ['exec', '--ensure', '-5m', 'prod', '--', 'true'], status: 2, stderr: /^mfa-login: --ensure needs a value\n  hint: put a duration right after it \(no sign\): use a duration from 1m to 36h, e.g. --ensure 2h\n$/ },
  // Values that reach a shell or a URL
  { name: 'a region that is shell code', config: user_(`mfa_serial = ${alice.mfaDevices[0]!.serial}\nregion = x';touch /tmp/pwned;#\n`), args: ['alice', '--mfa-token', '123456'], status: 3, stderr: /config line 3: region = x';touch \/tmp\/pwned;# is not an AWS region \(lowercase letters, digits and dashes, like eu-west-1\)/ },
  { name: 'a region that is shell code, for mfa-env', bin: 'mfa-env', config: role(`region = eu-(touch x)\n`), args: ['x', '--shell', 'fish'], status: 3, stderr: /^mfa-env: .*config line 10: region = eu-\(touch x\) is not an AWS region/ },
  { name: 'a region in capitals', config: role('region = EU-WEST-1\n'), args: ['x'], status: 3, stderr: /region = EU-WEST-1 is not an AWS region/ },
  { name: 'an AWS_REGION that is shell code', env: { AWS_REGION: "x';touch /tmp/pwned;#" }, args: ['alice', '--mfa-token', '123456'], status: 3, stderr: /AWS_REGION="x';touch \/tmp\/pwned;#" is not an AWS region/ },
  { name: 'an AWS_DEFAULT_REGION with a space', env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu west 1' }, args: ['credential-process', 'prod', '--mfa-token', '123456'], status: 3, stderr: /AWS_DEFAULT_REGION="eu west 1" is not an AWS region/ },
  // source_profile problems
  { name: 'a loop of one profile', config: loop(['a']), args: ['a'], status: 3, stderr: /source_profile loop: a -> a/ },
  { name: 'a loop of two profiles', config: loop(['a', 'b']), args: ['a'], status: 3, stderr: /source_profile loop: a -> b -> a/ },
  { name: 'a loop of five profiles', config: loop(['a', 'b', 'c', 'd', 'e']), args: ['a'], status: 3, stderr: /source_profile loop: a -> b -> c -> d -> e -> a/ },
  { name: 'a dangling source_profile', config: `[profile x]\nrole_arn = ${ROLE}\nsource_profile = ghost\n`, args: ['x'], status: 3, stderr: /names source_profile ghost, which is not defined/ },
  { name: 'role_arn with credential_source', config: `[profile x]\nrole_arn = ${ROLE}\ncredential_source = Environment\n`, args: ['x'], status: 3, stderr: /has role_arn but credential_source = Environment/ },
  { name: 'an unknown profile', args: ['nosuch'], status: 3, stderr: /profile nosuch not found; known profiles: alice, other, prod/ },
  // Keys
  { name: 'missing source keys', config: `${GOOD}[profile bob]\nmfa_serial = arn:aws:iam::111111111111:mfa/bob\n[profile y]\nrole_arn = ${ROLE}\nsource_profile = bob\n`, args: ['y', '--mfa-token', '123456'], status: 4, stderr: /no keys stored for profile bob in .*keys\.enc/ },
  { name: 'garbage on stdin for add', args: ['add', 'z'], input: 'hello\n', status: 4, stderr: /standard input did not hold an access key id and a secret access key/ },
  { name: 'a temporary key for add', args: ['add', 'z'], input: 'ASIAAAAAAAAAAAAAAAAA\nsecretsecretsecretsecretsecretsecretsecr\n', status: 4, stderr: /is temporary \(it starts with ASIA\)/ },
  { name: 'add --from-env with nothing set', args: ['add', 'z', '--from-env'], status: 4, stderr: /--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/ },
  { name: 'add --import with nothing to import', args: ['add', 'prod', '--import'], status: 4, stderr: /\[prod\] in .*credentials has no aws_access_key_id and aws_secret_access_key to import/ },
  { name: 'a wrong key-file passphrase', args: ['prod', '--mfa-token', '123456'], env: { MFA_LOGIN_FILE_PASSPHRASE: 'wrong' }, status: 7, stderr: /cannot decrypt .*keys\.enc: wrong passphrase or damaged file/ },
  // Codes
  { name: 'a non-numeric code', args: ['prod', '--mfa-token', '12a456'], status: 5, stderr: /--mfa-token is not a 6-digit code/ },
  { name: 'a 5-digit code', args: ['prod', '--mfa-token', '12345'], status: 5, stderr: /--mfa-token is not a 6-digit code/ },
  { name: 'a 7-digit code', args: ['prod', '--mfa-token', '1234567'], status: 5, stderr: /--mfa-token is not a 6-digit code/ },
  { name: 'a wrong code', args: ['alice', '--mfa-token', '000000'], status: 5, stderr: /STS refused the MFA code for arn:aws:iam::111111111111:mfa\/alice/ },
  { name: 'an mfa_process that fails', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = exit 4\n'), args: ['alice'], status: 5, stderr: /mfa_process exit failed \(exit status 4\)/ },
  { name: 'an mfa_process that prints nothing', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = true\n'), args: ['alice'], status: 5, stderr: /mfa_process true printed nothing$/m },
  { name: 'an mfa_process that prints no code', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = echo my-password-123\n'), args: ['alice'], status: 5, stderr: /mfa_process echo did not print a 6-digit code$/m },
  { name: 'an mfa_process that hangs', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = sleep 30\n'), env: { MFA_LOGIN_MFA_PROCESS_TIMEOUT: '1' }, args: ['alice'], status: 5, stderr: /mfa_process sleep gave no code within 1s$/m },
  { name: 'an mfa_process whose arguments hold the seed', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = false --totp -b JBSWY3DPSEEDSEEDSEED\n'), args: ['alice'], status: 5, stderr: /^mfa-login: mfa_process false failed \(exit status 1\)\n  hint: run the command by hand to see why\n$/ },
  { name: 'an mfa_process seed given as a variable', config: GOOD.replace('[profile alice]\n', '[profile alice]\nmfa_process = SEED=JBSWY3DPSEEDSEEDSEED sh -c "echo no"\n'), args: ['alice'], status: 5, stderr: /^mfa-login: mfa_process sh did not print a 6-digit code\n/ },
  { name: 'a malformed MFA_LOGIN_MFA_TOKEN', env: { MFA_LOGIN_MFA_TOKEN: '12345' }, args: ['prod'], status: 5, stderr: /^mfa-login: MFA_LOGIN_MFA_TOKEN is not a 6-digit code/ },
  { name: 'a wrong MFA_LOGIN_MFA_TOKEN', env: { MFA_LOGIN_MFA_TOKEN: '000000' }, args: ['alice'], status: 5, stderr: /STS refused the MFA code for arn:aws:iam::111111111111:mfa\/alice/ },
  { name: 'no code source and no terminal', args: ['credential-process', 'prod'], status: 5, stderr: /^mfa-login: an MFA code is needed for prod and there is no terminal to ask on; run "mfa-login session prod" in a terminal first/ },
  // Where things would be written
  { name: 'a credentials file that is a symlink to a read-only file', prepare: (s) => { rmSync(s.file('real-credentials'), { force: true }); writeFileSync(s.file('real-credentials'), CREDS, { mode: 0o444 }); rmSync(s.file('.aws/credentials')); symlinkSync(s.file('real-credentials'), s.file('.aws/credentials')); }, args: ['alice', '--mfa-token', 'CODE'], status: 3, stderr: /cannot write \S+\/\.aws\/credentials \(a link to \S+\/real-credentials\): it is read-only \(0444\)/ },
  { name: 'a credentials file that cannot be written', env: { AWS_SHARED_CREDENTIALS_FILE: '/proc/self/credentials' }, args: ['alice', '--mfa-token', 'CODE'], status: 3, stderr: /cannot write \/proc\/self\/credentials/ },
  { name: 'a read-only credentials file', prepare: (s) => chmodSync(s.file('.aws/credentials'), 0o444), args: ['alice', '--mfa-token', 'CODE'], status: 3, stderr: /^mfa-login: cannot write .*\/\.aws\/credentials: it is read-only \(0444\), and mfa-login will not undo that \(chmod u\+w .*credentials to let it write\); nothing was changed\n$/ },
  // The suite runs as root in CI: a file of another uid stands for root's file under a normal user.
  { name: 'a credentials file owned by another user', prepare: (s) => chownSync(s.file('.aws/credentials'), OTHER_UID, OTHER_UID), args: ['alice', '--mfa-token', 'CODE'], status: 3, stderr: new RegExp(`^mfa-login: cannot write .*credentials: it belongs to another user \\(uid ${OTHER_UID}\\), and replacing it would make it yours \\(uid ${process.getuid!()}\\); nothing was changed\n$`) },
  { name: 'add --import into a read-only credentials file', credentials: `${CREDS}[imp]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, prepare: (s) => chmodSync(s.file('.aws/credentials'), 0o444), args: ['add', 'imp', '--import', '--yes'], status: 3, stderr: /cannot write .*credentials: it is read-only/ },
  { name: 'an MFA_LOGIN_STS_TIMEOUT that is not a number', env: { MFA_LOGIN_STS_TIMEOUT: 'soon' }, args: ['alice', '--mfa-token', '123456'], status: 2, stderr: /MFA_LOGIN_STS_TIMEOUT=soon is not a number of seconds/ },
  { name: '--to a profile that has role_arn', args: ['alice', '--to', 'prod', '--mfa-token', '123456'], status: 3, stderr: /\[profile prod\] in .*config has role_arn, so AWS tools would ignore keys written under \[prod\]/ },
  { name: '--to a section holding long-term keys', args: ['alice', '--to', 'other', '--mfa-token', 'CODE'], status: 3, stderr: /\[other\] in .*credentials holds long-term keys; writing a session there would overwrite them/ },
  { name: '--to an unusable name', args: ['alice', '--to', 'a b', '--mfa-token', '123456'], status: 2, stderr: /--to "a b" is not a usable profile name/ },
  { name: 'setup over a chain member', args: ['setup', 'prod', '--name', 'alice'], status: 3, stderr: /\[profile alice\] is part of the chain of prod/ },
  // Usage
  { name: 'an unknown flag', args: ['prod', '--frobnicate'], status: 2, stderr: /^mfa-login: unknown option --frobnicate\n/ },
  { name: 'a mistyped command with a profile', args: ['lgoin', 'alice'], status: 2, stderr: /^mfa-login: unknown command lgoin; did you mean login\?\n/ },
  { name: 'a mistyped command alone', args: ['stauts'], status: 2, stderr: /^mfa-login: stauts is neither a command nor a profile; did you mean status\?\n  hint: see: mfa-login status --help\n$/ },
  { name: 'a mistyped profile', args: ['prdo'], status: 3, stderr: /^mfa-login: profile prdo not found; did you mean prod\?/ },
  { name: 'a mistyped profile as close to a profile as to a command (prd: prod, add)', args: ['prd'], status: 3, stderr: /^mfa-login: profile prd not found; did you mean prod\?/ },
  { name: 'a mistyped profile after login', args: ['login', 'stauts'], status: 3, stderr: /^mfa-login: profile stauts not found; known profiles: alice, other, prod\n/ },
  { name: 'a short unknown profile two letters from a command (dev, demo)', args: ['dev'], status: 3, stderr: /^mfa-login: profile dev not found; known profiles: alice, other, prod\n  hint: add \[profile dev\] to / },
  { name: 'a mistyped profile for rotate (one with keys)', args: ['rotate', 'alcie'], status: 3, stderr: /^mfa-login: profile alcie not found; did you mean alice\? \(profiles with keys: alice\)\n  hint: see which profiles have keys with: mfa-login list\n$/ },
  { name: 'a mistyped profile for remove', args: ['remove', 'prdo'], status: 3, stderr: /^mfa-login: profile prdo not found; did you mean prod\?/ },
  { name: 'a mistyped profile for mfa create, without a terminal', args: ['mfa', 'create', 'prdo'], status: 3, stderr: /^mfa-login: profile prdo not found; did you mean prod\?/ },
  { name: 'an unknown mfa action', args: ['mfa', 'delete', 'alice'], status: 2, stderr: /^mfa-login: mfa delete: delete is not an mfa action; use create or resync\n  hint: see: mfa-login mfa --help\n$/ },
  { name: 'a mistyped mfa action', args: ['mfa', 'craete', 'alice'], status: 2, stderr: /^mfa-login: mfa craete: craete is not an mfa action; did you mean create\?\n/ },
  { name: 'a mistyped command before a profile and a command', args: ['exce', 'prod', '--', 'true'], status: 2, stderr: /^mfa-login: unknown command exce; did you mean exec\?\n  hint: see: mfa-login exec --help\n$/ },
  { name: 'a mistyped command with a flag of another command', args: ['stauts', '--json'], status: 2, stderr: /^mfa-login: unknown command stauts; did you mean status\?\n/ },
  { name: 'a flag of another command', args: ['prod', '--json'], status: 2, stderr: /^mfa-login: unknown option --json\n/ },
  { name: 'an unknown short flag', args: ['prod', '-x'], status: 2, stderr: /^mfa-login: unknown option -x\n/ },
  { name: 'a mistyped flag', args: ['logout', '--al'], status: 2, stderr: /^mfa-login: unknown option --al for logout; did you mean --all\?\n/ },
  { name: 'a mistyped flag the command does not take', args: ['list', '--al'], status: 2, stderr: /^mfa-login: unknown option --al for list\n  hint: see: mfa-login list --help\n$/ },
  { name: 'a mistyped flag for mfa-env', bin: 'mfa-env', args: ['prod', '--shel', 'bash'], status: 2, stderr: /^mfa-env: unknown option --shel; did you mean --shell\?\n/ },
  { name: 'a missing profile for add', args: ['add'], status: 2, stderr: /^mfa-login: add needs a profile name\n/ },
  { name: 'a flag without its value', args: ['prod', '--to'], status: 2, stderr: /^mfa-login: --to needs a value\n/ },
  { name: 'a checked flag without its value, last', args: ['credential-process', 'prod', '--region'], status: 2, stderr: /^mfa-login: --region needs a value\n  hint: see: mfa-login credential-process --help\n$/ },
  { name: 'a checked flag without its value, before --', args: ['exec', 'prod', '--region', '--', 'true'], status: 2, stderr: /^mfa-login: --region needs a value\n/ },
  { name: 'a checked flag given as --port=', args: ['serve', 'prod', '--port='], status: 2, stderr: /^mfa-login: --port needs a value\n/ },
  { name: 'a checked flag with a wrong value is still said to be wrong', args: ['credential-process', 'prod', '--region', 'EU'], status: 2, stderr: /^mfa-login: --region "EU" is not an AWS region name\n/ },
  { name: 'an unknown completion shell', args: ['completion', 'tcsh'], status: 2, stderr: /^mfa-login: completion tcsh: tcsh is not a shell; use bash, zsh, fish, nu or nushell\n/ },
  { name: 'a credential_process profile to mfa-env', bin: 'mfa-env', config: `${GOOD}[profile prod-mfa]\ncredential_process = /usr/bin/node /usr/lib/node_modules/mfa-login/bin/mfa-login.js credential-process prod\n`, args: ['prod-mfa'], status: 3, stderr: /^mfa-env: profile prod-mfa is a credential_process profile for prod .*\n  hint: use the profile it stands for: mfa-env prod\n/ },
  { name: 'bare logout with no default profile', args: ['logout'], status: 3, stderr: /^mfa-login: no profile given, and profile default not found/ },
  { name: 'an unknown backend', args: ['prod'], env: { MFA_LOGIN_BACKEND: 'floppy' }, status: 2, stderr: /MFA_LOGIN_BACKEND="floppy" is not a secret store/ },
  { name: 'an unknown cache mode', args: ['prod', '--mfa-token', '123456'], env: { MFA_LOGIN_CACHE: 'floppy' }, status: 2, stderr: /MFA_LOGIN_CACHE=floppy is not a cache mode/ },
  { name: 'exec with no command', args: ['exec', 'prod'], status: 2, stderr: /no command to run/ },
  { name: 'exec inside exec', args: ['exec', 'prod', '--', 'true'], env: { MFA_LOGIN_PROFILE: 'prod' }, status: 2, stderr: /already inside "mfa-login exec prod"/ },
  { name: 'an unknown shell for mfa-env', bin: 'mfa-env', args: ['prod', '--shell', 'cmd.exe'], status: 2, stderr: /^mfa-env: --shell cmd\.exe is not a shell: use sh, bash, zsh, fish, powershell, pwsh, nu or nushell\n/ },
  { name: 'a key file asking for scrypt N=2^22 (minutes and GiB)', prepare: (s) => keyFileWith(s, 'big.enc', 'N', 2 ** 22), env: (s) => ({ MFA_LOGIN_FILE_STORE: s.file('big.enc') }), args: ['list'], status: 7, stderr: /cannot decrypt .*big\.enc: damaged file \(its scrypt parameters \(N=4194304, r=8, p=1\) are not ones mfa-login writes\)/ },
  { name: 'a key file asking for scrypt N=2', prepare: (s) => keyFileWith(s, 'tiny.enc', 'N', 2), env: (s) => ({ MFA_LOGIN_FILE_STORE: s.file('tiny.enc') }), args: ['list'], status: 7, stderr: /cannot decrypt .*tiny\.enc: damaged file \(its scrypt parameters \(N=2, r=8, p=1\)/ },
  { name: 'a key file asking for scrypt r=1024', prepare: (s) => keyFileWith(s, 'wide.enc', 'r', 1024), env: (s) => ({ MFA_LOGIN_FILE_STORE: s.file('wide.enc') }), args: ['list'], status: 7, stderr: /damaged file \(its scrypt parameters \(N=32768, r=1024, p=1\)/ },
  { name: 'a credentials file another process keeps locked', prepare: (s) => heldLock(s, '.aws/credentials'), env: { MFA_LOGIN_LOCK_TIMEOUT: '1', MFA_LOGIN_CACHE: 'file' }, args: ['alice', '--to', 'locked-out', '--mfa-token', 'CODE'], status: 8, stderr: /credentials is locked by another mfa-login( for \d+s)?; gave up waiting after 1s, nothing was changed\n  hint: the lock is freed the moment the other command ends/ },
  { name: 'a key file another process keeps locked', prepare: (s) => heldLock(s, '.config/mfa-login/keys.enc'), env: { MFA_LOGIN_LOCK_TIMEOUT: '1' }, args: ['add', 'z'], input: `${alice.accessKeyId}\n${alice.secretAccessKey}\n`, status: 8, stderr: /keys\.enc is locked by another mfa-login( for \d+s)?; gave up waiting/ },
  { name: 'policy with a bad account id', args: ['policy', '--account', '123'], status: 2, stderr: /--account 123 is not a 12-digit account id/ },
];

before(async () => {
  // Codes are not what the corpus is about: the STS takes one again, so no case waits for the next TOTP step.
  sb = await new Sandbox([alice]).start({ roles: [{ roleArn: ROLE, requireMfa: true }], allowCodeReuse: true });
  sb.write('.aws/config', GOOD);
  await sb.add('alice', alice);
});
after(async () => {
  endHolders();
  await sb.stop();
});

/**
 * Every file under HOME with its content hash, to prove nothing changed. The session cache is left
 * out: a session STS granted before a later step failed is kept, so the retry needs no new code.
 */
function snapshot(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (p.endsWith('/.cache/mfa-login')) continue;
    const st = lstatSync(p);
    if (st.isDirectory()) snapshot(p, out);
    else out.set(p, st.isSymbolicLink() ? `link ${p}` : createHash('sha256').update(readFileSync(p)).digest('hex') + ` ${st.mode} ${st.uid}`);
  }
  return out;
}

test(`the corpus has at least 40 broken inputs (${cases.length})`, () => {
  assert.ok(cases.length >= 40);
});

for (const c of cases) {
  test(`bad input: ${c.name}`, async () => {
    endHolders();
    rmSync(sb.file('.aws/credentials'), { force: true }); // a symlink left by an earlier case
    for (const lock of ['.aws/credentials.lock', '.config/mfa-login/keys.enc.lock']) rmSync(sb.file(lock), { force: true });
    sb.write('.aws/config', c.config ?? GOOD);
    sb.write('.aws/credentials', c.credentials ?? CREDS);
    c.prepare?.(sb);
    const args = await Promise.all(c.args.map(async (a) => (a === 'CODE' ? sb.code(alice) : a)));
    const before = snapshot(sb.home);
    const r = await sb.run(args, {
      ...(c.env ? { env: typeof c.env === 'function' ? c.env(sb) : c.env } : {}),
      ...(c.input !== undefined ? { input: c.input } : {}),
      ...(c.bin ? { bin: path.join(path.dirname(new URL(import.meta.url).pathname), '../../../bin/mfa-env.js') } : {}),
    });
    for (const line of r.stderr.split('\n').filter((l) => l.startsWith('  hint: '))) hints.push({ hint: line, config: c.config ?? GOOD, credentials: c.credentials ?? CREDS, from: c.name });
    assert.equal(r.status, c.status, `exit status; stderr: ${r.stderr}`);
    assert.match(r.stderr, c.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('  hint: ')), `one line and an optional hint:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.deepEqual([...snapshot(sb.home)].sort(), [...before].sort(), 'no file changed');
  });
}

test('every command a hint names parses as a command line of the CLI, with known commands and flags', async (t) => {
  assert.ok(hints.length >= 20, `the corpus printed ${hints.length} hints`);
  const checked: string[] = [];
  const { commands } = await cliVocabulary();
  for (const { hint, config } of hints) {
    for (const command of commandsIn(hint)) {
      const [tool, ...argv] = command.split(' ');
      const parsed = tool === 'mfa-env' ? await parseEnvArgs(argv, '0.0.0') : await parseArgs(argv, '0.0.0');
      const c = parsed.command;
      assert.ok(c.name !== 'help' || argv.includes('--help'), `${command} (from "${hint.trim()}") parses to help`);
      // `mfa-login WORD` logs in to WORD: it must be a profile of that config, or a placeholder.
      if (tool === 'mfa-login' && argv[0] !== undefined && !argv[0].startsWith('-') && !commands.includes(argv[0])) {
        assert.ok(/^[A-Z]+$/.test(argv[0]) || new RegExp(`^\\[(profile )?${argv[0]}\\]$`, 'm').test(config), `${command} (from "${hint.trim()}") names neither a command nor a profile`);
      }
      checked.push(command);
    }
  }
  t.diagnostic(`checked: ${checked.join(' | ')}`);
  assert.ok(checked.length >= 10, `checked ${checked.length} commands: ${checked.join(' | ')}`);
  // An unknown command or flag fails this parse, so the check above can fail.
  await assert.rejects(parseArgs(['lgoin', 'alice'], '0.0.0'), /unknown command lgoin/);
  await assert.rejects(parseArgs(['add', 'alice', '--frobnicate'], '0.0.0'), /unknown option --frobnicate/);
});

/**
 * Each command a hint names, run as printed in the sandbox the error came from (its config and
 * credentials files, the sandbox's environment), nothing substituted: it must not fail as a usage
 * error, an unknown command or flag, or an unknown profile. It may still fail for what it needs and
 * the test cannot give it (a terminal, keys typed in); templates (`mfa-login add PROFILE`) are
 * read by a person, not run, and are only parsed above.
 */
test('every command a hint names works as printed', async (t) => {
  endHolders();
  const ran: string[] = [];
  const templates: string[] = [];
  for (const { hint, config, credentials, from } of hints) {
    for (const command of commandsIn(hint)) {
      if (isTemplate(command)) {
        templates.push(command);
        continue;
      }
      rmSync(sb.file('.aws/credentials'), { force: true });
      sb.write('.aws/config', config);
      sb.write('.aws/credentials', credentials);
      const r = await runAsPrinted(sb, command);
      assert.equal(notAsPrinted(r), undefined, `${command} (from "${hint.trim()}", case "${from}") does not work as printed:\n${r.stderr}`);
      ran.push(`${command} -> ${r.killed ? 'still running' : `exit ${r.status}`}`);
    }
  }
  t.diagnostic(`ran: ${ran.join(' | ')}`);
  t.diagnostic(`templates, not run: ${[...new Set(templates)].join(' | ')}`);
  assert.ok(ran.length >= 10, `ran ${ran.length} commands`);
});

test('-h is --help, for both tools and for a command', async () => {
  for (const [parse, argv] of [[parseArgs, []], [parseArgs, ['status']], [parseEnvArgs, []]] as const) {
    const short = await parse([...argv, '-h'], '0.0.0');
    const long = await parse([...argv, '--help'], '0.0.0');
    assert.equal(short.command.name, 'help');
    assert.deepEqual(short, long);
  }
});
