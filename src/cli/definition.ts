/**
 * What a command is, as data: its name, positionals, flags (with what their values may be),
 * examples, the variables it reads, how its arguments become a plan, and how the plan runs. The
 * parser, --help, the completion scripts, "did you mean" and the dispatch are all built from a
 * table of these (definitions/table.ts), never written out again.
 *
 * A definition is cheap to import: its `run` loads the command's code when it is called, so that
 * `mfa-login --help` does not load every command.
 */
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { SHELL_NAMES, type Shell } from '../output/exports.js';
import { isRegion } from '../forms.js';
import { formatDuration } from '../output/duration.js';
import { MAX_MFA_SESSION_SECONDS, MIN_SESSION_SECONDS, TOO_SHORT_WHY } from '../config/chain.js';
import { isEmptyScope, SCOPE_FLAG_HINTS, scopeFromFlags, type ScopeOptions, type SessionScope } from '../config/session-scope.js';
import { READ_BY, type Variable } from '../variables.js';

/** A flag: `--to PROFILE`, `--json`. */
export interface Flag {
  type: 'string' | 'boolean';
  describe: string;
  /** A one-letter alias (`y` for `--yes`). */
  alias?: string;
  /** The values it takes, when they are few. */
  choices?: readonly string[];
  /** What one of its values is, for "nope is not a shell". */
  noun?: string;
  /** Its value is a profile name (the completion scripts offer them). */
  profileValue?: boolean;
  /** A string flag that may be given again (`--policy-arn A --policy-arn B`): its value is the list. */
  repeatable?: boolean;
}

/** A positional: `<profile>`, `[command..]`. */
export interface Positional {
  name: string;
  required: boolean;
  /** The rest of the line (`exec PROFILE COMMAND...`): a command of its own. */
  variadic?: boolean;
  describe?: string;
  choices?: readonly string[];
  noun?: string;
  /** What it is in "add needs a profile name". */
  needs?: string;
  /** A profile name (the completion scripts offer them). */
  profile?: boolean;
}

/** The arguments yargs parsed, as the plan reads them. */
export type Args = Readonly<Record<string, unknown>>;

/** A planned command: what the user asked for, as data. */
export interface Planned {
  name: string;
}

/** What a command's run gets besides its plan: the table it was chosen from. */
export interface RunContext {
  table: Table;
}

export interface Definition<C extends Planned = Planned> {
  /** As typed on the command line, and the name of the plans its `run` carries out. */
  name: string;
  /**
   * The tool's default command, taken when no command is named (`mfa-login PROFILE`, `mfa-env
   * PROFILE`): its line is `$0 [profile]`, and --help does not list it.
   */
  default?: boolean;
  /** The line --help lists; false for a command it does not list. */
  describe: string | false;
  positionals?: readonly Positional[];
  flags?: Readonly<Record<string, Flag>>;
  /** Pairs of flags that cannot be given together. */
  conflicts?: readonly (readonly [string, string])[];
  examples?: readonly (readonly [string, string])[];
  /** The variables it reads, for its --help (variables.ts, READ_BY). */
  reads?: readonly Variable[];
  /**
   * The parsed arguments as a plan (which may be another command's: `__profiles` plans
   * `profiles`); throws a usage error for a value that is wrong. None for what only a flag
   * gives (help, version).
   */
  plan?(args: Args): C;
  run(deps: Deps, c: C, context: RunContext): Promise<number | void>;
}

/** Every command of a tool. */
export type Table = readonly Definition[];

/** The commands --help lists, in its order. */
export function listed(table: Table): Definition[] {
  return table.filter((d) => d.plan !== undefined && d.describe !== false && d.default !== true);
}

/** The definition whose run carries out a plan named `name`: the first of that name. */
export function definitionOf(table: Table, name: string): Definition | undefined {
  return table.find((d) => d.name === name);
}

/** `login [profile]`, `exec <profile> [command..]`: the command as yargs takes it. */
export function usageOf(d: Definition): string {
  return [d.default === true ? '$0' : d.name, ...(d.positionals ?? []).map((p) => (p.required ? `<${p.name}${p.variadic ? '..' : ''}>` : `[${p.name}${p.variadic ? '..' : ''}]`))].join(' ');
}

