/**
 * The argument parser's complaints, in this product's words. yargs builds its messages from locale
 * strings; we replace those strings with tagged templates (so the wording does not depend on LANG)
 * and turn each tagged message into one line that names the command, the word at fault and what to
 * type instead.
 */
import { MfaLoginError } from '../errors.js';
import { distance } from '../config/near-miss.js';

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

export const COMMAND_NAMES = ['login', 'add', 'remove', 'list', 'logout', 'credential-process', 'session', 'exec', 'serve', 'setup', 'completion', 'status', 'doctor', 'policy', 'demo', 'agent', 'console', 'shell-init', 'profiles', 'mfa', 'rotate'];

/** Flags that take a value: the word after them is not a command or a profile. */
const VALUE_FLAGS = new Set(['--to', '--mfa-token', '--duration', '--mfa-serial', '--name', '--account', '--partition', '--shell', '--region', '--service', '--path', '--port']);
const FLAGS = ['to', 'mfa-token', 'duration', 'from-env', 'import', 'mfa-serial', 'yes', 'all', 'keep-files', 'allow-nested', 'name', 'account', 'partition', 'json', 'shell', 'unset', 'debug', 'help', 'version'];

/** What a value of a `choices` option is, for "nope is not a shell". */
const NOUNS: Record<string, string> = { shell: 'a shell', partition: 'an AWS partition', action: 'an agent command' };

/** The words of the command line that are not flags or flag values. */
function words(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function nearest(word: string, among: string[]): string | undefined {
  return among.find((c) => distance(c, word) <= (c.length > 4 ? 2 : 1));
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
 * unknown flag from a stray word and a mistyped command from a profile name. `offered` is the
 * flags the command takes, when the parser got as far as knowing: a correction is chosen among
 * them, so that it works as printed.
 */
export function usageError(tool: 'mfa-login' | 'mfa-env', message: string, argv: string[], offered: string[] = FLAGS): MfaLoginError {
  const w = words(argv);
  const command = commandOf(tool, argv);
  const name = tool === 'mfa-env' ? 'mfa-env' : command ? `mfa-login ${command}` : 'mfa-login';
  // The tool's name already starts the line: `mfa-login: add needs a profile name`.
  const short = command ?? tool;
  const help = { hint: `see: ${name} --help` };
  const usage = (text: string, hint: { hint: string } = help) => new MfaLoginError('E_USAGE', text, hint);
  const [tag, ...args] = message.split(T);

  switch (tag?.trim()) {
    case 'unknown': {
      const unknown = args[0]!.split(', ');
      // `mfa-login stauts --json`: the mistyped command is the mistake, not the flag it was given.
      const mistyped = tool === 'mfa-login' && command === undefined && w[0] !== undefined ? nearest(w[0], COMMAND_NAMES) : undefined;
      if (mistyped !== undefined) return usage(`unknown command ${w[0]}; did you mean ${mistyped}?`, { hint: `see: mfa-login --help` });
      const flag = unknown.find((u) => argv.some((a) => a === `--${u}` || a === `-${u}` || a.startsWith(`--${u}=`)));
      if (flag !== undefined) {
        // A flag of another command is not a typo of one of this command's.
        const near = FLAGS.includes(flag) ? undefined : nearest(flag, offered);
        const dashes = argv.includes(`-${flag}`) && !argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)) ? '-' : '--';
        return usage(`unknown option ${dashes}${flag}${command ? ` for ${command}` : ''}${near ? `; did you mean --${near}?` : ''}`);
      }
      if (tool === 'mfa-login' && command === undefined && w[0] !== undefined) {
        return usage(`unknown command ${w[0]}: mfa-login takes a command, or a profile name on its own (then ${unknown.join(' ')} is one word too many)`);
      }
      return usage(`${short} takes ${tool === 'mfa-env' || command !== 'exec' ? 'one profile' : 'a profile, then -- and the command'}; ${unknown.join(' ')} is one word too many`);
    }
    case 'unknown-command':
      return usage(`unknown command ${args[0]}`, { hint: 'see: mfa-login --help' });
    case 'missing': {
      const what = args[0]!.split(', ');
      const described = what.map((m) => (m === 'profile' ? 'a profile name' : m === 'shell' ? (command === 'shell-init' ? 'a shell (bash, zsh, fish or powershell)' : 'a shell (bash, zsh or fish)') : m === 'action' ? (command === 'mfa' ? 'create or resync' : 'status or stop') : m));
      return usage(`${short} needs ${described.join(' and ')}`);
    }
    case 'invalid': {
      // One `\n  \u0001name\u0001given\u0001choices` per option; the first one is reported.
      const [, option, given, choices] = message.split('\n')[1]!.split(T);
      const values = unquote(given!);
      const allowed = unquote(choices!);
      const isFlag = argv.some((a) => a === `--${option}` || a.startsWith(`--${option}=`));
      const noun = NOUNS[option!] ?? `a valid ${option}`;
      if (values.join('') === '') return usage(`--${option} needs a value: ${orList(allowed)}`);
      if (isFlag) return usage(`--${option} ${values.join(' ')} is not ${noun}: use ${orList(allowed)}`);
      return usage(`${short} ${values.join(' ')}: ${values.join(' ')} is not ${noun}; use ${orList(allowed)}`);
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
function commandOf(tool: 'mfa-login' | 'mfa-env', argv: string[]): string | undefined {
  const first = words(argv)[0];
  return tool === 'mfa-login' && first !== undefined && COMMAND_NAMES.includes(first) ? first : undefined;
}

/** A string flag given without a value (`--to` last, or `--to=`): yargs reads it as "". */
export function emptyValue(tool: 'mfa-login' | 'mfa-env', argv: string[]): MfaLoginError | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    // `--to` last, `--to --yes`, or `--to=`: a flag that takes a value, given none.
    const flag = a.endsWith('=') ? a.slice(0, -1) : a;
    if (!VALUE_FLAGS.has(flag)) continue;
    const next = argv[i + 1];
    if (a.endsWith('=') || next === undefined || next.startsWith('--')) {
      const command = commandOf(tool, argv);
      return new MfaLoginError('E_USAGE', `${flag} needs a value`, { hint: `see: ${tool}${command ? ` ${command}` : ''} --help` });
    }
    i++;
  }
  return undefined;
}
