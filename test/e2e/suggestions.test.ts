/**
 * One suggestion mechanism for every command and every name. Every command the CLI lists in its
 * own --help (not a list written here) is run with a mistyped command name, a mistyped flag and,
 * when it takes one, a mistyped profile; each must answer with the same kind of suggestion ("did
 * you mean X?", with a hint), and every command a hint names must work as printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MFA_ENV, Sandbox, user, type RunResult } from './harness.js';
import { commandsIn, isTemplate, notAsPrinted, runAsPrinted } from './hints.js';
import { parseCommands, parseOptions, parsePositionalChoices } from '../completions/cli-help.js';

const alice = user('alice');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const CONFIG = `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = alice\n`;
let sb: Sandbox;

/** What the built CLI says about one command, from its own --help. */
interface CommandHelp {
  name: string;
  /** The positionals of its usage line, in order (`action`, `profile`; `command..` for exec's). */
  positionals: string[];
  choices: Map<string, string[]>;
  /** Its own flags, without the global ones every command has. */
  flags: string[];
}
let commands: CommandHelp[] = [];
let envFlags: string[] = [];
const GLOBAL_FLAGS = ['--help', '--version', '--debug', '-h'];

before(async () => {
  sb = await new Sandbox([alice]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  sb.write('.aws/config', CONFIG);
  await sb.add('alice', alice);
  const top = await sb.run(['--help']);
  assert.equal(top.status, 0, top.stderr);
  const names = parseCommands(top.stdout);
  assert.ok(names.length >= 15, top.stdout);
  commands = await Promise.all(
    names.map(async (name) => {
      const help = (await sb.run([name, '--help'])).stdout;
      const usage = help.split('\n')[0] ?? '';
      assert.ok(usage.startsWith(`mfa-login ${name}`), `${name} --help starts with its usage: ${usage}`);
      return {
        name,
        positionals: [...usage.matchAll(/[<[]([\w-]+(?:\.\.)?)[>\]]/g)].map((m) => m[1]!),
        choices: parsePositionalChoices(help),
        flags: parseOptions(help).flags.filter((f) => f.startsWith('--') && !GLOBAL_FLAGS.includes(f)),
      };
    }),
  );
  envFlags = parseOptions((await sb.run(['--help'], { bin: MFA_ENV })).stdout).flags.filter((f) => f.startsWith('--') && !GLOBAL_FLAGS.includes(f));
});
after(async () => {
  await sb.run(['logout', '--all']);
  await sb.stop();
});

/** A slip of the fingers: the last two neighbouring letters that differ, swapped (`rotate`: rotaet). */
function typo(word: string): string {
  for (let i = word.length - 2; i >= 0; i--) {
    if (word[i] !== word[i + 1] && /\w/.test(word[i]!) && /\w/.test(word[i + 1]!)) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  }
  throw new Error(`no typo for ${word}`);
}

/** The command line that runs `c` as a user would, with `profile` where it takes one. */
function lineFor(c: CommandHelp, profile: string, extra: string[] = []): string[] {
  const args: string[] = [c.name];
  for (const p of c.positionals) {
    if (p === 'profile') args.push(profile);
    else if (c.choices.has(p)) args.push(c.choices.get(p)![0]!);
    else if (!p.endsWith('..')) throw new Error(`no value for <${p}> of ${c.name}`);
  }
  args.push(...extra);
  // exec runs a command after `--`.
  if (c.positionals.includes('command..')) args.push('--', 'true');
  return args;
}

/** Every distinct hint printed, and the commands in it run as printed. */
const printed = new Map<string, string>();
function noteHints(r: RunResult, label: string): void {
  for (const line of r.stderr.split('\n').filter((l) => l.startsWith('  hint: '))) if (!printed.has(line)) printed.set(line, label);
}

/** One error line with "did you mean" a name, and a hint; nothing on stdout. */
function assertSuggests(r: RunResult, label: string, status: number, line: RegExp): void {
  noteHints(r, label);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(r.status, status, `${label}: exit status; stderr: ${r.stderr}`);
  assert.match(lines[0]!, line, label);
  assert.ok(lines.length === 2 && lines[1]!.startsWith('  hint: '), `${label}: one line and a hint:\n${r.stderr}`);
  assert.equal(r.stdout, '', label);
}

const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the first hour: the words and suggestions a new user met', async () => {
  const del = await sb.run(['mfa', 'delete', 'alice']);
  assert.equal(del.stderr, 'mfa-login: mfa delete: delete is not an mfa action; use create or resync\n  hint: see: mfa-login mfa --help\n');
  for (const [args, near] of [[['rotate', 'alcie'], 'alice'], [['remove', 'prdo'], 'prod'], [['mfa', 'create', 'prdo'], 'prod'], [['remove', 'alcie'], 'alice'], [['mfa', 'resync', 'alcie'], 'alice']] as const) {
    const r = await sb.run([...args]);
    const typed = args[args.length - 1]!;
    assertSuggests(r, args.join(' '), 3, new RegExp(`^mfa-login: profile ${typed} not found; did you mean ${near}\\?`));
    assert.doesNotMatch(r.stderr, new RegExp(`mfa-login add ${typed}`), `${args.join(' ')}: never store keys under the slip`);
  }
  const exce = await sb.run(['exce', 'prod', '--', 'true']);
  assertSuggests(exce, 'exce prod -- true', 2, /^mfa-login: unknown command exce; did you mean exec\?$/);
  const statsu = await sb.run(['statsu']);
  assertSuggests(statsu, 'statsu', 2, /^mfa-login: statsu is neither a command nor a profile; did you mean status\?$/);
});