/** What mfa-login and mfa-env take on every command line. */
export const GLOBAL_FLAGS: Readonly<Record<string, Flag>> = {
  debug: { type: 'boolean', describe: 'say what is done and why; show stack traces' },
};

export function orList(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** A positional naming a profile. */
export function profilePositional<Required extends boolean>(required: Required, describe?: string): Positional & { required: Required } {
  return { name: 'profile', required, profile: true, needs: 'a profile name', ...(describe !== undefined ? { describe } : {}) };
}

/** `completion <shell>`, `shell-init <shell>`. */
export function shellPositional(choices: readonly string[]): Positional {
  return { name: 'shell', required: true, choices, noun: 'a shell', needs: `a shell (${orList(choices)})` };
}

/** The shells `--shell` takes. */
export const SHELLS = ['sh', 'bash', 'zsh', 'fish', 'powershell', 'pwsh', 'nu', 'nushell'] as const;

/** `--shell`'s value as the syntax to print. */
export function shellOf(value: unknown): Shell | undefined {
  return value === undefined ? undefined : SHELL_NAMES.get(String(value));
}

/** argv is public on a shared machine: say so where the flag is offered. */
export const MFA_TOKEN_HELP = 'the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead';

/**
 * The flags of a command that may need a code for a new session, with --duration's and --region's
 * words where the command says what they are for (login writes the region into a profile).
 */
export function codeFlags(describe: { duration?: string; region?: string } = {}): Readonly<Record<string, Flag>> {
  return {
    'mfa-token': { type: 'string', describe: MFA_TOKEN_HELP },
    duration: { type: 'string', describe: describe.duration ?? 'length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)' },
    region: { type: 'string', describe: describe.region ?? 'the region to use, over the profile\'s own' },
  };
}

export const CODE_FLAGS = codeFlags();

/**
 * The flags of a command that obtains a role session: what scopes the target role's session below
 * the role (sent with its AssumeRole, config/session-scope.ts). Each one given replaces the
 * profile's own key for that hop, as the AWS CLI's --tags and --policy-arns do.
 */
export const SCOPE_FLAGS: Readonly<Record<string, Flag>> = {
  'session-tags': { type: 'string', describe: 'tag the role session: key1=value1,key2=value2, instead of the profile\'s session_tags' },
  'transitive-session-tags': { type: 'string', describe: 'keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags' },
  'policy-arn': { type: 'string', repeatable: true, describe: 'narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns' },
  policy: { type: 'string', describe: 'narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)' },
};

/** The scope flags as a plan holds them: the --policy file is named here and read when the command runs. */
export function scopeArgs(a: Args): { scopeOptions?: ScopeOptions } {
  if (Array.isArray(a.policy)) {
    throw new MfaLoginError('E_USAGE', '--policy is given more than once; AssumeRole takes one inline session policy', { hint: 'put every statement in one policy document, or name managed policies with --policy-arn' });
  }
  const o: ScopeOptions = {
    ...(a.sessionTags !== undefined ? { sessionTags: String(a.sessionTags) } : {}),
    ...(a.transitiveSessionTags !== undefined ? { transitiveSessionTags: String(a.transitiveSessionTags) } : {}),
    ...(a.policyArn !== undefined ? { policyArns: ([] as unknown[]).concat(a.policyArn).map(String) } : {}),
    ...(a.policy !== undefined ? { policyFile: String(a.policy) } : {}),
  };
  return Object.keys(o).length > 0 ? { scopeOptions: o } : {};
}

/**
 * A command's run with its scope flags read first, at the edge, before anything else runs: the
 * --policy file's text, then every value checked (config/session-scope.ts, scopeFromFlags), so
 * that a bad one costs no code. The command gets the scope to send, never the file name.
 */
export function withScopeRead<C extends Planned & { scopeOptions?: ScopeOptions }, R>(
  run: (deps: Deps, c: Omit<C, 'scopeOptions'> & { scope?: SessionScope }, context: RunContext) => Promise<R>,
): (deps: Deps, c: C, context: RunContext) => Promise<R> {
  return async (deps, { scopeOptions, ...c }, context) => {
    if (scopeOptions === undefined) return run(deps, c, context);
    const { policyFile, ...rest } = scopeOptions;
    const policy = policyFile === undefined ? undefined : { file: policyFile, text: await readPolicyFile(deps, policyFile) };
    const scope = scopeFromFlags({ ...rest, ...(policy !== undefined ? { policy } : {}) });
    return run(deps, isEmptyScope(scope) ? c : { ...c, scope }, context);
  };
}

/** --policy FILE: a regular file, read as config files are (files/config-text.ts); anything else is a usage error. */
async function readPolicyFile(deps: Deps, file: string): Promise<string> {
  let text: string | undefined;
  try {
    text = await deps.readFile(file);
  } catch (e) {
    if (!(e instanceof MfaLoginError)) throw e;
    // `FILE is not UTF-8 text` names the file already: once is enough.
    const what = e.message.startsWith(`${file} `) ? e.message.slice(file.length) : `: ${e.message.replace(`cannot read ${file}: `, '')}`;
    throw new MfaLoginError('E_USAGE', `--policy ${file}${what}`, { hint: SCOPE_FLAG_HINTS['--policy'] });
  }
  if (text === undefined) throw new MfaLoginError('E_USAGE', file === '' ? '--policy "" names no file' : `--policy ${file}: no such file`, { hint: SCOPE_FLAG_HINTS['--policy'] });
  return text;
}

export const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/** `--mfa-token`, `--duration` and `--region` as a plan holds them. */
export interface CodeOptions {
  mfaToken?: string;
  duration?: number;
  region?: string;
}

export function codeArgs(a: Args): CodeOptions {
  return {
    ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
    ...(a.duration !== undefined ? { duration: parseDuration(String(a.duration)) } : {}),
    ...(a.region !== undefined ? { region: parseRegion(String(a.region)) } : {}),
  };
}

/**
 * `--region`: an AWS region name (src/forms.ts, isRegion: the one check every region read
 * passes); the value reaches shells and config files, so nothing else gets through.
 */
export function parseRegion(text: string): string {
  if (!isRegion(text)) {
    throw new MfaLoginError('E_USAGE', `--region ${JSON.stringify(text)} is not an AWS region name`, { hint: 'use a region name such as us-east-1, eu-west-1 or us-gov-west-1 (lowercase letters, digits and dashes)' });
  }
  return text;
}

/** What a duration flag takes, and why not less or more (parseDuration). */
export interface DurationLimits {
  min: number;
  max: number;
  tooShort: string;
  tooLong: string;
  /** A value to show in the hint. */
  example: string;
}

/** The console session's length: what the federation endpoint's SessionDuration accepts. */
export const CONSOLE_DURATION: DurationLimits = { min: 900, max: 43200, tooShort: 'a console session lasts at least 15 minutes (900)', tooLong: 'a console session lasts at most 12 hours (43200)', example: '1h' };

/** GetSessionToken's limits for an IAM user, with the 15 minutes a cached session must have left. */
const MFA_DURATION: DurationLimits = {
  min: MIN_SESSION_SECONDS,
  max: MAX_MFA_SESSION_SECONDS,
  tooShort: `${TOO_SHORT_WHY}; the least is 30m (${MIN_SESSION_SECONDS})`,
  tooLong: `an MFA session lasts at most 36 hours (${MAX_MFA_SESSION_SECONDS})`,
  example: '12h',
};

/**
 * Parses a duration as seconds (`3600`) or with a unit (`90m`, `12h`, `1h30m`), the forms
 * aws-vault users type.
 */
export function parseDuration(text: string, limits: DurationLimits = MFA_DURATION, flag = '--duration'): number {
  const t = text.trim();
  const range = `use a duration from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}, e.g. ${flag} ${limits.example}`;
  // `--ensure -5m`: the parser takes -5m for flags and leaves the value empty.
  if (t === '') throw new MfaLoginError('E_USAGE', `${flag} needs a value`, { hint: `put a duration right after it (no sign): ${range}` });
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!/^\d+$/.test(t) && m === null) {
    throw new MfaLoginError('E_USAGE', `${flag} ${JSON.stringify(text)} is not a duration`, { hint: 'use seconds (3600) or a form like 12h, 90m, 1h30m' });
  }
  const seconds = /^\d+$/.test(t) ? Number(t) : Number(m![1] ?? 0) * 3600 + Number(m![2] ?? 0) * 60 + Number(m![3] ?? 0);
  if (seconds < limits.min) throw new MfaLoginError('E_USAGE', `${flag} ${text} is too short: ${limits.tooShort}`, { hint: range });
  if (seconds > limits.max) throw new MfaLoginError('E_USAGE', `${flag} ${text} is too long: ${limits.tooLong}`, { hint: range });
  return seconds;
}

