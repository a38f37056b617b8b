/**
 * The completion scripts' lists of commands, flags and values, made from the command table. Each
 * script in completions/ is hand-written shell around one region between two marker lines; the
 * region is this module's output for the real table, and `mfa-login completion SHELL` prints
 * the script with the region made afresh from the table it was chosen from. A test checks that
 * the shipped files are what the real table makes (`npm run completions` writes them).
 */
import { GLOBAL_FLAGS, listed, type Definition, type Flag, type Table } from './definition.js';
import { env as envDefinition } from './definitions/env.js';

export type CompletionShell = 'bash' | 'zsh' | 'fish' | 'nu';

export const BEGIN = '# >>> made from the command table (src/cli/definitions/) by `npm run completions`: do not edit';
export const END = '# <<< made from the command table';

/** The flags every command takes: the table's global ones, then those yargs adds. */
const EVERY: Readonly<Record<string, Flag>> = {
  ...GLOBAL_FLAGS,
  help: { type: 'boolean', alias: 'h', describe: 'show help' },
  version: { type: 'boolean', describe: 'show version number' },
};

/** `shipped` with its region made from `table` (and mfa-env's definition). */
export function completionScript(shell: CompletionShell, shipped: string, table: Table, env: Definition = envDefinition): string {
  // The nushell script is not made from the table yet: test/completions/nu.test.ts holds it to
  // what --help says, as the others were before.
  if (shell === 'nu') return shipped;
  const begin = shipped.indexOf(`${BEGIN}\n`);
  const end = shipped.indexOf(`${END}\n`);
  if (begin < 0 || end < begin) throw new Error(`the ${shell} completion script has no region between "${BEGIN}" and "${END}"`);
  const surface = surfaceOf(table, env);
  const made = shell === 'bash' ? bash(surface) : shell === 'zsh' ? zsh(surface) : fish(surface);
  return `${shipped.slice(0, begin)}${BEGIN}\n${made}${shipped.slice(end)}`;
}

/** What the scripts complete: '' is `mfa-login PROFILE` (the default command). */
interface Surface {
  commands: Definition[];
  /** The default command first, as '', then each listed command by name. */
  lines: Array<[key: string, d: Definition]>;
  env: Definition;
  /** Every flag that takes a value, with the values it takes (choices, profile names). */
  valueFlags: Map<string, Flag>;
}

function surfaceOf(table: Table, env: Definition): Surface {
  const commands = listed(table);
  const bare = table.find((d) => d.default === true && d.plan !== undefined);
  const lines: Array<[string, Definition]> = [...(bare !== undefined ? [['', bare] as [string, Definition]] : []), ...commands.map((d) => [d.name, d] as [string, Definition])];
  const valueFlags = new Map<string, Flag>();
  for (const [, d] of [...lines, ['', env] as const]) {
    for (const [name, f] of Object.entries(d.flags ?? {})) {
      if (f.type !== 'string') continue;
      const seen = valueFlags.get(name);
      // One value completion per flag name: two commands whose --shell took different values
      // would need the scripts to know which command is being completed, which they do not.
      if (seen !== undefined && (JSON.stringify(seen.choices) !== JSON.stringify(f.choices) || seen.profileValue !== f.profileValue)) {
        throw new Error(`--${name} takes other values in ${d.name} than elsewhere`);
      }
      valueFlags.set(name, f);
    }
  }
  return { commands, lines, env, valueFlags };
}

/** Each flag of a definition as the command line spells it, aliases after. */
function spelled(flags: Readonly<Record<string, Flag>>): string[] {
  return Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.alias !== undefined ? [`-${f.alias}`] : [])]);
}

const words = (xs: readonly string[]) => xs.join(' ');

/** The keys whose definitions make the same text, together, in the order each text first comes. */
function grouped(lines: Array<[string, Definition]>, text: (d: Definition) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, d] of lines) {
    const t = text(d);
    out.set(t, [...(out.get(t) ?? []), key]);
  }
  return out;
}

// --- bash -------------------------------------------------------------------------------------

