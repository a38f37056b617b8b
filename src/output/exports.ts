import type { Credentials } from '../credentials.js';
import { MfaLoginError } from '../errors.js';
import { isAccessKeyId, isExpiration, isPlainProfileName, isRegion, isSecretAccessKey, isSessionToken } from '../forms.js';
import { toRfc3339 } from './rfc3339.js';
import { EXPORTED_REGION, regionVariables, type RegionHandover } from '../settings.js';

/** `sh` is every POSIX-quoting shell: bash, zsh, dash, ksh, ash. */
export type Shell = 'sh' | 'fish' | 'powershell' | 'nu';

const POSIX_SHELLS = new Set([
  'sh', 'bash', 'rbash', 'zsh', 'dash', 'ash', 'ksh', 'ksh93', 'mksh', 'lksh', 'oksh', 'pdksh',
  'yash', 'posh', 'busybox',
]);
const POWERSHELLS = new Set(['pwsh', 'pwsh-preview', 'powershell', 'powershell_ise']);

/** Which shell a process or path name denotes, or undefined when it is not a shell we know. */
function shellOfName(name: string | undefined): Shell | undefined {
  if (!name) return undefined;
  // The last path component (either separator), without a login shell's leading `-` (as comm and
  // argv[0] show `-bash`) or a Windows `.exe`. String operations: this runs in the shell hook.
  let base = name.trim();
  base = base.slice(Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\')) + 1).toLowerCase();
  if (base.startsWith('-')) base = base.slice(1);
  if (base.endsWith('.exe')) base = base.slice(0, -4);
  if (base === 'fish') return 'fish';
  if (base === 'nu') return 'nu';
  if (POWERSHELLS.has(base)) return 'powershell';
  if (POSIX_SHELLS.has(base)) return 'sh';
  return undefined;
}

/**
 * Guess the shell that will evaluate our output. Evidence is taken in this order, strongest first:
 *
 * 1. `parentProcessName`, when it names a known shell: `eval "$(mfa-env)"` and `mfa-env | source`
 *    run us as a direct child of the evaluating shell. Wrappers (npx, sudo, tmux) name no shell
 *    and fall through.
 * 2. `FISH_VERSION`: fish does not export it, so when it is in our environment someone exported
 *    it from fish on purpose.
 * 3. `NU_VERSION` with no POSIX or fish `SHELL`: nushell exports it to every child, so a bash
 *    started from nu has it too and SHELL (or the parent check) has to say otherwise. It goes before
 *    PSModulePath, which Windows keeps in every process's environment whatever the shell.
 * 4. `PSModulePath` with no POSIX or fish `SHELL`: PowerShell puts PSModulePath in every child's
 *    environment, including a bash started from it, so it only counts when SHELL does not say
 *    otherwise (Windows has no SHELL; on Linux the parent check above already settled it).
 * 5. `SHELL`'s basename: the login shell, which is right for most people most of the time.
 * 6. `sh`: a wrong guess then fails loudly in fish, PowerShell or nushell (`export` is not a
 *    command there; `load-env` wants a record) rather than setting something odd.
 */
export function detectShell(env: Record<string, string | undefined>, parentProcessName?: string): Shell {
  const parent = shellOfName(parentProcessName);
  if (parent) return parent;
  if (env.FISH_VERSION) return 'fish';
  const login = shellOfName(env.SHELL);
  if (env.NU_VERSION && (login === undefined || login === 'nu' || login === 'powershell')) return 'nu';
  if (env.PSModulePath && (login === undefined || login === 'powershell')) return 'powershell';
  return login ?? 'sh';
}

const KEY_ID = 'AWS_ACCESS_KEY_ID';
const SECRET = 'AWS_SECRET_ACCESS_KEY';
const TOKEN = 'AWS_SESSION_TOKEN';
const EXPIRATION = 'AWS_CREDENTIAL_EXPIRATION';
const REGION = 'AWS_REGION';
const DEFAULT_REGION = 'AWS_DEFAULT_REGION';
// Left set next to exported keys, these make some tools (and the SDKs' profile-first providers)
// use a profile instead of the keys we just exported.
const PROFILE_VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'] as const;

/** Everything formatExports may set or unset, in output order. */
const ALL_VARS = [KEY_ID, SECRET, TOKEN, EXPIRATION, REGION, DEFAULT_REGION, EXPORTED_REGION, ...PROFILE_VARS];

/**
 * The user's own region and profile, as the shell had them before the first export into it:
 * `--unset` puts them back (else `mfa-use --off` would leave a shell without the region it had).
 * A JSON object of the variables that were set; only values in their plain forms are kept, since
 * they are handed back to a shell. Credentials are never kept: a copy of long-term keys would
 * reach every program the shell starts.
 */
export const SAVED_VAR = 'MFA_LOGIN_SAVED';
const SAVED_VARS = [REGION, DEFAULT_REGION, ...PROFILE_VARS];
const savedForm = (name: string, value: string) => (name === REGION || name === DEFAULT_REGION ? isRegion(value) : isPlainProfileName(value));

/** What the first export into a shell saves (SAVED_VAR's value), or undefined when it has it already. */
export function savedBefore(env: Record<string, string | undefined>): string | undefined {
  if (env[SAVED_VAR] !== undefined) return undefined;
  const saved: Record<string, string> = {};
  for (const name of SAVED_VARS) {
    const value = env[name];
    if (value !== undefined && savedForm(name, value)) saved[name] = value;
  }
  return JSON.stringify(saved);
}

/** formatExports' `save` option for a shell with environment `env`: what its first export saves. */
export function saving(env: Record<string, string | undefined>): { save?: string } {
  const save = savedBefore(env);
  return save !== undefined ? { save } : {};
}

/** The variables `saved` (SAVED_VAR's value) holds, each in its form; nothing for anything else. */
function savedValues(saved: string): Array<[string, string]> {
  let o: unknown;
  try {
    o = JSON.parse(saved);
  } catch {
    return [];
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
  const values = o as Record<string, unknown>;
  return SAVED_VARS.flatMap((name): Array<[string, string]> => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return typeof value === 'string' && savedForm(name, value) ? [[name, value]] : [];
  });
}

/** String.prototype.isWellFormed (Node 20 has it; the ES2022 library this compiles against does not). */
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

function checkValue(name: string, value: string): void {
  // NUL cannot live in an environment variable; a line break would split our one-statement-per-line
  // output, and a value smuggling one in is the start of an injection. A lone surrogate cannot be
  // encoded as UTF-8: the shell would receive U+FFFD instead.
  if (value.includes('\0') || value.includes('\r') || value.includes('\n') || !wellFormed(value)) {
    throw new MfaLoginError(
      'E_USAGE',
      `cannot export ${name}: its value contains a NUL, a line break or invalid Unicode`,
    );
  }
}

/**
 * The forms AWS gives these values (src/forms.ts), all made of characters no supported shell
 * reads as code (no quote, `$`, `(`, backslash, space or glob). Quoting below would hold against
 * anything, but a value outside its form means a broken or hostile config or cache, and a wrongly
 * detected shell (fish output fed to bash) must never get the chance to run it.
 */
const FORMS: Record<string, (value: string) => boolean> = {
  [KEY_ID]: isAccessKeyId,
  [SECRET]: isSecretAccessKey,
  [TOKEN]: isSessionToken,
  [EXPIRATION]: isExpiration,
  [REGION]: isRegion,
  [DEFAULT_REGION]: isRegion,
  [EXPORTED_REGION]: isRegion,
};

function checkForm(name: string, value: string): void {
  if (FORMS[name]!(value)) return;
  // The region comes from a config file and may be shown; a credential is never shown, even broken.
  if (name === REGION || name === DEFAULT_REGION || name === EXPORTED_REGION) {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    throw new MfaLoginError('E_CONFIG', `cannot export ${name}: ${shown} is not an AWS region (lowercase letters, digits and dashes, like eu-west-1)`, { hint: 'fix region in the profile, or AWS_REGION / AWS_DEFAULT_REGION' });
  }
  throw new MfaLoginError('E_STS', `cannot export ${name}: its value is not in the form AWS gives it (it holds characters a shell could run); nothing was printed`, { hint: 'forget the session with: mfa-login logout --all, then try again' });
}

/** POSIX: nothing is special inside single quotes, and a single quote cannot be escaped there. */
function quoteSh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish: inside single quotes only `\\` and `\'` are escapes; every other byte is literal. */
function quoteFish(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * PowerShell: inside single quotes a quote is written twice. PowerShell also takes the typographic
 * single quotes ‘ ’ ‚ ‛ as quote characters (they end the string), so those are doubled too, as its
 * own CodeGeneration.EscapeSingleQuotedStringContent does.
 */
function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
}

/** One change to a shell's environment: a value to set, or null to take the variable out. */
type Change = [name: string, value: string | null];

function setLine(shell: Exclude<Shell, 'nu'>, name: string, value: string): string {
  switch (shell) {
    case 'sh':
      return `export ${name}=${quoteSh(value)}`;
    case 'fish':
      // -g: `source` inside a function would otherwise make the variable function-local.
      // The `;`: `eval (mfa-env)` gets the lines as a list and joins them with spaces.
      return `set -gx ${name} ${quoteFish(value)};`;
    case 'powershell':
      return `$env:${name} = ${quotePowerShell(value)}`;
  }
}

function unsetLine(shell: Exclude<Shell, 'nu'>, name: string): string {
  switch (shell) {
    case 'sh':
      return `unset ${name}`;
    case 'fish':
      // `set -e` of an unset variable exits 4, which would make `mfa-env | source; and cmd` fail;
      // the `if` always exits 0. Only the global scope: erasing a universal variable would change
      // every fish session of the user, for good.
      return `if set -q -g ${name}; set -e -g ${name}; end;`;
    case 'powershell':
      // Assigning $null removes the variable and, unlike Remove-Item, never errors when it is absent.
      return `$env:${name} = $null`;
  }
}

/**
 * nushell evaluates no text: it loads a record, `mfa-env --shell nu | from json | load-env`. So
 * the changes are one JSON object, a variable a line (fed by mistake to bash or zsh, a line is a
 * command that is not found, and only its name is shown). A variable to take out is null:
 * load-env keeps it in $env as nothing, which nushell passes to no program it starts, and mfa-use
 * (shell-init nu) hides it outright. A later change of a name replaces an earlier one, as the later
 * statement does in the other shells.
 */
function nuRecord(changes: Change[]): string {
  const record = new Map<string, string | null>();
  for (const [name, value] of changes) record.set(name, value);
  const lines = [...record].map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  return lines.length === 0 ? '{}\n' : `{\n${lines.join(',\n')}\n}\n`;
}

/** The changes in `shell`'s syntax: one statement per line, or nushell's record. */
function render(shell: Shell, changes: Change[]): string {
  for (const [name, value] of changes) if (value !== null) checkValue(name, value);
  if (shell === 'nu') return nuRecord(changes);
  return changes.map(([name, value]) => `${value === null ? unsetLine(shell, name) : setLine(shell, name, value)}\n`).join('');
}

/**
 * Statements that put `creds` into the environment of the evaluating shell, one per line.
 * A missing session token or expiration is unset rather than skipped, so a stale one left by an
 * earlier eval cannot pair with the new keys. The region variables are touched only as the
 * handover (settings.ts, regionFor) says: set when a region is known, and unset where they hold
 * one an earlier export set and nothing replaces it.
 */
export function formatExports(creds: Credentials, options: { shell: Shell; save?: string } & RegionHandover): string {
  const { shell, save } = options;
  const set = (name: string, value: string | undefined): Change => {
    if (value === undefined) return [name, null];
    checkValue(name, value);
    checkForm(name, value);
    return [name, value];
  };
  const changes = [set(KEY_ID, creds.accessKeyId), set(SECRET, creds.secretAccessKey), set(TOKEN, creds.sessionToken)];
  changes.push(set(EXPIRATION, creds.expiration !== undefined ? toRfc3339(creds.expiration) : undefined));
  for (const [name, value] of regionVariables(options)) changes.push(set(name, value));
  for (const name of PROFILE_VARS) changes.push([name, null]);
  if (save !== undefined) changes.push([SAVED_VAR, save]);
  return render(shell, changes);
}

/**
 * The quoting alone, for any value: one assignment per line. formatExports adds the check that
 * each value has its AWS form; this layer holds even without it (the tests feed it hostile values).
 */
export function formatAssignments(shell: Shell, values: [name: string, value: string][]): string {
  return render(shell, values);
}

/**
 * Set by `exec` in its command's environment (cli/commands/exec.ts): says which profile the
 * command runs as, lets exec refuse to nest, and tells `mfa-env --unset` that the credentials
 * there are the ones exec put in.
 */
export const EXEC_PROFILE_VAR = 'MFA_LOGIN_PROFILE';
const CREDENTIAL_VARS = [KEY_ID, SECRET, TOKEN, EXPIRATION];

/**
 * Statements that take out of a shell (environment `env`) what mfa-login put there, and nothing
 * else: `mfa-env --unset`, `mfa-use --off`.
 *
 * - After an export into this shell (SAVED_VAR is set: the first export always sets it), every
 *   variable formatExports sets or unsets is cleared, then the region and profile the shell had
 *   before that export are put back.
 * - With nothing saved (no export, or an `--off` already undid it), only what carries a mark of
 *   ours goes: the credentials when `exec` put them there (EXEC_PROFILE_VAR), the region variables
 *   holding the region mfa-login picked (EXPORTED_REGION) and that mark. Credentials, a region or a
 *   profile with no mark are the user's (their own keys, another tool's session): a second
 *   `mfa-use --off` must not take the profile the first one gave back.
 *
 * SAVED_VAR is always unset last: harmless when absent, and the output is never empty (PowerShell's
 * Invoke-Expression refuses an empty string).
 */
export function formatUnset(shell: Shell, env: Record<string, string | undefined>): string {
  const saved = env[SAVED_VAR];
  const names =
    saved !== undefined
      ? ALL_VARS
      : [
          ...(env[EXEC_PROFILE_VAR] ? CREDENTIAL_VARS : []),
          ...(env[EXPORTED_REGION] !== undefined ? [REGION, DEFAULT_REGION].filter((n) => env[n] === env[EXPORTED_REGION]).concat(EXPORTED_REGION) : []),
        ];
  const changes: Change[] = names.map((name) => [name, null]);
  if (saved !== undefined) changes.push(...savedValues(saved));
  changes.push([SAVED_VAR, null]);
  return render(shell, changes);
}

/** The names `--shell` takes, and the format each stands for. */
export const SHELL_NAMES: ReadonlyMap<string, Shell> = new Map([
  ['sh', 'sh'],
  ['bash', 'sh'],
  ['zsh', 'sh'],
  ['fish', 'fish'],
  ['powershell', 'powershell'],
  ['pwsh', 'powershell'],
  ['nu', 'nu'],
  ['nushell', 'nu'],
]);

/**
 * Statements that set `set` and unset `unset`, one per line: what `serve` prints for the user to
 * paste into the shell of whatever should use its endpoint.
 */
export function formatVariables(shell: Shell, set: [name: string, value: string][], unset: string[] = []): string {
  return render(shell, [...unset.map((n): Change => [n, null]), ...set]);
}