/**
 * `--ensure DURATION`: how long what the command runs with must still last when it starts. No
 * session lasts longer than an IAM user's MFA session, 36 hours: more is refused here, before any
 * code is asked for.
 */
export const ENSURE_FLAG: Flag = {
  type: 'string',
  describe: 'make sure the session lasts at least this long (e.g. 2h, up to 36h) before starting, asking for a code now if it does not',
};

export function parseEnsure(text: string): number {
  return parseDuration(text, { min: 60, max: MAX_MFA_SESSION_SECONDS, tooShort: 'the least is 1m', tooLong: `no MFA session lasts longer than 36 hours (${MAX_MFA_SESSION_SECONDS})`, example: '2h' }, '--ensure');
}

/** --port: a TCP port; 0 and privileged ports are refused (0 is what "no --port" already means). */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1024 || n > 65535) {
    throw new MfaLoginError('E_USAGE', `--port ${JSON.stringify(text)} is not a port from 1024 to 65535`, { hint: 'leave --port out to take a free port' });
  }
  return n;
}

type Examples = NonNullable<Definition['examples']>;

/** What a command that takes no arguments states of its own. */
interface PlainSpec<N extends string> {
  name: N;
  describe: string;
  examples: Examples;
  run(deps: Deps): Promise<number | void>;
}

