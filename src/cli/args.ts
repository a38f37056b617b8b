import type { Argv, Options, PositionalOptions } from 'yargs';
import { MfaLoginError } from '../errors.js';
import { READ_BY, VARIABLES, type Variable } from '../variables.js';
import { GLOBAL_FLAGS, usageOf, type Definition, type Flag, type Planned, type Positional, type Table } from './definition.js';
import { ENV_TABLE, LOGIN_TABLE, type Command } from './definitions/table.js';
import { emptyValue, flagsOf, TAGGED_STRINGS, usageError, vocabularyOf, type CommandFlags, type Vocabulary } from './usage-errors.js';

export type { Command } from './definitions/table.js';

export interface Parsed<C extends Planned = Command> {
  command: C;
  debug: boolean;
}

export type Tool = 'mfa-login' | 'mfa-env';

/**
 * The width --help wraps at, for mfa-login and mfa-env alike: the terminal's when stdout is one,
 * else 100 (the widest every example's command fits on one line at).
 */
export function helpWidth(stdout: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stdout.isTTY === true && stdout.columns ? stdout.columns : 100;
}

/** The variables' column: as wide as the longest name, so every command's block lines up alike. */
const NAME_COLUMN = Math.max(...Object.keys(VARIABLES).map((n) => n.length));

/**
 * The "Environment" block of a command's --help (the variables its definition reads, from
 * `READ_BY` in variables.ts), or undefined for a command that reads none. Rows in yargs' layout
 * language (cliui): name, a tab, then the text it wraps at the help's width under its own column.
 */
export function environmentHelp(reads: readonly Variable[] | undefined, note?: string): string | undefined {
  const names = [...new Set(reads ?? [])];
  if (names.length === 0) return undefined;
  const rows = names.map((n) => `  ${n.padEnd(NAME_COLUMN)}  \t${VARIABLES[n]}`);
  return ['Environment:', ...rows, ...(note !== undefined ? ['', note] : [])].join('\n');
}

/** What each tool says above and below its commands. */
const TOOLS: Record<Tool, { usage: string; epilogue?: string }> = {
  'mfa-login': {
    usage: '$0 <profile> | $0 <command>\n\nAWS credentials behind one MFA code: long-term keys in the OS keychain, sessions cached until they expire.',
    epilogue: environmentHelp(READ_BY['mfa-login'], 'Each command\'s --help names the variables it reads.')!,
  },
  'mfa-env': {
    usage: 'eval "$(mfa-env [profile])"\n\nPrints the statements that put a profile\'s credentials into your shell. Any prompt goes to the terminal, not to the captured output.',
  },
};

export async function parseArgs(argv: string[], version: string): Promise<Parsed> {
  return (await parseWith('mfa-login', LOGIN_TABLE, argv, version)) as Parsed;
}

/** `mfa-env [<profile>]`: its own small command line, from its one definition. */
export async function parseEnvArgs(argv: string[], version: string): Promise<Parsed> {
  return (await parseWith('mfa-env', ENV_TABLE, argv, version)) as Parsed;
}

/**
 * What mfa-login's command line may hold, from its table: the commands --help lists and every
 * flag. The one list every "did you mean" and every check of a printed hint uses.
 */
export async function cliVocabulary(table: Table = LOGIN_TABLE): Promise<Vocabulary> {
  return vocabularyOf('mfa-login', table, () => undefined);
}

/** Parses a tool's command line with the parser built from `table`; nothing is run. */
export async function parseWith(tool: Tool, table: Table, argv: string[], version: string): Promise<Parsed<Planned>> {
  const { default: yargs } = await import('yargs');
  let command: Planned | undefined;
  /** The flags of the command being parsed (set as yargs picks the command). */
  let offered: CommandFlags | undefined;
  const parser = parserFor(yargs(argv), tool, table, version, {
    plan: (c) => (command = c),
    picked: (d) => (offered = flagsOf(d)),
  });
  const vocabulary = vocabularyOf(tool, table, () => offered);

  let helpText = '';
  let failure: string | undefined;
  // A value that is missing is said as such, not as a wrong one (`--region ""`): `--region` last.
  const args = await new Promise<Record<string, unknown>>((resolve, reject) => {
    parser.fail((msg: string | undefined, err: Error | undefined) => {
      failure = msg ?? err?.message ?? 'invalid arguments';
    });
    try {
      parser.parse(argv, {}, (err: Error | undefined, parsed: Record<string, unknown>, output: string) => {
        helpText = output;
        if (err && failure === undefined) {
          if (err instanceof MfaLoginError) return reject(emptyValue(vocabulary, argv) ?? err);
          failure = err.message;
        }
        resolve(parsed);
      });
    } catch (e) {
      reject(emptyValue(vocabulary, argv) ?? e);
    }
  });
  if (failure !== undefined) throw usageError(vocabulary, failure, argv);
  const empty = emptyValue(vocabulary, argv);
  if (empty !== undefined) throw empty;
  const debug = args.debug === true;
  if (args.version === true) return { command: { name: 'version' }, debug };
  if (args.help === true || (command === undefined && helpText !== '')) return { command: { name: 'help', text: helpText } as Planned, debug };
  if (command === undefined) throw new MfaLoginError('E_USAGE', 'nothing to do', { hint: `see: ${tool} --help` });
  return { command, debug };
}

