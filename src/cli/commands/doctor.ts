import { onRam } from '../../session-store/private-dir.js';
import { isEntryFile } from '../../session-store/entry.js';
import { isRouteFile } from '../../session-store/route.js';
import { constants, promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import type { Deps } from '../../deps.js';
import { EXIT, MfaLoginError } from '../../errors.js';
import { resolveChain, stsSettings, type StsSettings } from '../../config/chain.js';
import { nearMisses } from '../../config/near-miss.js';
import { configHeaderFor, defaultProfileName, type ProfileSet } from '../../config/profiles.js';
import { stsTarget, stsUrl } from '../../sts/sts.js';
import { runChild } from '../../child-process.js';
import { lstatIfAny, openToOthers, tooOpenWarning, whyNotReplaceable } from '../../files/file-safety.js';
import { readProfiles, shortPath } from '../../session/profiles-io.js';
import { ageInDays, readKeyInfo } from '../../secrets/key-info.js';
import { deleteKeyCommand } from '../../session/iam-user.js';
import { splitCommand } from '../../config/split-command.js';

export { splitCommand };

type Level = 'ok' | 'warn' | 'FAIL';
/** Which part of the setup a finding is about; decides the exit status. */
type Area = 'keychain' | 'config' | 'keys' | 'clock' | 'cache' | 'hooks' | 'aws-cli';

export interface Finding {
  level: Level;
  area: Area;
  /** `key store: file ~/.config/mfa-login/keys.enc, keys for 2 profiles` */
  text: string;
  /** The command or change that fixes it. */
  fix?: string;
}

export interface DoctorOptions {
  isTty?: boolean;
  /** How long the clock check waits for STS. */
  clockTimeoutMs?: number;
}

/** More than this between our clock and STS's is a failure: sessions then look fresh when they are not. */
const MAX_SKEW_MS = 30_000;
const AWS_CLI_PATH = '/usr/bin/aws';

/**
 * `mfa-login doctor`: one line per check, each with its fix. The checks do not depend on one
 * another's success, except that the profile and credential_process checks need the config files
 * to parse. Returns the exit status:
 *
 * - 0 when nothing failed (warnings do not count);
 * - 7 (EXIT.keychain) when the key store is the only thing that failed;
 * - 3 (EXIT.config) when anything else failed: config files, profiles, credential_process hooks,
 *   the cache's permissions, the clock. These are all the machine's setup, which is what the
 *   config status stands for; the lines say which.
 */
export async function doctor(deps: Deps, options: DoctorOptions = {}): Promise<number> {
  const color = (options.isTty ?? process.stdout.isTTY === true) && !deps.env.NO_COLOR;
  // The two slow checks (a network round trip, starting the AWS CLI) run while the others do.
  const clock = guard(deps, 'clock', 'clock', () => checkClock(deps, options.clockTimeoutMs ?? 3000));
  const awsCli = guard(deps, 'aws-cli', 'AWS CLI', () => checkAwsCli(deps));

  const findings: Finding[] = [];
  const show = (list: Finding[]) => {
    for (const f of list) deps.stdout(formatFinding(f, color));
    findings.push(...list);
  };

  let stored: string[] | undefined;
  let storeName = 'the key store';
  show(
    await guard(deps, 'keychain', 'key store', async () => {
      const store = deps.secrets();
      storeName = `${store.backend} ${shortPath(deps, store.location)}`;
      try {
        stored = await store.list();
      } catch (e) {
        if (e instanceof MfaLoginError && e.code === 'E_MFA_NO_SOURCE') {
          throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', `${storeName} needs its passphrase and there is no terminal to ask on`, { hint: 'set MFA_LOGIN_FILE_PASSPHRASE, or run mfa-login doctor in a terminal' });
        }
        throw e;
      }
      return [ok('keychain', `key store: ${storeName} is readable, ${stored.length === 0 ? 'no keys stored yet' : `keys for ${count(stored.length, 'profile')}`}`)];
    }),
  );

  let files: ProfileSet | undefined;
  show(
    await guard(deps, 'config', 'config files', async () => {
      const read = await readProfiles(deps);
      files = read;
      const present = [read.configText !== undefined && shortPath(deps, read.configFile), read.credentialsText !== undefined && shortPath(deps, read.credentialsFile)].filter((x): x is string => x !== false);
      if (present.length === 0) {
        return [warn('config', `config files: neither ${shortPath(deps, read.configFile)} nor ${shortPath(deps, read.credentialsFile)} exists`, 'store an IAM user\'s keys and record its MFA device with: mfa-login add PROFILE')];
      }
      return [ok('config', `config files: ${present.join(' and ')} parse (${count(read.profiles.size, 'profile')})`), ...(await checkCredentialsFile(deps, read.credentialsFile))];
    }),
  );

  show(await guard(deps, 'config', 'profiles', async () => (files ? checkProfiles(deps, files, stored, storeName) : [notChecked('config', 'profiles')])));
  show(await guard(deps, 'config', 'regions', async () => (files ? checkRegions(deps, files) : [])));
  show(await guard(deps, 'keys', 'access keys', async () => (stored ? checkKeys(deps, stored) : [])));
  show(await clock);
  show(await guard(deps, 'cache', 'session cache', () => checkCache(deps)));
  show(await guard(deps, 'hooks', 'credential_process', async () => (files ? checkHooks(deps, files) : [notChecked('hooks', 'credential_process')])));
  show(await awsCli);

  const failed = findings.filter((f) => f.level === 'FAIL');
  const warned = findings.filter((f) => f.level === 'warn').length;
  if (failed.length === 0) {
    deps.stdout(`\nNo problems found${warned > 0 ? ` (${count(warned, 'warning')})` : ''}.\n`);
    return EXIT.ok;
  }
  deps.stdout(`\n${count(failed.length, 'check')} failed${warned > 0 ? `, ${count(warned, 'warning')}` : ''}.\n`);
  return failed.every((f) => f.area === 'keychain') ? EXIT.keychain : EXIT.config;
}

export function formatFinding(f: Finding, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const level = f.level === 'ok' ? paint('32', 'ok  ') : f.level === 'warn' ? paint('33', 'warn') : paint('31', 'FAIL');
  return `${level}  ${f.text}\n${f.fix ? `      fix: ${f.fix}\n` : ''}`;
}

/** Sessions written to the credentials file are bearer tokens: only its owner may read it. */
async function checkCredentialsFile(deps: Deps, file: string): Promise<Finding[]> {
  const st = await lstatIfAny(file);
  if (st === undefined || st.isSymbolicLink()) return [];
  const out: Finding[] = [];
  if (openToOthers(st)) out.push(warn('config', `credentials file: ${tooOpenWarning(shortPath(deps, file), st).replace(/; fix it with: .*$/, '')}`, `chmod 600 ${file}`));
  const why = whyNotReplaceable(file, st);
  if (why !== undefined) out.push(warn('config', `credentials file: mfa-login will not write ${shortPath(deps, file)}: ${why}`));
  return out;
}

/** Runs one check; whatever it throws becomes a FAIL line of its own, so the others still run. */
async function guard(deps: Deps, area: Area, what: string, check: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await check();
  } catch (e) {
    if (e instanceof MfaLoginError) e = new MfaLoginError(e.code, tilde(deps, e.message), e.hint === undefined ? {} : { hint: tilde(deps, e.hint) });
    if (e instanceof MfaLoginError) return [fail(area, `${what}: ${e.message}`, e.hint ?? (e.code === 'E_CONFIG_SYNTAX' || e.code === 'E_FILE' ? 'correct that line or file: mfa-login reads them as strictly as the AWS CLI does' : 'see the message above'))];
    return [fail(area, `${what}: unexpected error: ${(e as Error)?.message ?? String(e)}`, 'run mfa-login doctor --debug, and report it if it persists')];
  }
}

