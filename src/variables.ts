/**
 * Every environment variable a user may meet, in one line each, and which of them each command
 * reads: what `--help` shows under "Environment" (cli/args.ts) and what README.md's Environment
 * table says at length. Kept out of settings.ts, which derives the settings from them and which the
 * cached path loads on every call.
 */
import { BACKENDS, CACHE_MODES, DEFAULT_AGENT_IDLE_SECONDS, DEFAULT_KEY_MAX_AGE_DAYS, DEFAULT_LOCK_TIMEOUT_SECONDS, DEFAULT_MFA_PROCESS_TIMEOUT_SECONDS, DEFAULT_STS_TIMEOUT_SECONDS, EXPORTED_REGION, PROMPTS } from './settings.js';

/** Every variable a user may meet. The test-only ones (MFA_LOGIN_TEST_*, TestHooks) are left out on purpose. */
export const VARIABLES = {
  AWS_PROFILE: 'the profile when none is named (else "default")',
  AWS_CONFIG_FILE: 'the AWS config file (default ~/.aws/config)',
  AWS_SHARED_CREDENTIALS_FILE: 'the AWS credentials file (default ~/.aws/credentials)',
  AWS_REGION: 'the region, over the profile\'s (then AWS_DEFAULT_REGION); --region wins over both',
  AWS_DEFAULT_REGION: 'the region when AWS_REGION is not set',
  [EXPORTED_REGION]: 'set beside a region mfa-login picked: AWS_REGION of that value is not taken as yours',
  AWS_ENDPOINT_URL_STS: 'STS at another URL; AWS_ENDPOINT_URL, AWS_USE_FIPS_ENDPOINT and AWS_STS_REGIONAL_ENDPOINTS as for the SDKs',
  MFA_LOGIN_STS_TIMEOUT: `seconds one STS or IAM call may take (default ${DEFAULT_STS_TIMEOUT_SECONDS})`,
  MFA_LOGIN_BACKEND: `where long-term keys are kept: ${BACKENDS.join(' (default) or ')}`,
  MFA_LOGIN_FILE_STORE: 'the encrypted key file (default ${XDG_CONFIG_HOME:-~/.config}/mfa-login/keys.enc)',
  MFA_LOGIN_FILE_PASSPHRASE: 'the key file\'s passphrase, for unattended use (else asked on the terminal)',
  MFA_LOGIN_CACHE: `where sessions are kept: ${CACHE_MODES.join(', ')} (default runtime on Linux, else agent)`,
  MFA_LOGIN_CACHE_DIR: 'the file mode\'s directory (default ${XDG_CACHE_HOME:-~/.cache}/mfa-login)',
  XDG_RUNTIME_DIR: 'where the runtime mode\'s directory and the agent\'s socket go (else /dev/shm)',
  MFA_LOGIN_LOCK_TIMEOUT: `seconds to wait for another process getting the same session or editing the same file (default ${DEFAULT_LOCK_TIMEOUT_SECONDS})`,
  MFA_LOGIN_AGENT_IDLE: `seconds the agent stays with no session and no caller (default ${DEFAULT_AGENT_IDLE_SECONDS})`,
  MFA_LOGIN_MFA_TOKEN: 'the 6-digit code, kept out of argv (--mfa-token wins over it)',
  MFA_LOGIN_PROMPT: `where a code is asked for: ${PROMPTS.filter((p) => p !== 'auto').join(', ')} (default: the terminal, else a desktop dialog)`,
  MFA_LOGIN_MFA_PROCESS_TIMEOUT: `seconds mfa_process may take (default ${DEFAULT_MFA_PROCESS_TIMEOUT_SECONDS})`,
  AWS_ACCESS_KEY_ID: 'with --from-env: the access key id to store (AWS_SECRET_ACCESS_KEY: its secret)',
  SHELL: 'the shell to print for when the parent process does not say (--shell wins)',
  MFA_LOGIN_SAVED: 'set by the first export into a shell: the region and profile --unset gives back',
  MFA_LOGIN_PROFILE: 'set by exec in its command\'s environment: exec inside it is refused (--allow-nested), and mfa-env --unset takes out the credentials exec gave',
  MFA_LOGIN_FEDERATION_ENDPOINT: 'the federation endpoint for the sign-in (default: the partition\'s)',
  BROWSER: 'the command that opens the sign-in URL',
  MFA_LOGIN_KEY_MAX_AGE_DAYS: `warn about a stored key older than this many days (default ${DEFAULT_KEY_MAX_AGE_DAYS})`,
  NO_COLOR: 'plain text, no colour',
  TMPDIR: 'where the demo makes its throw-away HOME',
} as const satisfies Record<string, string>;
export type Variable = keyof typeof VARIABLES;