function optionOf(f: Flag): Options {
  return {
    type: f.type,
    describe: f.describe,
    ...(f.alias !== undefined ? { alias: f.alias } : {}),
    ...(f.choices !== undefined ? { choices: [...f.choices] } : {}),
    // One value each time it is given: a list that took every word after it would take the profile.
    ...(f.repeatable === true ? { array: true, nargs: 1 } : {}),
  };
}

function positionalOf(p: Positional): PositionalOptions {
  return { type: 'string', ...(p.variadic === true ? { array: true } : {}), ...(p.describe !== undefined ? { describe: p.describe } : {}), ...(p.choices !== undefined ? { choices: [...p.choices] } : {}) };
}

/** Parts of a definition set up on a yargs instance, in the order its --help shows them. */
function lineOf(y: Argv, d: Definition, parts: { positionals?: boolean; flags?: boolean; examples?: boolean; environment?: boolean }): Argv {
  let b = y;
  if (parts.positionals) for (const p of d.positionals ?? []) b = b.positional(p.name, positionalOf(p));
  if (parts.flags) {
    for (const [name, f] of Object.entries(d.flags ?? {})) b = b.option(name, optionOf(f));
    for (const [one, other] of d.conflicts ?? []) b = b.conflicts(one, other);
  }
  if (parts.examples) for (const [line, text] of d.examples ?? []) b = b.example(line, text);
  const block = parts.environment ? environmentHelp(d.reads) : undefined;
  return block === undefined ? b : b.epilogue(block);
}

/**
 * A tool's yargs parser, built from its table: each definition with a plan becomes a command
 * (`$0` for the default one). `plan` receives what was asked for; `picked` the definition yargs
 * chose, as it sets up its options (before validation, so "did you mean" knows its flags).
 */
export function parserFor(y: Argv, tool: Tool, table: Table, version: string, on: { plan: (c: Planned) => void; picked: (d: Definition) => void }): Argv {
  const own = TOOLS[tool];
  // mfa-env's flags are the tool's own (its --help lists them before --debug, --version, --help).
  const flat = tool === 'mfa-env';
  let p = y.locale('en').updateStrings(TAGGED_STRINGS as unknown as Record<string, string>).scriptName(tool).usage(own.usage);
  if (tool === 'mfa-login') p = p.parserConfiguration({ 'populate--': true });
  if (!flat) for (const [name, f] of Object.entries(GLOBAL_FLAGS)) p = p.option(name, { ...optionOf(f), global: true });
  for (const d of table) {
    const plan = d.plan;
    if (plan === undefined) continue;
    const builder = (c: Argv): Argv => {
      on.picked(d);
      return lineOf(c, d, { positionals: true, flags: !flat, examples: !flat, environment: !flat && d.default !== true });
    };
    const handler = (a: Record<string, unknown>): void => on.plan(plan(a));
    p = d.describe === false || d.default === true ? p.command(usageOf(d), false, builder, handler) : p.command(usageOf(d), d.describe, builder, handler);
    if (flat && d.default === true) {
      p = lineOf(p, d, { flags: true });
      for (const [name, f] of Object.entries(GLOBAL_FLAGS)) p = p.option(name, optionOf(f));
      p = lineOf(p, d, { examples: true, environment: true });
    }
  }
  if (flat) p = p.wrap(helpWidth()).strict();
  else p = p.strict();
  p = p.version(version).help().alias('help', 'h');
  if (own.epilogue !== undefined) p = p.epilogue(own.epilogue);
  if (!flat) p = p.wrap(helpWidth());
  return p.exitProcess(false);
}