/** Every profile that takes part in a chain resolves, with a well-formed mfa_serial, and its source has keys. */
function checkProfiles(deps: Deps, files: ProfileSet, stored: string[] | undefined, storeName: string): Finding[] {
  const out: Finding[] = [];
  const resolved: string[] = [];
  const sources = new Map<string, string[]>();
  for (const [name, p] of [...files.profiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p.settings.role_arn === undefined && p.settings.mfa_serial === undefined) continue;
    try {
      const plan = resolveChain(files, name);
      resolved.push(name);
      sources.set(plan.source.profile, [...(sources.get(plan.source.profile) ?? []), name]);
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      out.push(fail('config', `profile ${name}: ${tilde(deps, e.message)}`, tilde(deps, e.hint ?? `fix [${configHeaderFor(name)}] in ${shortPath(deps, files.configFile)}`)));
    }
  }
  if (resolved.length > 0) out.unshift(ok('config', `profiles: ${resolved.length === 1 ? 'the chain of' : `${resolved.length} chains resolve:`} ${resolved.join(', ')}${resolved.length === 1 ? ' resolves' : ''}`));
  else if (out.length === 0) out.push(ok('config', 'profiles: none has role_arn or mfa_serial yet'));
  for (const w of nearMisses([...files.profiles.values()])) {
    const meant = / did you mean (\S+)\?$/.exec(w)?.[1];
    out.push(warn('config', `profile settings: ${tilde(deps, w)}`, meant ? `rename the key to ${meant}, or remove it` : undefined));
  }
  if (stored !== undefined) {
    for (const [source, users] of sources) {
      if (stored.includes(source)) continue;
      const inCredentials = files.profiles.get(source)?.settings.aws_access_key_id !== undefined;
      out.push(
        warn(
          'config',
          `profile ${source}: no keys stored in ${storeName} (used by ${users.join(', ')})`,
          inCredentials ? `move its keys from ${shortPath(deps, files.credentialsFile)} into the key store: mfa-login add ${source} --import` : `mfa-login add ${source}`,
        ),
      );
    }
  }
  return out;
}