function bash(s: Surface): string {
  const q = (t: string) => (t === '' ? "''" : t);
  const out: string[] = [];
  out.push('# The commands --help lists.', '__mfa_login_commands() {', `    printf '%s\\n' ${words(s.commands.map((d) => d.name))}`, '}', '');
  out.push('# Succeeds if $1 is one of them.', '__mfa_login_is_command() {', '    case $1 in', `        ${s.commands.map((d) => d.name).join(' | ')}) return 0 ;;`, '    esac', '    return 1', '}', '');
  out.push("# The flags of one mfa-login command ('' is `mfa-login <profile>`, i.e. login).", '__mfa_login_flags() {', '    case $1 in');
  for (const [body, keys] of grouped(s.lines.filter(([, d]) => Object.keys(d.flags ?? {}).length > 0), (d) => `printf '%s\\n' ${words(spelled(d.flags!))}`)) {
    out.push(`        ${keys.map(q).join(' | ')}) ${body} ;;`);
  }
  out.push('    esac', `    printf '%s\\n' ${words(spelled(EVERY))}`, '}', '');
  out.push("# mfa-env's flags.", '__mfa_env_flags() {', `    printf '%s\\n' ${words([...spelled(s.env.flags ?? {}), ...spelled(EVERY)])}`, '}', '');
  out.push("# Succeeds if the flag takes a value in the next word (or after '=').", '__mfa_login_takes_value() {', '    case $1 in', `        ${[...s.valueFlags.keys()].map((n) => `--${n}`).join(' | ')}) return 0 ;;`, '    esac', '    return 1', '}', '');
  out.push('# Completes the value $3 of the flag $2 (profile names from the mfa-login $1).', '__mfa_login_flag_value() {', '    case $2 in');
  for (const [name, f] of s.valueFlags) {
    if (f.profileValue === true) out.push(`        --${name}) __mfa_login_profiles "$1" "$3" ;;`);
    else if (f.choices !== undefined) out.push(`        --${name}) __mfa_login_add "$3" < <(printf '%s\\n' ${words(f.choices)}) ;;`);
  }
  out.push('    esac', '}', '');
  // Profile positionals first, then choices, then what runs a command of its own: a command's
  // `cmd:*` comes after its numbered positionals.
  const profiles: string[] = [];
  const choices: string[] = [];
  const rest: string[] = [];
  for (const [key, d] of s.lines) {
    (d.positionals ?? []).forEach((p, i) => {
      if (p.variadic === true) rest.push(`        ${key}:*) __mfa_login_command_offset "$COMP_CWORD" ;;`);
      else if (p.profile === true) profiles.push(`${key}:${i}`);
      else if (p.choices !== undefined) choices.push(`        ${key}:${i}) __mfa_login_add "$4" < <(printf '%s\\n' ${words(p.choices)}) ;;`);
    });
  }
  out.push("# Completes the word $4 as positional $3 (from 0) of the command $2 ('' before a command; profile", '# names from the mfa-login $1).', '__mfa_login_positional() {', '    case $2:$3 in');
  if (profiles.length > 0) out.push(`        ${profiles.join(' | ')}) __mfa_login_profiles "$1" "$4" ;;`);
  out.push(...choices, ...rest, '    esac', '}');
  return `${out.join('\n')}\n`;
}

// --- zsh --------------------------------------------------------------------------------------

/** A word in single quotes. */
const sq = (t: string) => `'${t.replace(/'/g, "'\\''")}'`;
/** Text inside an _arguments `[...]`. */
const bracketed = (t: string) => t.replace(/\\/g, '\\\\').replace(/[[\]]/g, (c) => `\\${c}`);

function zshAction(f: { choices?: readonly string[]; profile?: boolean; profileValue?: boolean }): string {
  if (f.profile === true || f.profileValue === true) return '__mfa-login_profiles';
  if (f.choices !== undefined) return `(${words(f.choices)})`;
  return ' ';
}

function zshFlags(flags: Readonly<Record<string, Flag>>, conflicts: readonly (readonly [string, string])[] = [], indent = '      '): string[] {
  return Object.entries(flags).map(([name, f]) => {
    const others = conflicts.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : [])).map((o) => `--${o}`);
    const value = f.type === 'string' ? `:${name.replace(/-/g, ' ')}:${zshAction(f)}` : '';
    const text = `[${bracketed(f.describe)}]${value}`;
    if (f.alias !== undefined) {
      const excl = `(${f.repeatable === true ? '' : `-${f.alias} --${name}`}${others.map((o) => ` ${o}`).join('')})${f.repeatable === true ? '*' : ''}`;
      return `${indent}${sq(excl)}{-${f.alias}${f.type === 'string' ? '+' : ''},--${name}${f.type === 'string' ? '=' : ''}}${sq(text)}`;
    }
    const excl = others.length > 0 ? `(${others.join(' ')})` : '';
    // `*`: offered again after it is given (zsh offers an option once unless told it repeats).
    return `${indent}${sq(`${excl}${f.repeatable === true ? '*' : ''}--${name}${f.type === 'string' ? '=' : ''}${text}`)}`;
  });
}

function zshArgs(d: Definition): string[] {
  return (d.positionals ?? []).map((p, i) => (p.variadic === true ? sq('*:: :__mfa-login_exec_command') : sq(`${i + 1}:${p.name}:${zshAction(p)}`)));
}

