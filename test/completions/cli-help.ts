/**
 * What the built CLI says it accepts, read from its own yargs --help output: the source of
 * truth the completion scripts are checked against.
 */
import { cli } from './harness.js';

export interface Options {
  /** Every flag, long and short (`--yes`, `-y`). */
  flags: string[];
  /** The values a flag (or positional) accepts, when yargs lists choices. */
  choices: Map<string, string[]>;
}

export interface CliSurface {
  /** The subcommands of mfa-login, as listed under "Commands:" (hidden ones are not listed). */
  commands: string[];
  /** The flags of `mfa-login PROFILE` (the default command, i.e. login), under '' */
  flags: Map<string, Options>;
  /** Positionals with choices, per command. */
  positionalChoices: Map<string, Map<string, string[]>>;
  env: Options;
}

/** Splits yargs help into its sections ("Commands:", "Positionals:", "Options:", "Examples:"). */
export function sections(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split('\n')) {
    const header = /^([A-Z][A-Za-z ]*):$/.exec(line);
    if (header) {
      current = [];
      out.set(header[1]!, current);
    } else if (current) {
      current.push(line);
    }
  }
  return out;
}

/**
 * Entries of an Options/Positionals section: each entry's first line plus its continuation lines.
 * An entry starts in the left column (yargs indents names by 2 to 6 spaces); a wrapped description
 * line sits under its description's column, even when it begins with a flag's name.
 */
function entries(lines: string[], start: RegExp): { head: RegExpExecArray; text: string }[] {
  const out: { head: RegExpExecArray; text: string }[] = [];
  for (const line of lines) {
    const m = start.exec(line);
    if (m) out.push({ head: m, text: line });
    else if (out.length > 0 && line.trim() !== '') out[out.length - 1]!.text += ` ${line.trim()}`;
  }
  return out;
}

function choicesOf(text: string): string[] | undefined {
  const m = /\[choices: ([^\]]*)\]/.exec(text);
  return m ? m[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : undefined;
}

export function parseOptions(help: string): Options {
  const flags: string[] = [];
  const choices = new Map<string, string[]>();
  for (const { head, text } of entries(sections(help).get('Options') ?? [], /^ {1,8}(?:(-[A-Za-z0-9]),\s+)?(--[A-Za-z0-9][\w-]*)/)) {
    if (head[1]) flags.push(head[1]);
    flags.push(head[2]!);
    const c = choicesOf(text);
    if (c) choices.set(head[2]!, c);
  }
  return { flags, choices };
}

export function parsePositionalChoices(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { head, text } of entries(sections(help).get('Positionals') ?? [], /^ {1,8}([A-Za-z][\w-]*)\s/)) {
    const c = choicesOf(text);
    if (c) out.set(head[1]!, c);
  }
  return out;
}

export function parseCommands(help: string): string[] {
  return (sections(help).get('Commands') ?? []).flatMap((line) => {
    const m = /^\s+mfa-login\s+([a-z][\w-]*)/.exec(line);
    return m ? [m[1]!] : [];
  });
}

let cached: Promise<CliSurface> | undefined;

/** Asks the built CLI (all the --help runs at once: each is a Node start). */
export function cliSurface(): Promise<CliSurface> {
  cached ??= (async () => {
    const [top, env] = await Promise.all([cli('mfa-login', ['--help']), cli('mfa-env', ['--help'])]);
    const commands = parseCommands(top);
    const helps = await Promise.all(commands.map((c) => cli('mfa-login', [c, '--help'])));
    const flags = new Map<string, Options>([['', parseOptions(top)]]);
    const positionalChoices = new Map<string, Map<string, string[]>>();
    commands.forEach((c, i) => {
      flags.set(c, parseOptions(helps[i]!));
      positionalChoices.set(c, parsePositionalChoices(helps[i]!));
    });
    return { commands, flags, positionalChoices, env: parseOptions(env) };
  })();
  return cached;
}