/** A command that takes no arguments (doctor, profiles): its plan is its name. */
export function plainCommand<N extends string>(d: PlainSpec<N>): Definition<{ name: N }> {
  return { ...d, reads: READ_BY[d.name], plan: () => ({ name: d.name }) };
}

/** A command whose one flag is --json (list, status). */
export function jsonCommand<N extends string>(d: Omit<PlainSpec<N>, 'run'> & { run(deps: Deps, json: boolean): Promise<number | void> }): Definition<{ name: N; json: boolean }> {
  return {
    ...d,
    flags: { json: { type: 'boolean', describe: 'print JSON' } },
    reads: READ_BY[d.name],
    plan: (a) => ({ name: d.name, json: a.json === true }),
    run: (deps, c) => d.run(deps, c.json),
  };
}

/**
 * The plan of a command that obtains one profile's session and takes nothing else but the code
 * flags (and the scope flags, where it may get a role session): the profile (`Required` or not),
 * what --mfa-token, --duration and --region gave, and what the scope flags gave.
 */
export type SessionPlan<N extends string, Required extends boolean> = { name: N } & (Required extends true ? { profile: string } : { profile?: string }) & CodeOptions & { scopeOptions?: ScopeOptions };

/**
 * A command that obtains one profile's session (credential-process, session, rotate): the
 * profile, the code flags, and the scope flags where it may get a role session (`scoped`). Its
 * run gets the scope read (withScopeRead), never the --policy file's name.
 */
export function sessionCommand<N extends string, Required extends boolean>(d: {
  name: N;
  describe: string;
  profile: Positional & { required: Required };
  scoped: boolean;
  examples: Examples;
  run(deps: Deps, c: Omit<SessionPlan<N, Required>, 'scopeOptions'> & { scope?: SessionScope }): Promise<number | void>;
}): Definition<SessionPlan<N, Required>> {
  return {
    name: d.name,
    describe: d.describe,
    positionals: [d.profile],
    flags: d.scoped ? { ...CODE_FLAGS, ...SCOPE_FLAGS } : CODE_FLAGS,
    examples: d.examples,
    reads: READ_BY[d.name],
    // A required positional is always there: the plan has the profile exactly when the type says so.
    plan: (a) => ({ name: d.name, ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...codeArgs(a), ...(d.scoped ? scopeArgs(a) : {}) }) as SessionPlan<N, Required>,
    run: withScopeRead(d.run),
  };
}