test('every command the CLI lists, mistyped, is named back: "did you mean <command>?"', async () => {
  for (const c of commands) {
    const slip = typo(c.name);
    assert.ok(!commands.some((o) => o.name === slip), `${slip} is a command itself`);
    // Alone (where it could be a profile name) and with what follows it on the line.
    for (const args of [[slip], [slip, ...lineFor(c, 'alice').slice(1)]]) {
      const r = await sb.run(args);
      assertSuggests(r, args.join(' '), 2, new RegExp(`^mfa-login: (unknown command ${re(slip)}|${re(slip)} is neither a command nor a profile); did you mean ${re(c.name)}\\?$`));
      assert.equal(r.stderr.split('\n')[1], `  hint: see: mfa-login ${c.name} --help`, args.join(' '));
    }
  }
});

test('every command the CLI lists, given a mistyped flag of its own, is named it back: "did you mean --<flag>?"', async () => {
  for (const c of commands) {
    // A command with no flag of its own still takes the global ones.
    const flag = c.flags[0] ?? '--debug';
    const slip = `--${typo(flag.slice(2))}`;
    const args = lineFor(c, 'alice', [slip]);
    const r = await sb.run(args);
    assertSuggests(r, args.join(' '), 2, new RegExp(`^mfa-login: unknown option ${re(slip)} for ${re(c.name)}; did you mean ${re(flag)}\\?$`));
  }
  const flag = envFlags[0]!;
  const slip = `--${typo(flag.slice(2))}`;
  const r = await sb.run(['alice', slip], { bin: MFA_ENV });
  assertSuggests(r, `mfa-env alice ${slip}`, 2, new RegExp(`^mfa-env: unknown option ${re(slip)}; did you mean ${re(flag)}\\?$`));
});

test('every command the CLI lists that takes a profile, given a mistyped one, is named it back: "did you mean <profile>?"', async () => {
  // `add` is left out: the name it is given is the one the new profile gets.
  const taking = commands.filter((c) => c.positionals.includes('profile') && c.name !== 'add');
  assert.ok(taking.length >= 12, taking.map((c) => c.name).join(' '));
  const lines: [string, string[]][] = [...taking.map((c): [string, string[]] => [c.name, lineFor(c, 'alcie')]), ['(bare)', ['alcie']]];
  for (const [, args] of lines) {
    const r = await sb.run(args);
    assertSuggests(r, args.join(' '), 3, /^mfa-login: profile alcie not found; did you mean alice\? \(/);
  }
  const env = await sb.run(['alcie'], { bin: MFA_ENV });
  assertSuggests(env, 'mfa-env alcie', 3, /^mfa-env: profile alcie not found; did you mean alice\? \(/);
});

test('every command a hint above names works as printed', async (t) => {
  assert.ok(printed.size >= 10, [...printed.keys()].join('\n'));
  const ran: string[] = [];
  for (const [hint, label] of printed) {
    for (const command of commandsIn(hint)) {
      if (isTemplate(command)) continue;
      const r = await runAsPrinted(sb, command);
      assert.equal(notAsPrinted(r), undefined, `${command} (from "${hint.trim()}", printed for ${label}) does not work as printed:\n${r.stderr}`);
      ran.push(`${command} -> exit ${r.status}`);
    }
  }
  t.diagnostic(ran.join(' | '));
  assert.ok(ran.length >= 10, ran.join(' | '));
});

test('status suggests a command that works: after remove, the one that stores the keys again', async () => {
  sb.write('.aws/config', CONFIG);
  await sb.run(['logout', '--all']);
  const suggested = async (): Promise<string> => {
    const r = await sb.run(['status']);
    assert.equal(r.status, 0, r.stderr);
    const m = /^No sessions cached.* with: (mfa-login [^\n]*?)(?: {2}\(or .*)?$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    return m[1]!;
  };
  // Keys stored: a login it names works (a code is all it needs).
  const first = await suggested();
  assert.equal(first, 'mfa-login login alice');
  const login = await runAsPrinted(sb, `${first} --mfa-token ${await sb.code(alice)}`);
  assert.equal(login.status, 0, login.stderr);
  await sb.run(['logout', '--all']);
  const removed = await sb.run(['remove', 'alice']);
  assert.equal(removed.status, 0, removed.stderr);
  // prod is left, reached through alice, whose keys are gone: logging in to it cannot work.
  const next = await suggested();
  assert.equal(next, 'mfa-login add alice');
  const r = await runAsPrinted(sb, next);
  assert.doesNotMatch(r.stderr, /no keys stored/);
  assert.equal(notAsPrinted(r), undefined, r.stderr);
  // As a person would: the keys typed in.
  await sb.add('alice', alice);
  assert.equal(await suggested(), 'mfa-login login alice');
});
