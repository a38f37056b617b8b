import { MfaLoginError } from './errors.js';
import { isRegion } from './forms.js';

/**
 * Every setting mfa-login takes from the environment, derived once, here. Nothing else reads an
 * MFA_LOGIN_* or XDG_* variable: commands, the fast path and the stores take these values.
 * Pure: the environment, the home directory and the platform in, plain values out. Checking the
 * directories (ownership, mode, tmpfs) is I/O and happens where they are opened. Paths are put
 * together by hand (`under`), not with node:path: the cached path derives every setting, and
 * loading and first running node:path costs a fresh process about 0.2 ms.
 */
export type Env = Record<string, string | undefined>;

export const CACHE_MODES = ['runtime', 'agent', 'file', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export const BACKENDS = ['keychain', 'file'] as const;
export type Backend = (typeof BACKENDS)[number];

/** How long a caller waits for another one's lease before giving up: MFA_LOGIN_LOCK_TIMEOUT. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 300;
/** How long an agent with nothing to hold and nobody connected stays: MFA_LOGIN_AGENT_IDLE. */
export const DEFAULT_AGENT_IDLE_SECONDS = 60;
export const DEFAULT_MFA_PROCESS_TIMEOUT_SECONDS = 60;
/** One STS or IAM request, to connect and again to answer: MFA_LOGIN_STS_TIMEOUT. */
export const DEFAULT_STS_TIMEOUT_SECONDS = 30;

export interface Settings {
  cache: CacheSettings;
  /**
   * MFA_LOGIN_BACKEND: where keys are stored. Keys already stored are read and removed where they
   * are, as recorded when they were stored (secrets/key-stores.ts), whatever this says.
   */
  backend: Backend;
  /** True when MFA_LOGIN_BACKEND names the backend: keys stored again then move there. */
  backendChosen: boolean;
  /** The encrypted key file (MFA_LOGIN_FILE_STORE), used when backend is `file`. */
  keyFile: string;
  /** MFA_LOGIN_FILE_PASSPHRASE; never passed on to a child process. */
  keyFilePassphrase: string | undefined;
  lockTimeoutMs: number;
  agentIdleMs: number;
  mfaProcessTimeoutMs: number;
  console: ConsoleSettings;
  /** MFA_LOGIN_PROMPT: where a code is asked for when no flag or mfa_process gives one. */
  prompt: PromptChoice;
  /** TEST-ONLY: the MFA_LOGIN_TEST_* variables, read here and nowhere else (see TestHooks). */
  testHooks: TestHooks;
  keys: KeySettings;
  /** MFA_LOGIN_MFA_TOKEN: a code for scripts that keep it out of argv; --mfa-token wins over it. */
  mfaToken: string | undefined;
  /** MFA_LOGIN_STS_TIMEOUT: how long one STS or IAM request may take to connect, and to answer. */
  stsTimeoutMs: number;
}

/** `mfa-login console`: where sign-in tokens come from, and what opens a URL. */
export interface ConsoleSettings {
  /**
   * MFA_LOGIN_FEDERATION_ENDPOINT: the federation endpoint to use instead of the partition's
   * (https://signin.aws.amazon.com/federation and its GovCloud and China twins); for tests and
   * for proxies.
   */
  federationEndpoint: string | undefined;
  /** BROWSER, as other tools read it: a command (or several, `:`-separated) to open a URL with. */
  browser: string | undefined;
}

/** Access key age and rotation. */
export interface KeySettings {
  /** MFA_LOGIN_KEY_MAX_AGE_DAYS: status and doctor warn about a key older than this (default 90). */
  maxAgeDays: number;
  /**
   * What mfa-login remembers about each stored key that is not secret (its id and IAM's
   * CreateDate) and about a rotation in progress: `keys.json` beside the key file's default place.
   */
  infoFile: string;
}

export const DEFAULT_KEY_MAX_AGE_DAYS = 90;

export interface CacheSettings {
  mode: CacheMode;
  /** True when MFA_LOGIN_CACHE named the mode; false when it is the platform's default. */
  chosen: boolean;
  /**
   * The store's private directory: session files (runtime, file), lock files (every mode), and
   * the agent's socket (agent).
   */
  dir: string;
  /** Whether `dir` must be on a RAM-backed filesystem (tmpfs): the runtime mode's promise. */
  mustBeRam: boolean;
  /** The agent's socket, for `agent` mode (and for `logout` to find an agent left running). */
  socket: string;
  /** The runtime mode's directory and the file mode's, whatever the mode: logout clears both. */
  runtimeDir: string;
  persistentDir: string;
}

export interface Platform {
  os: NodeJS.Platform;
  uid: number | undefined;
}

/** The settings for an environment. Throws a usage error (exit 2) for a value that is not valid. */
export function settingsFrom(env: Env, homeDir: string, platform: Platform = { os: process.platform, uid: process.getuid?.() }): Settings {
  const os = platform.os;
  return {
    cache: cacheSettings(env, homeDir, platform),
    backend: oneOf(env, 'MFA_LOGIN_BACKEND', BACKENDS, 'keychain', (v) => `MFA_LOGIN_BACKEND=${JSON.stringify(v)} is not a secret store: use "keychain" or "file"`, 'unset MFA_LOGIN_BACKEND to keep keys in the OS keychain, or set MFA_LOGIN_BACKEND=file for an encrypted file'),
    backendChosen: nonEmpty(env.MFA_LOGIN_BACKEND) !== undefined,
    keyFile: keyFilePath(env, homeDir, os),
    keyFilePassphrase: nonEmpty(env.MFA_LOGIN_FILE_PASSPHRASE),
    lockTimeoutMs: seconds(env, 'MFA_LOGIN_LOCK_TIMEOUT', DEFAULT_LOCK_TIMEOUT_SECONDS),
    agentIdleMs: seconds(env, 'MFA_LOGIN_AGENT_IDLE', DEFAULT_AGENT_IDLE_SECONDS),
    mfaProcessTimeoutMs: seconds(env, 'MFA_LOGIN_MFA_PROCESS_TIMEOUT', DEFAULT_MFA_PROCESS_TIMEOUT_SECONDS),
    console: consoleSettings(env),
    prompt: promptChoice(env),
    testHooks: testHooks(env),
    keys: keySettings(env, homeDir, os),
    mfaToken: nonEmpty(env.MFA_LOGIN_MFA_TOKEN),
    stsTimeoutMs: seconds(env, 'MFA_LOGIN_STS_TIMEOUT', DEFAULT_STS_TIMEOUT_SECONDS),
  };
}

export function keySettings(env: Env, homeDir: string, os: NodeJS.Platform = process.platform): KeySettings {
  const raw = nonEmpty(env.MFA_LOGIN_KEY_MAX_AGE_DAYS);
  if (raw !== undefined && !/^\s*[1-9]\d*\s*$/.test(raw)) {
    throw new MfaLoginError('E_USAGE', `MFA_LOGIN_KEY_MAX_AGE_DAYS=${raw} is not a whole number of days`, { hint: `set it to a positive number of days, or unset it (default ${DEFAULT_KEY_MAX_AGE_DAYS})` });
  }
  return {
    maxAgeDays: raw === undefined ? DEFAULT_KEY_MAX_AGE_DAYS : Number(raw),
    infoFile: under(os, configDir(env, homeDir, os), 'keys.json'),
  };
}

export function consoleSettings(env: Env): ConsoleSettings {
  const endpoint = nonEmpty(env.MFA_LOGIN_FEDERATION_ENDPOINT);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
      throw new MfaLoginError('E_USAGE', `MFA_LOGIN_FEDERATION_ENDPOINT=${JSON.stringify(endpoint)} is not an http(s) URL without a query`, {
        hint: 'set it to a URL such as https://signin.aws.amazon.com/federation, or unset it to use the partition\'s own',
      });
    }
  }
  return { federationEndpoint: endpoint, browser: nonEmpty(env.BROWSER) };
}