const FILES: Variable[] = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];
const STS: Variable[] = ['AWS_REGION', 'AWS_DEFAULT_REGION', EXPORTED_REGION, 'AWS_ENDPOINT_URL_STS', 'MFA_LOGIN_STS_TIMEOUT'];
const KEYS: Variable[] = ['MFA_LOGIN_BACKEND', 'MFA_LOGIN_FILE_STORE', 'MFA_LOGIN_FILE_PASSPHRASE'];
const SESSIONS: Variable[] = ['MFA_LOGIN_CACHE', 'MFA_LOGIN_CACHE_DIR', 'XDG_RUNTIME_DIR', 'MFA_LOGIN_LOCK_TIMEOUT'];
const CODE: Variable[] = ['MFA_LOGIN_MFA_TOKEN', 'MFA_LOGIN_PROMPT', 'MFA_LOGIN_MFA_PROCESS_TIMEOUT'];
/** Everything getting a profile's session reads. */
const SESSION_FOR: Variable[] = [...FILES, ...STS, ...KEYS, ...SESSIONS, ...CODE];

/**
 * What each command reads, by its name on the command line (`env` is mfa-env; `mfa-login` the
 * overview of `mfa-login --help`). A command missing here reads none of them.
 */
export const READ_BY: Readonly<Record<string, readonly Variable[]>> = {
  'mfa-login': ['AWS_PROFILE', ...FILES, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'MFA_LOGIN_BACKEND', 'MFA_LOGIN_CACHE'],
  login: ['AWS_PROFILE', ...SESSION_FOR],
  add: [...FILES, ...STS, ...KEYS, ...SESSIONS, 'AWS_ACCESS_KEY_ID'],
  remove: [...FILES, ...KEYS, ...SESSIONS],
  list: KEYS,
  logout: ['AWS_PROFILE', ...FILES, ...SESSIONS],
  'credential-process': SESSION_FOR,
  session: ['AWS_PROFILE', ...SESSION_FOR],
  exec: [...SESSION_FOR, 'MFA_LOGIN_PROFILE'],
  serve: ['AWS_PROFILE', ...SESSION_FOR, 'SHELL'],
  setup: [...FILES, 'MFA_LOGIN_LOCK_TIMEOUT'],
  console: ['AWS_PROFILE', ...SESSION_FOR, 'MFA_LOGIN_FEDERATION_ENDPOINT', 'BROWSER'],
  profiles: FILES,
  status: [...FILES, ...KEYS, ...SESSIONS, 'MFA_LOGIN_KEY_MAX_AGE_DAYS', 'NO_COLOR'],
  doctor: [...FILES, ...STS, ...KEYS, ...SESSIONS, 'MFA_LOGIN_KEY_MAX_AGE_DAYS'],
  policy: FILES,
  demo: ['TMPDIR', 'NO_COLOR'],
  agent: [...SESSIONS, 'MFA_LOGIN_AGENT_IDLE'],
  mfa: [...FILES, ...STS, ...KEYS, ...SESSIONS],
  rotate: [...SESSION_FOR, 'MFA_LOGIN_KEY_MAX_AGE_DAYS'],
  env: ['AWS_PROFILE', ...SESSION_FOR, 'SHELL', 'MFA_LOGIN_SAVED', 'MFA_LOGIN_PROFILE'],
};