/**
 * Every role profile has a region, its own or the nearest up its source_profile chain (what login
 * writes into the profile it writes). Without one, `aws --profile` refuses that profile ("You must
 * specify a region") wherever the environment names none. A warning: AWS_REGION may be how the
 * user means to give it. Profiles that do not resolve are the profiles check's to report.
 */
function checkRegions(deps: Deps, files: ProfileSet): Finding[] {
  const roles = [...files.profiles.values()].filter((p) => p.settings.role_arn !== undefined).map((p) => p.name).sort();
  const resolved: string[] = [];
  const missing: string[] = [];
  for (const name of roles) {
    let region: string | undefined;
    try {
      region = resolveChain(files, name).region;
    } catch {
      continue;
    }
    resolved.push(name);
    if (region === undefined) missing.push(name);
  }
  if (resolved.length === 0) return [];
  if (missing.length === 0) return [ok('config', `regions: every role profile has one (${resolved.join(', ')})`)];
  const one = missing.length === 1;
  return [
    warn(
      'config',
      `regions: ${missing.join(', ')} ${one ? 'has' : 'have'} no region, nor ${one ? 'does any profile up its' : 'do the profiles up their'} source_profile chain: "aws --profile" fails with "You must specify a region" for the session${one ? '' : 's'} mfa-login writes for ${one ? 'it' : 'them'} wherever AWS_REGION is not set`,
      `add region = REGION to ${missing.map((n) => `[${configHeaderFor(n)}]`).join(', ')} in ${shortPath(deps, files.configFile)}`,
    ),
  ];
}

/**
 * Each stored key's age (from what add and rotate remembered; no network), and what an interrupted
 * rotate left behind, with the command that cleans it up.
 */
async function checkKeys(deps: Deps, stored: string[]): Promise<Finding[]> {
  const info = await readKeyInfo(deps);
  const { maxAgeDays } = deps.settings.keys;
  const out: Finding[] = [];
  for (const profile of stored) {
    const k = info.keys[profile];
    if (k === undefined) {
      out.push(ok('keys', `key age: ${profile}: unknown (IAM's CreateDate is learnt when the key is added with permission to list keys, or rotated)`));
      continue;
    }
    const days = ageInDays(k.created, deps.now());
    if (days > maxAgeDays) out.push(warn('keys', `key age: ${profile}: ${k.accessKeyId} is ${days} days old, more than ${maxAgeDays} (MFA_LOGIN_KEY_MAX_AGE_DAYS)`, `mfa-login rotate ${profile}`));
    else out.push(ok('keys', `key age: ${profile}: ${k.accessKeyId} is ${days} days old`));
  }
  for (const [profile, r] of Object.entries(info.rotations)) {
    if (r.stage === 'stored') {
      out.push(warn('keys', `rotate ${profile} was interrupted after storing the new key ${r.newKeyId}: the old key ${r.oldKeyId} may still be in IAM`, `mfa-login rotate ${profile}  (deletes ${r.oldKeyId} and finishes)`));
    } else if (r.stage === 'created') {
      out.push(warn('keys', `rotate ${profile} was interrupted after IAM created ${r.newKeyId}, before it was stored: the stored key ${r.oldKeyId} still works, and ${r.newKeyId} is left in IAM`, deleteKeyCommand(profile, r.newKeyId!, r.userName)));
    } else {
      out.push(warn('keys', `rotate ${profile} was interrupted while IAM was creating a new key: the stored key ${r.oldKeyId} still works; IAM may hold a second key`, `mfa-login rotate ${profile}  (lists the keys and names any to delete)`));
    }
  }
  return out;
}