// --- Region -------------------------------------------------------------------------------------

/**
 * Set beside the AWS_REGION and AWS_DEFAULT_REGION mfa-login hands out when the region is its own
 * choice (the profile's, or --region), to the same value: those two then hold mfa-login's region,
 * not the user's, and the next profile used from that shell or child (`mfa-use staging` after
 * `mfa-use prod`) gets its own region instead of keeping the last one's. A region variable that
 * differs from it was set by someone else: it is the user's.
 */
export const EXPORTED_REGION = 'MFA_LOGIN_EXPORTED_REGION';
const REGION_VARS = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/**
 * The user's own region in the environment, where the AWS CLI v2 looks: AWS_REGION, then
 * AWS_DEFAULT_REGION, passing over an empty one and one holding the region mfa-login set there
 * (EXPORTED_REGION). A value that is not a region name is refused where it is read: it reaches
 * URLs and shells.
 */
export function userRegion(env: Env): string | undefined {
  const ours = env[EXPORTED_REGION];
  for (const name of REGION_VARS) {
    const value = env[name];
    if (!value || value === ours) continue;
    if (isRegion(value)) return value;
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    throw new MfaLoginError('E_CONFIG', `${name}=${shown} is not an AWS region (lowercase letters, digits and dashes, like eu-west-1)`, { hint: `set ${name} to a region such as us-east-1, or unset it` });
  }
  return undefined;
}