function zshSpecs(d: Definition, indent: string): string[] {
  return [`${indent}opts=(`, ...zshFlags(d.flags ?? {}, d.conflicts, `${indent}  `), `${indent})`, `${indent}args=(${zshArgs(d).join(' ')})`];
}

function zsh(s: Surface): string {
  const out: string[] = [];
  out.push('__mfa-login_commands() {', '  local -a commands', '  commands=(');
  for (const d of s.commands) out.push(`    ${sq(`${d.name}:${d.describe}`)}`);
  out.push('  )', '  _describe -t commands command commands', '}', '');
  const globals = ['  global_opts=(', ...zshFlags(GLOBAL_FLAGS, [], '    '), "    '(- *)'{-h,--help}'[show help]'", "    '(- *)--version[show version number]'", '  )'];
  out.push(
    "# The _arguments specs of an mfa-login command ($1; '' for `mfa-login PROFILE`): the flags of",
    '# every command in global_opts, its own in opts, its positionals in args. Fails for a word that',
    '# is no command.',
    '__mfa-login_specs() {',
    ...globals,
    '  case $1 in',
  );
  for (const [body, keys] of grouped(s.lines, (d) => zshSpecs(d, '      ').join('\n'))) out.push(`    ${keys.map((k) => (k === '' ? "''" : k)).join('|')})`, body, '      ;;');
  out.push('    *) return 1 ;;', '  esac', '}', '');
  out.push("# mfa-env's, the same way.", '__mfa-env_specs() {', ...globals, ...zshSpecs(s.env, '  '), '}');
  return `${out.join('\n')}\n`;
}

// --- fish -------------------------------------------------------------------------------------

/** A word in fish's single quotes. */
const fq = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishFlag(f: Flag, name: string): string {
  const short = f.alias !== undefined ? ` -s ${f.alias}` : '';
  const value = f.type !== 'string' ? '' : f.profileValue === true ? " -x -a '(__mfa_login_profiles)'" : f.choices !== undefined ? ` -x -a ${fq(words(f.choices))}` : ' -x';
  return `${short} -l ${name}${value} -d ${fq(f.describe)}`;
}

function fish(s: Surface): string {
  const out: string[] = [];
  out.push('# The commands --help lists.', 'function __mfa_login_commands', `    printf '%s\\n' ${words(s.commands.map((d) => d.name))}`, 'end', '');
  out.push('# The flags that take a value in the next word.', 'function __mfa_login_value_flags', `    printf '%s\\n' ${words([...s.valueFlags.keys()].map((n) => `--${n}`))}`, 'end', '');
  out.push('# Commands, and `mfa-login PROFILE`');
  for (const d of s.commands) out.push(`complete -c mfa-login -n '__mfa_login_at ":0"' -a ${d.name} -d ${fq(String(d.describe))}`);
  const profiles: string[] = [];
  const choices: string[] = [];
  for (const [key, d] of s.lines) {
    (d.positionals ?? []).forEach((p, i) => {
      if (p.variadic === true) return;
      if (p.profile === true) profiles.push(`"${key}:${i}"`);
      else if (p.choices !== undefined) choices.push(`complete -c mfa-login -n '__mfa_login_at "${key}:${i}"' -a ${fq(words(p.choices))} -d ${p.name}`);
    });
  }
  if (profiles.length > 0) out.push(`complete -c mfa-login -n '__mfa_login_at ${profiles.join(' ')}' -a '(__mfa_login_profiles)' -d profile`);
  out.push(...choices, '', '# Every command');
  for (const [name, f] of Object.entries(EVERY)) out.push(`complete -c mfa-login -n 'not __mfa_login_at exec-command'${fishFlag(f, name)}`);
  // One line a flag and its meaning, for every command that has it so.
  const where = new Map<string, { name: string; flag: Flag; at: string[] }>();
  for (const [key, d] of s.lines) {
    for (const [name, f] of Object.entries(d.flags ?? {})) {
      const id = JSON.stringify([name, f]);
      const entry = where.get(id) ?? { name, flag: f, at: [] };
      entry.at.push(...(key === '' ? ['":*"', '"-:*"'] : [`"${key}:*"`]));
      where.set(id, entry);
    }
  }
  out.push('', '# The flags of each command (":*" and "-:*" are `mfa-login PROFILE`)');
  for (const { name, flag, at } of where.values()) out.push(`complete -c mfa-login -n '__mfa_login_at ${at.join(' ')}'${fishFlag(flag, name)}`);
  out.push('', '# mfa-env');
  for (const [name, f] of Object.entries({ ...(s.env.flags ?? {}), ...EVERY })) out.push(`complete -c mfa-env${fishFlag(f, name)}`);
  return `${out.join('\n')}\n`;
}