/**
 * Our clock against STS's, from the Date header of one unauthenticated request (STS answers it
 * with an error, and the header, without any credentials). AWS refuses signatures more than
 * 5 minutes off, and a skewed clock makes cached sessions look valid when STS says they expired.
 */
async function checkClock(deps: Deps, timeoutMs: number): Promise<Finding[]> {
  const endpoint = stsUrl(stsTarget(await defaultProfileSts(deps), deps.env));
  const t0 = deps.now().getTime();
  let date: string | undefined;
  try {
    date = await dateHeader(endpoint, timeoutMs);
  } catch (e) {
    return [warn('clock', `clock: not checked, STS at ${endpoint} cannot be reached (${(e as Error).message})`, 'check the network or proxy; AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL choose another endpoint')];
  }
  const t1 = deps.now().getTime();
  const server = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(server)) return [warn('clock', `clock: not checked, ${endpoint} sent no usable Date header`)];
  // The header has whole seconds: the server's clock read somewhere in [server, server + 1 s).
  const skew = server + 500 - (t0 + t1) / 2;
  const size = formatSeconds(Math.abs(skew));
  if (Math.abs(skew) <= MAX_SKEW_MS) return [ok('clock', `clock: within ${Math.abs(skew) < 1500 ? '1 s' : size} of STS at ${endpoint}`)];
  return [
    fail(
      'clock',
      `clock: this machine is ${size} ${skew > 0 ? 'behind' : 'ahead of'} STS at ${endpoint} (more than ${MAX_SKEW_MS / 1000} s); AWS refuses requests beyond 5 min and session expiry is misjudged`,
      'enable time synchronisation (NTP): sudo timedatectl set-ntp true',
    ),
  ];
}

/**
 * The STS settings of the profile commands use by default ($AWS_PROFILE, else default), so the
 * clock is checked against the endpoint they call (FIPS, regional, endpoint_url); none when the
 * files do not parse, which the config check reports on its own.
 */
async function defaultProfileSts(deps: Deps): Promise<StsSettings> {
  try {
    const p = (await readProfiles(deps)).profiles.get(defaultProfileName(deps.env));
    return p ? stsSettings(p) : {};
  } catch {
    return {};
  }
}