/** What a profile's tools are given as their region (regionFor), and what it replaces. */
export interface RegionHandover {
  /** What AWS_REGION and AWS_DEFAULT_REGION are set to (botocore reads only the second, the JS SDK the first). */
  region?: string;
  /** The region is mfa-login's choice, not the user's: noted in EXPORTED_REGION. */
  ours?: boolean;
  /** The environment holds a region mfa-login set before: whatever is not set anew is unset. */
  clear?: boolean;
}

/**
 * The region handed to a profile's tools, in the AWS CLI v2's order: --region, then the user's
 * AWS_REGION or AWS_DEFAULT_REGION (userRegion), then the profile's region (`profileRegion`: its
 * own, else the nearest up its source_profile chain, config/chain.ts).
 */
export function regionFor(env: Env, profileRegion: string | undefined, flag?: string): RegionHandover {
  const clear = env[EXPORTED_REGION] !== undefined;
  if (flag !== undefined) return { region: flag, ours: true, clear };
  const users = userRegion(env);
  if (users !== undefined) return { region: users, ours: false, clear };
  return profileRegion !== undefined ? { region: profileRegion, ours: true, clear } : { clear };
}

/** The variables a handover sets (with a value) and unsets (undefined), in that order. */
export function regionVariables(h: RegionHandover): Array<[name: string, value: string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  if (h.region !== undefined) for (const name of REGION_VARS) out.push([name, h.region]);
  else if (h.clear) for (const name of REGION_VARS) out.push([name, undefined]);
  if (h.ours && h.region !== undefined) out.push([EXPORTED_REGION, h.region]);
  else if (h.clear) out.push([EXPORTED_REGION, undefined]);
  return out;
}

