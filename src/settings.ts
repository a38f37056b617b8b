import path from 'node:path';
import { MfaLoginError } from './errors.js';

/**
 * Every setting mfa-login takes from the environment, derived once, here. Nothing else reads an
 * MFA_LOGIN_* or XDG_* variable: commands, the fast path and the stores take these values.
 * Pure: the environment, the home directory and the platform in, plain values out. Checking the
 * directories (ownership, mode, tmpfs) is I/O and happens where they are opened.
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
  backend: Backend;
  /** The encrypted key file (MFA_LOGIN_FILE_STORE), used when backend is `file`. */
  keyFile: string;
  /** MFA_LOGIN_FILE_PASSPHRASE; never passed on to a child process. */
  keyFilePassphrase: string | undefined;
  lockTimeoutMs: number;
  agentIdleMs: number;
  mfaProcessTimeoutMs: number;
  /** MFA_LOGIN_MFA_TOKEN: a code for scripts that keep it out of argv; --mfa-token wins over it. */
  mfaToken: string | undefined;
  /** MFA_LOGIN_STS_TIMEOUT: how long one STS or IAM request may take to connect, and to answer. */
  stsTimeoutMs: number;
}

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
}

export interface Platform {
  os: NodeJS.Platform;
  uid: number | undefined;
}

/** The settings for an environment. Throws a usage error (exit 2) for a value that is not valid. */
export function settingsFrom(env: Env, homeDir: string, platform: Platform = { os: process.platform, uid: process.getuid?.() }): Settings {
  return {
    cache: cacheSettings(env, homeDir, platform),
    backend: oneOf(env, 'MFA_LOGIN_BACKEND', BACKENDS, 'keychain', 'unset MFA_LOGIN_BACKEND to keep keys in the OS keychain, or set MFA_LOGIN_BACKEND=file for an encrypted file'),
    keyFile: keyFilePath(env, homeDir),
    keyFilePassphrase: nonEmpty(env.MFA_LOGIN_FILE_PASSPHRASE),
    lockTimeoutMs: seconds(env, 'MFA_LOGIN_LOCK_TIMEOUT', DEFAULT_LOCK_TIMEOUT_SECONDS),
    agentIdleMs: seconds(env, 'MFA_LOGIN_AGENT_IDLE', DEFAULT_AGENT_IDLE_SECONDS),
    mfaProcessTimeoutMs: seconds(env, 'MFA_LOGIN_MFA_PROCESS_TIMEOUT', DEFAULT_MFA_PROCESS_TIMEOUT_SECONDS),
    mfaToken: nonEmpty(env.MFA_LOGIN_MFA_TOKEN),
    stsTimeoutMs: seconds(env, 'MFA_LOGIN_STS_TIMEOUT', DEFAULT_STS_TIMEOUT_SECONDS),
  };
}

/**
 * Where sessions are kept. On Linux the default is a private directory on a RAM-backed filesystem:
 * `$XDG_RUNTIME_DIR/mfa-login` when that variable is an absolute path (a relative one is ignored, as
 * the XDG specification says), else `/dev/shm/mfa-login-<uid>`. Elsewhere the default is the agent.
 */
export function cacheSettings(env: Env, homeDir: string, platform: Platform): CacheSettings {
  const raw = nonEmpty(env.MFA_LOGIN_CACHE);
  const mode = oneOf(env, 'MFA_LOGIN_CACHE', CACHE_MODES, platform.os === 'linux' ? 'runtime' : 'agent', 'use MFA_LOGIN_CACHE=runtime (the default on Linux), agent, file or none');
  const runtimeDir = absolute(env.XDG_RUNTIME_DIR);
  const persistent = nonEmpty(env.MFA_LOGIN_CACHE_DIR) ?? path.join(absolute(env.XDG_CACHE_HOME) ?? path.join(homeDir, '.cache'), 'mfa-login');
  let dir: string;
  if (mode === 'runtime') dir = runtimeDir !== undefined ? path.join(runtimeDir, 'mfa-login') : `/dev/shm/mfa-login-${platform.uid ?? 'user'}`;
  else if (mode === 'agent') dir = runtimeDir !== undefined ? path.join(runtimeDir, 'mfa-login') : persistent;
  else dir = persistent;
  const socket = platform.os === 'win32' ? `\\\\.\\pipe\\mfa-login-${(env.USERNAME ?? 'user').replace(/[^\w.-]/g, '_')}` : path.join(mode === 'agent' ? dir : runtimeDir !== undefined ? path.join(runtimeDir, 'mfa-login') : persistent, 'agent.sock');
  return { mode, chosen: raw !== undefined, dir, mustBeRam: mode === 'runtime', socket };
}

function keyFilePath(env: Env, homeDir: string): string {
  const override = nonEmpty(env.MFA_LOGIN_FILE_STORE);
  if (override !== undefined) return path.resolve(override);
  return path.join(absolute(env.XDG_CONFIG_HOME) ?? path.join(homeDir, '.config'), 'mfa-login', 'keys.enc');
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

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T, hint: string): T {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new MfaLoginError('E_USAGE', `${name}=${JSON.stringify(raw)} is not one of ${values.join(', ')}`, { hint });
}

/** An empty variable counts as unset, the way `VAR= command` is commonly used to switch one off. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** XDG base directories must be absolute; a relative one is to be ignored (XDG Base Directory spec). */
function absolute(value: string | undefined): string | undefined {
  return value !== undefined && path.isAbsolute(value) ? value : undefined;
}
