/**
 * The argument parser's complaints, in this product's words. yargs builds its messages from locale
 * strings; we replace those strings with tagged templates (so the wording does not depend on LANG)
 * and turn each tagged message into one line that names the command, the word at fault and what to
 * type instead.
 */
import { MfaLoginError } from '../errors.js';
import { closest } from '../config/near-miss.js';

const T = '\u0001';

/** For yargs' `.updateStrings()`: every message it can fail with, as `<tag>\u0001<args...>`. */
/** Plural forms are objects, which y18n accepts although the yargs types say string. */
export const TAGGED_STRINGS: Record<string, string | { one: string; other: string }> = {
  'Not enough non-option arguments: got %s, need at least %s': both(`too-few${T}%s${T}%s`),
  'Too many non-option arguments: got %s, maximum of %s': both(`too-many${T}%s${T}%s`),
  'Missing argument value: %s': both(`no-value${T}%s`),
  'Missing required argument: %s': both(`missing${T}%s`),
  'Unknown argument: %s': both(`unknown${T}%s`),
  'Unknown command: %s': both(`unknown-command${T}%s`),
  'Invalid values:': `invalid`,
  'Argument: %s, Given: %s, Choices: %s': `${T}%s${T}%s${T}%s`,
  'Argument check failed: %s': `check${T}%s`,
  'Implications failed:': `implies`,
  'Not enough arguments following: %s': `no-value${T}%s`,
  'Invalid JSON config file: %s': `check${T}invalid JSON config file %s`,
  'Did you mean %s?': `did-you-mean${T}%s`,
  'Arguments %s and %s are mutually exclusive': `exclusive${T}%s${T}%s`,
};

function both(s: string) {
  return { one: s, other: s };
}

/** The flags of a command, as its definition in args.ts gives them. */
export interface CommandFlags {
  /** Every flag it takes, aliases included (`yes`, `y`), without dashes. */
  flags: string[];
  /** Those that take a value (`to`, `region`): the word after one is not a command or a profile. */
  valueFlags: string[];
}

/**
 * What a command line of the tool may contain, read from the parser's own definitions (args.ts):
 * every correction chooses among these, so that a suggestion names something that exists.
 */
export interface Vocabulary {
  tool: 'mfa-login' | 'mfa-env';
  /** The commands --help lists, in the order it lists them (none for mfa-env). */
  commands: string[];
  /** The flags of the command being parsed, once the parser has picked it. */
  offered?: CommandFlags;
  /** The flags of every command together; only read when something is wrong. */
  everyFlag(): CommandFlags;
}

/** What a value of a `choices` option is, for "nope is not a shell". */
const NOUNS: Record<string, (command: string | undefined) => string> = {
  shell: () => 'a shell',
  partition: () => 'an AWS partition',
  // `mfa` and `agent` both call theirs `action`.
  action: (command) => `an ${command ?? ''} action`.replace('  ', ' '),
};