/** Applies a handover to the environment of a child we start. */
export function handRegion(childEnv: Env, h: RegionHandover): void {
  for (const [name, value] of regionVariables(h)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
}

/** `env` as --region leaves it: the region for STS as for everything else, and no longer ours to pass over. */
export function withRegion(env: Env, region: string): Env {
  return { ...env, AWS_REGION: region, AWS_DEFAULT_REGION: region, [EXPORTED_REGION]: undefined };
}

// --- Code prompts and the credential endpoint ---------------------------------------------------

/**
 * `auto` (the default) asks on the terminal when there is one, else through the first desktop
 * dialog that exists; the others name one way and only that one; `none` never prompts.
 */
export const PROMPTS = ['auto', 'terminal', 'zenity', 'kdialog', 'osascript', 'none'] as const;
export type PromptChoice = (typeof PROMPTS)[number];

export function promptChoice(env: Env): PromptChoice {
  return oneOf(env, 'MFA_LOGIN_PROMPT', PROMPTS, 'auto', (v) => `MFA_LOGIN_PROMPT=${JSON.stringify(v)} is not one of ${PROMPTS.join(', ')}`, 'use MFA_LOGIN_PROMPT=terminal, zenity, kdialog, osascript or none, or unset it to try the terminal, then a desktop dialog');
}

// --- Test hooks ---------------------------------------------------------------------------------

/**
 * TEST-ONLY, deliberately not in the README nor in --help: what the tests set to reach states a
 * user cannot reach on demand. Read here, once, into settings.testHooks: the code that honours a
 * hook takes it from there, so no other module reads an MFA_LOGIN_TEST_* variable, and a new hook
 * is added here or not at all. Nobody should set them for real use.
 */
export interface TestHooks {
  /**
   * MFA_LOGIN_TEST_PAUSE_AT: `rotate` stops at this named step and waits to be killed, so that
   * tests can interrupt it exactly there.
   */
  pauseAt: string | undefined;
  /**
   * MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS: the least validity a delivered session must have,
   * replacing the 15 minutes botocore needs (MIN_VALIDITY_MS). The long-run test of the credential
   * endpoint has the local STS issue role sessions of a few seconds and shrinks this to match, so
   * that renewals happen within a test's minute. For real use it would be harmful: a consumer
   * handed credentials with less than 15 minutes left refreshes at once, or fails.
   */
  minValidityMs: number | undefined;
  /**
   * MFA_LOGIN_TEST_WARNING_LEAD_SECONDS: how long before the MFA session ends `serve` and
   * `exec --server` warn, replacing the 10 minutes of EXPIRY_WARNING_LEAD_MS. GetSessionToken's
   * shortest session is 15 minutes; the tests take a 30-minute one and warn seconds after the start.
   */
  warningLeadMs: number | undefined;
  /**
   * The hooks' variables that are set, in the order of TEST_HOOK_VARIABLES. Each is harmful for
   * real use: the full CLI warns (testHookWarning), doctor says how to unset them, and the cached
   * path, which must not print, does not answer while any is set.
   */
  set: TestHookVariable[];
}

export const TEST_HOOK_VARIABLES = ['MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS', 'MFA_LOGIN_TEST_WARNING_LEAD_SECONDS', 'MFA_LOGIN_TEST_PAUSE_AT'] as const;
export type TestHookVariable = (typeof TEST_HOOK_VARIABLES)[number];

/** The one line the full CLI prints (once a run) while test hooks are set. */
export function testHookWarning(tool: string, set: readonly TestHookVariable[]): string {
  return `${tool}: warning: ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set, for mfa-login's own tests only: sessions, warnings or rotate do not behave as they should; unset ${set.join(' ')}\n`;
}

export function testHooks(env: Env): TestHooks {
  return {
    set: TEST_HOOK_VARIABLES.filter((v) => nonEmpty(env[v]) !== undefined),
    pauseAt: nonEmpty(env.MFA_LOGIN_TEST_PAUSE_AT),
    minValidityMs: nonEmpty(env.MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS) === undefined ? undefined : seconds(env, 'MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS', 900),
    warningLeadMs: nonEmpty(env.MFA_LOGIN_TEST_WARNING_LEAD_SECONDS) === undefined ? undefined : seconds(env, 'MFA_LOGIN_TEST_WARNING_LEAD_SECONDS', 600),
  };
}

/**
 * Where sessions are kept. On Linux the default is a private directory on a RAM-backed filesystem:
 * `$XDG_RUNTIME_DIR/mfa-login` when that variable is an absolute path (a relative one is ignored, as
 * the XDG specification says), else `/dev/shm/mfa-login-<uid>`. Elsewhere the default is the agent.
 */
export function cacheSettings(env: Env, homeDir: string, platform: Platform): CacheSettings {
  const raw = nonEmpty(env.MFA_LOGIN_CACHE);
  const mode = oneOf(env, 'MFA_LOGIN_CACHE', CACHE_MODES, platform.os === 'linux' ? 'runtime' : 'agent', (v) => `MFA_LOGIN_CACHE=${v} is not a cache mode`, 'use MFA_LOGIN_CACHE=runtime (the default on Linux), agent, file or none');
  const os = platform.os;
  const runtimeDir = absolute(env.XDG_RUNTIME_DIR, os);
  // A trailing slash would have lstat follow a link in its place (private-dir.ts checks with lstat).
  const chosenDir = nonEmpty(env.MFA_LOGIN_CACHE_DIR);
  const persistent = chosenDir !== undefined ? withoutTrailingSeparator(os, chosenDir) : under(os, absolute(env.XDG_CACHE_HOME, os) ?? under(os, homeDir, '.cache'), 'mfa-login');
  const ram = runtimeDir !== undefined ? under(os, runtimeDir, 'mfa-login') : `/dev/shm/mfa-login-${platform.uid ?? 'user'}`;
  // The agent's socket: in the runtime directory when there is one (where ssh-agent and gpg-agent
  // put theirs), else beside the file cache; on Windows a named pipe.
  const agentDir = runtimeDir !== undefined ? ram : persistent;
  const socket = os === 'win32' ? `\\\\.\\pipe\\mfa-login-${(env.USERNAME ?? 'user').replace(/[^\w.-]/g, '_')}` : under(os, agentDir, 'agent.sock');
  const dir = mode === 'runtime' ? ram : mode === 'agent' ? agentDir : persistent;
  return { mode, chosen: raw !== undefined, dir, mustBeRam: mode === 'runtime', socket, runtimeDir: ram, persistentDir: persistent };
}

function keyFilePath(env: Env, homeDir: string, os: NodeJS.Platform): string {
  const override = nonEmpty(env.MFA_LOGIN_FILE_STORE);
  if (override !== undefined) return absolute(override, os) ?? under(os, process.cwd(), withoutDotSlash(override, os));
  return defaultKeyFilePath(env, homeDir, os);
}

/** The key file's place when MFA_LOGIN_FILE_STORE names none: `${XDG_CONFIG_HOME:-~/.config}/mfa-login/keys.enc`. */
export function defaultKeyFilePath(env: Env, homeDir: string, os: NodeJS.Platform = process.platform): string {
  return under(os, configDir(env, homeDir, os), 'keys.enc');
}

/** mfa-login's own folder under the XDG config home, where the key file and the record of keys go. */
function configDir(env: Env, homeDir: string, os: NodeJS.Platform): string {
  return under(os, absolute(env.XDG_CONFIG_HOME, os) ?? under(os, homeDir, '.config'), 'mfa-login');
}

/** `./keys.enc` as `keys.enc`, so that the path shown is the one a user would write. */
function withoutDotSlash(value: string, os: NodeJS.Platform): string {
  let v = value;
  while (v.length > 2 && v[0] === '.' && (v[1] === '/' || (os === 'win32' && v[1] === '\\'))) v = v.slice(2);
  return v;
}

/** A duration setting in (possibly fractional) seconds, in milliseconds. */
export function seconds(env: Env, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackSeconds * 1000;
  const s = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(s) || s <= 0) {
    throw new MfaLoginError('E_USAGE', `${name}=${raw} is not a number of seconds`, { hint: `set ${name} to a positive number of seconds, or unset it (default ${fallbackSeconds})` });
  }
  return Math.round(s * 1000);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T, message: (value: string) => string, hint: string): T {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new MfaLoginError('E_USAGE', message(raw), { hint });
}