/** The Date header of a HEAD request to `url`; no redirect is followed, no credentials are sent. */
function dateHeader(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('not a URL'));
      return;
    }
    const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(target, { method: 'HEAD', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.headers.date);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sessions are bearer credentials: the cache directory must be the user's alone (0700, files 0600). */
async function checkCache(deps: Deps): Promise<Finding[]> {
  const cache = deps.cache();
  if (cache.mode === 'none') return [ok('cache', `session cache: off (${cache.location}); every command asks STS, and for a code`)];
  if (cache.mode === 'agent') return [ok('cache', `session cache: agent, ${shortPath(deps, cache.location)}`)];
  const dir = cache.location;
  const shown = shortPath(deps, dir);
  let st;
  try {
    st = await fs.stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [ok('cache', `session cache: ${shown} does not exist yet (no session cached)`)];
    throw new MfaLoginError('E_FILE', `cannot read ${dir}: ${(e as Error).message}`);
  }
  const out: Finding[] = [];
  const uid = process.getuid?.();
  if (!st.isDirectory()) return [fail('cache', `session cache: ${shown} is not a directory`, `remove it: rm ${dir}`)];
  if (uid !== undefined && st.uid !== uid) out.push(fail('cache', `session cache: ${shown} belongs to uid ${st.uid}, not to you (uid ${uid})`, `chown -R ${uid} ${dir}`));
  if ((st.mode & 0o077) !== 0) {
    out.push(fail('cache', `session cache: ${shown} is ${octal(st.mode)}, so other users can enter it; it must be 0700`, `chmod 700 ${dir}`));
  }
  // Sessions, and the routes to them (which hold no secret, but are ours alone all the same).
  const ours = (await fs.readdir(dir)).filter((f) => isEntryFile(f) || isRouteFile(f));
  const names = ours.filter(isEntryFile);
  const open: string[] = [];
  for (const f of ours) {
    const s = await fs.stat(path.join(dir, f)).catch(() => undefined);
    if (s !== undefined && (s.mode & 0o077) !== 0) open.push(f);
  }
  if (open.length > 0) {
    out.push(fail('cache', `session cache: ${count(open.length, 'session file')} in ${shown} can be read by others (e.g. ${open[0]} is ${octal((await fs.stat(path.join(dir, open[0]!))).mode)}); they must be 0600`, `chmod 600 ${dir}/*.json`));
  }
  if (cache.mode === 'runtime' && !onRam(dir)) out.push(fail('cache', `session cache: ${shown} is not on a RAM-backed filesystem (tmpfs)`, 'point XDG_RUNTIME_DIR at a tmpfs directory of yours, or use MFA_LOGIN_CACHE=file'));
  if (out.length === 0) out.push(ok('cache', `session cache: ${shown} is 0700${cache.mode === 'runtime' ? ' on tmpfs' : ''}, ${count(names.length, 'session file')} 0600`));
  return out;
}

/**
 * The credential_process lines that call mfa-login: AWS tools run them with their own PATH, so the
 * program (and the script, when the program is node) must be absolute paths that exist, and the
 * profile handed to `credential-process` must resolve.
 */
async function checkHooks(deps: Deps, files: ProfileSet): Promise<Finding[]> {
  const out: Finding[] = [];
  let checked = 0;
  for (const [name, p] of files.profiles) {
    const command = p.settings.credential_process;
    if (command === undefined || !command.includes('mfa-login')) continue;
    checked++;
    const where = `credential_process of [${configHeaderFor(name)}] (${tilde(deps, p.where.credential_process ?? '')})`;
    const words = splitCommand(command);
    const i = words.indexOf('credential-process');
    const target = i >= 0 ? words[i + 1] : undefined;
    const redo = target ? `mfa-login setup ${target} --name ${name}` : `mfa-login setup PROFILE --name ${name}`;
    const program = words[0] ?? '';
    const files_ = isNode(program) ? [program, words[1] ?? ''] : [program];
    let problem: string | undefined;
    for (const [k, f] of files_.entries()) {
      problem = await pathProblem(f, k === 0);
      if (problem !== undefined) {
        problem = `${JSON.stringify(f)} ${problem}`;
        break;
      }
    }
    if (problem !== undefined) {
      out.push(fail('hooks', `${where}: ${problem}`, `rewrite it with the paths of this installation: ${redo}`));
      continue;
    }
    if (target === undefined) {
      out.push(fail('hooks', `${where} does not name a profile after credential-process`, redo));
      continue;
    }
    try {
      resolveChain(files, target);
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      out.push(fail('hooks', `${where} names profile ${target}, which does not resolve: ${tilde(deps, e.message)}`, tilde(deps, e.hint ?? `fix [${configHeaderFor(target)}]`)));
      continue;
    }
    out.push(ok('hooks', `credential_process: [${configHeaderFor(name)}] runs ${files_.join(' ')} for ${target}`));
  }
  if (checked === 0) out.push(ok('hooks', 'credential_process: no profile calls mfa-login (mfa-login setup PROFILE adds one)'));
  return out;
}

/** Why `file` cannot be run by an AWS tool, or undefined when it can. */
async function pathProblem(file: string, mustExecute: boolean): Promise<string | undefined> {
  if (file === '') return 'is missing';
  if (!path.isAbsolute(file)) return 'is not an absolute path; AWS tools run credential_process with their own PATH and working directory';
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return 'is not a file';
    await fs.access(file, mustExecute ? constants.X_OK : constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : mustExecute ? 'is not executable' : 'cannot be read';
  }
  return undefined;
}

function isNode(program: string): boolean {
  return /^node(js)?(\d+(\.\d+)*)?$/.test(path.basename(program));
}

/**
 * The AWS CLI the user has: /usr/bin/aws (where Debian's awscli package puts v2), else `aws` on
 * PATH. v1 works with credential_process too but lacks what v2 added since (SSO, endpoint
 * variables), so it is a warning. When `aws` on PATH is another, v1 install, that is said too:
 * it is the one a user typing `aws` gets.
 */
async function checkAwsCli(deps: Deps): Promise<Finding[]> {
  const onPath = await findOnPath('aws', deps.env.PATH ?? '');
  const primary = (await isExecutable(AWS_CLI_PATH)) ? AWS_CLI_PATH : onPath;
  if (primary === undefined) {
    return [warn('aws-cli', 'AWS CLI: not found (/usr/bin/aws, or aws on PATH)', 'install the AWS CLI v2 (Debian: apt-get install awscli; else https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)')];
  }
  const other = onPath !== undefined && primary !== onPath && (await realpath(onPath)) !== (await realpath(primary)) ? onPath : undefined;
  const [main, second] = await Promise.all([awsVersion(deps, primary), other ? awsVersion(deps, other) : Promise.resolve(undefined)]);
  const out: Finding[] = [describeCli(primary, main)];
  if (other !== undefined && second !== undefined && 'major' in second && second.major === 1) {
    out.push(warn('aws-cli', `AWS CLI: aws on PATH is ${other}, version ${second.version} (v1), not ${primary}`, `put the directory of ${primary} first on PATH, or uninstall the v1 CLI (pip uninstall awscli)`));
  }
  return out;
}

function describeCli(file: string, v: CliVersion): Finding {
  if ('error' in v) return warn('aws-cli', `AWS CLI: ${file} --version did not report a version: ${v.error}`, 'if the message is about ~/.aws/config, fix that (see above); else reinstall the AWS CLI v2');
  if (v.major === 1) return warn('aws-cli', `AWS CLI v1 found (${v.version} at ${file}); v2 recommended`, 'install the AWS CLI v2 (Debian: apt-get install awscli; else https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)');
  return ok('aws-cli', `AWS CLI: ${v.version} at ${file}`);
}

type CliVersion = { version: string; major: number } | { error: string };

function awsVersion(deps: Deps, file: string): Promise<CliVersion> {
  return new Promise((resolve) => {
    void runChild(file, ['--version'], { timeoutMs: 15_000, env: { ...deps.env, AWS_PAGER: '' } }).then(({ status, stdout, stderr, error }) => {
      // v1 printed its version on stderr until Python 3.4 made argparse use stdout.
      const m = /aws-cli\/((\d+)\.\S+)/.exec(`${stdout}\n${stderr}`);
      if (m) resolve({ version: m[1]!, major: Number(m[2]) });
      else resolve({ error: (stderr.trim().split('\n').pop() || (error === 'timeout' ? 'no answer within 15 s' : error ?? (status !== 0 ? `exit status ${status}` : 'no output'))).slice(0, 200) });
    });
  });
}

async function findOnPath(program: string, PATH: string): Promise<string | undefined> {
  for (const dir of PATH.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, program);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await fs.stat(file)).isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function realpath(file: string): Promise<string> {
  return fs.realpath(file).catch(() => file);
}

function ok(area: Area, text: string): Finding {
  return { level: 'ok', area, text };
}
function warn(area: Area, text: string, fix?: string): Finding {
  return fix === undefined ? { level: 'warn', area, text } : { level: 'warn', area, text, fix };
}
function fail(area: Area, text: string, fix: string): Finding {
  return { level: 'FAIL', area, text, fix };
}
function notChecked(area: Area, what: string): Finding {
  return warn(area, `${what}: not checked, the config files do not parse (see above)`);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Paths under the home directory as ~/..., in messages that carry them. */
function tilde(deps: Deps, text: string): string {
  return text.replaceAll(`${deps.homeDir}/`, '~/');
}