/** The words of the command line that are not flags or flag values. */
function words(argv: string[], valueFlags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (!a.includes('=') && valueFlags.includes(a.replace(/^--?/, ''))) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function orList(values: string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** `"sh", "bash"` (as yargs quotes them) back to the values. */
function unquote(list: string): string[] {
  try {
    return (JSON.parse(`[${list}]`) as unknown[]).map(String);
  } catch {
    return [list];
  }
}

/**
 * One usage error for a message yargs failed with. `argv` is the command line as typed, to tell an
 * unknown flag from a stray word and a mistyped command from a profile name. Corrections are
 * chosen (config/near-miss.ts, closest) among what `vocabulary` says exists: a flag among the
 * flags of the command given, so that it works as printed.
 */
export function usageError(vocabulary: Vocabulary, message: string, argv: string[]): MfaLoginError {
  const { tool } = vocabulary;
  const every = vocabulary.everyFlag();
  const offered = vocabulary.offered ?? every;
  const w = words(argv, every.valueFlags);
  const command = commandOf(vocabulary, argv);
  const name = tool === 'mfa-env' ? 'mfa-env' : command ? `mfa-login ${command}` : 'mfa-login';
  // The tool's name already starts the line: `mfa-login: add needs a profile name`.
  const short = command ?? tool;
  const help = { hint: `see: ${name} --help` };
  const usage = (text: string, hint: { hint: string } = help) => new MfaLoginError('E_USAGE', text, hint);
  const [tag, ...args] = message.split(T);

  switch (tag?.trim()) {
    case 'unknown': {
      const unknown = args[0]!.split(', ');
      // `mfa-login stauts --json`, `mfa-login exce prod -- true`: the mistyped command is the
      // mistake, not the flag or the word after it.
      const mistyped = tool === 'mfa-login' && command === undefined && w[0] !== undefined ? closest(w[0], vocabulary.commands) : undefined;
      if (mistyped !== undefined) return usage(`unknown command ${w[0]}; did you mean ${mistyped}?`, { hint: `see: mfa-login ${mistyped} --help` });
      const flag = unknown.find((u) => argv.some((a) => a === `--${u}` || a === `-${u}` || a.startsWith(`--${u}=`)));
      if (flag !== undefined) {
        // A flag of another command is not a typo of one of this command's.
        const near = every.flags.includes(flag) ? undefined : closest(flag, offered.flags);
        const dashes = argv.includes(`-${flag}`) && !argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)) ? '-' : '--';
        return usage(`unknown option ${dashes}${flag}${command ? ` for ${command}` : ''}${near ? `; did you mean --${near}?` : ''}`);
      }
      if (tool === 'mfa-login' && command === undefined && w[0] !== undefined) {
        return usage(`unknown command ${w[0]}: mfa-login takes a command, or a profile name on its own (then ${unknown.join(' ')} is one word too many)`);
      }
      return usage(`${short} takes ${tool === 'mfa-env' || command !== 'exec' ? 'one profile' : 'a profile, then -- and the command'}; ${unknown.join(' ')} is one word too many`);
    }
    case 'unknown-command': {
      const near = closest(args[0]!, vocabulary.commands);
      return usage(`unknown command ${args[0]}${near ? `; did you mean ${near}?` : ''}`, { hint: `see: mfa-login${near ? ` ${near}` : ''} --help` });
    }
    case 'missing': {
      const what = args[0]!.split(', ');
      const described = what.map((m) => (m === 'profile' ? 'a profile name' : m === 'shell' ? (command === 'shell-init' ? 'a shell (bash, zsh, fish, powershell or nu)' : 'a shell (bash, zsh, fish or nu)') : m === 'action' ? (command === 'mfa' ? 'create or resync' : 'status or stop') : m));
      return usage(`${short} needs ${described.join(' and ')}`);
    }
    case 'invalid': {
      // One `\n  \u0001name\u0001given\u0001choices` per option; the first one is reported.
      const [, option, given, choices] = message.split('\n')[1]!.split(T);
      const values = unquote(given!);
      const allowed = unquote(choices!);
      const isFlag = argv.some((a) => a === `--${option}` || a.startsWith(`--${option}=`));
      const noun = NOUNS[option!]?.(command) ?? `a valid ${option}`;
      if (values.join('') === '') return usage(`--${option} needs a value: ${orList(allowed)}`);
      const near = values.length === 1 ? closest(values[0]!, allowed) : undefined;
      const instead = near !== undefined ? `did you mean ${near}?` : `use ${orList(allowed)}`;
      if (isFlag) return usage(`--${option} ${values.join(' ')} is not ${noun}${near !== undefined ? '; ' : ': '}${instead}`);
      return usage(`${short} ${values.join(' ')}: ${values.join(' ')} is not ${noun}; ${instead}`);
    }
    case 'no-value':
      return usage(`--${args[0]} needs a value`);
    case 'too-few':
      return usage(`${short} needs more arguments`);
    case 'too-many':
      return usage(`${short} was given too many arguments`);
    case 'exclusive':
      return usage(`--${args[0]} and --${args[1]} cannot be used together`);
    case 'did-you-mean':
      return usage(`did you mean ${args[0]}?`);
    case 'implies':
      return usage(`${short} also needs: ${message.split('\n').slice(1).map((l) => l.trim()).join(', ')}`);
    case 'check':
      return usage(args.join(' '));
    default:
      return usage(message.replace(new RegExp(T, 'g'), ' '));
  }
}

/** The command named on the line (`add`), when it is one of ours. */
function commandOf(vocabulary: Vocabulary, argv: string[]): string | undefined {
  const first = words(argv, vocabulary.offered?.valueFlags ?? vocabulary.everyFlag().valueFlags)[0];
  return first !== undefined && vocabulary.commands.includes(first) ? first : undefined;
}

/** A string flag given without a value (`--to` last, or `--to=`): yargs reads it as "". */
export function emptyValue(vocabulary: Vocabulary, argv: string[]): MfaLoginError | undefined {
  const valueFlags = (vocabulary.offered ?? vocabulary.everyFlag()).valueFlags;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    // `--to` last, `--to --yes`, or `--to=`: a flag that takes a value, given none.
    const flag = a.endsWith('=') ? a.slice(0, -1) : a;
    if (!flag.startsWith('--') || !valueFlags.includes(flag.slice(2))) continue;
    const next = argv[i + 1];
    if (a.endsWith('=') || next === undefined || next.startsWith('--')) {
      const command = commandOf(vocabulary, argv);
      return new MfaLoginError('E_USAGE', `${flag} needs a value`, { hint: `see: ${vocabulary.tool}${command ? ` ${command}` : ''} --help` });
    }
    i++;
  }
  return undefined;
}