/** An empty variable counts as unset, the way `VAR= command` is commonly used to switch one off. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * `value` when it is an absolute path, else undefined. XDG base directories must be absolute; a
 * relative one is to be ignored (XDG Base Directory spec). On Windows: `C:\…`, `C:/…` or `\\…`.
 */
function absolute(value: string | undefined, os: NodeJS.Platform): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('/')) return value;
  if (os !== 'win32') return undefined;
  return value.startsWith('\\') || (value[1] === ':' && (value[2] === '\\' || value[2] === '/')) ? value : undefined;
}

/** `dir` without separators at its end (a root stays itself). */
function withoutTrailingSeparator(os: NodeJS.Platform, dir: string): string {
  const sep = os === 'win32' ? '\\' : '/';
  let end = dir.length;
  while (end > 1 && (dir[end - 1] === '/' || dir[end - 1] === sep)) end--;
  return dir.slice(0, end);
}

/** `names` below the directory `dir`, with the platform's separator and no doubled one. */
export function under(os: NodeJS.Platform, dir: string, ...names: string[]): string {
  const sep = os === 'win32' ? '\\' : '/';
  const base = withoutTrailingSeparator(os, dir);
  if (base === '') return names.join(sep);
  return `${base}${base.endsWith(sep) || base === '/' ? '' : sep}${names.join(sep)}`;
}
