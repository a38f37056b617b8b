import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../completions/harness.js';
import { parseCommands, sections } from '../completions/cli-help.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../completions/harness.js';
import { READ_BY, VARIABLES } from '../../src/variables.js';

/**
 * An example in --help is copied as it stands: its command must be on one line. yargs gives the
 * command column at most half the width and breaks a longer command across two lines, where the
 * second half stands alone with no description beside it.
 */
test('every example in --help keeps its command on one line', async () => {
  const commands = parseCommands(await cli('mfa-login', ['--help']));
  assert.ok(commands.length > 10, commands.join(' '));
  const helps: Array<[string, string]> = [['mfa-login', await cli('mfa-login', ['--help'])], ['mfa-env', await cli('mfa-env', ['--help'])]];
  for (const command of commands) helps.push([`mfa-login ${command}`, await cli('mfa-login', [...command.split(' '), '--help'])]);
  let examples = 0;
  for (const [name, help] of helps) {
    for (const line of sections(help).get('Examples') ?? []) {
      if (line.trim() === '') continue;
      // `  COMMAND   description`, or a description carried on, indented past the command column.
      if (/^ {2}\S/.test(line)) {
        examples++;
        assert.match(line, /^ {2}\S.*\S {2,}\S/, `${name} --help: an example with its command broken off:\n${help}`);
      } else {
        assert.match(line, /^ {20,}\S/, `${name} --help: a stray line in Examples:\n${help}`);
      }
    }
  }
  assert.ok(examples > 20, `examples seen: ${examples}`);
});

/** The rows of a help's Environment block: each variable with its text, continuation lines joined. */
function environmentOf(help: string): Map<string, string> {
  const rows = new Map<string, string>();
  let last: string | undefined;
  for (const line of sections(help).get('Environment') ?? []) {
    const m = /^ {2}([A-Z][A-Z0-9_]+) +(\S.*)$/.exec(line);
    if (m) rows.set((last = m[1]!), m[2]!.trim());
    else if (last !== undefined && /^ {20,}\S/.test(line)) rows.set(last, `${rows.get(last)} ${line.trim()}`);
    else last = undefined;
  }
  return rows;
}

test('every command\'s --help ends with the environment variables it reads, from the one table in settings.ts', async () => {
  const commands = parseCommands(await cli('mfa-login', ['--help']));
  const helps: Array<[name: string, key: string, help: string]> = [
    ['mfa-login', 'mfa-login', await cli('mfa-login', ['--help'])],
    ['mfa-env', 'env', await cli('mfa-env', ['--help'])],
  ];
  for (const command of commands) helps.push([`mfa-login ${command}`, command.split(' ')[0]!, await cli('mfa-login', [...command.split(' '), '--help'])]);
  for (const [name, key, help] of helps) {
    const expected = [...new Set(READ_BY[key] ?? [])];
    const shown = environmentOf(help);
    assert.deepEqual([...shown.keys()], expected, `${name} --help:\n${help}`);
    for (const v of expected) assert.equal(shown.get(v), VARIABLES[v], `${name} --help, ${v}`);
  }
  // The commands that read none: the completion scripts and the shell functions are fixed text.
  assert.deepEqual(helps.filter(([, key]) => (READ_BY[key] ?? []).length === 0).map(([name]) => name).sort(), ['mfa-login completion', 'mfa-login shell-init']);
  assert.ok(environmentOf(helps[0]![2]).has('MFA_LOGIN_CACHE'));
  assert.match(helps[0]![2], /^Each command's --help names the variables it reads\.$/m);
  // The variables a session's commands read, in their words.
  const login = environmentOf(helps.find(([name]) => name === 'mfa-login login')![2]);
  for (const v of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'MFA_LOGIN_BACKEND', 'MFA_LOGIN_CACHE', 'MFA_LOGIN_MFA_TOKEN']) assert.ok(login.has(v), v);
});

test('the table names every MFA_LOGIN_ variable the code reads and the README documents, and nothing else', () => {
  const ours = (text: string) => new Set([...text.matchAll(/\bMFA_LOGIN_[A-Z_]*[A-Z]\b/g)].map((m) => m[0]).filter((v) => !/^MFA_LOGIN_(TEST|INTERNAL)_/.test(v)));
  const table = new Set(Object.keys(VARIABLES).filter((v) => v.startsWith('MFA_LOGIN_')));
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const envSection = readme.slice(readme.indexOf('\n## Environment\n'), readme.indexOf('\n## ', readme.indexOf('\n## Environment\n') + 5));
  assert.deepEqual([...ours(envSection)].sort(), [...table].sort(), 'README\'s Environment table and settings.ts\'s VARIABLES');
  const src = (dir: string): string => readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? src(path.join(dir, e.name)) : e.name.endsWith('.ts') ? readFileSync(path.join(dir, e.name), 'utf8') : '')).join('\n');
  const read = ours(src(path.join(ROOT, 'src')));
  for (const v of read) assert.ok(table.has(v), `${v} is read in src/ but not in settings.ts's VARIABLES`);
});

test('mfa-env and mfa-login wrap their help at one width: a row they share reads the same in both', async () => {
  const env = await cli('mfa-env', ['--help']);
  const exec = await cli('mfa-login', ['exec', '--help']);
  const rows = (help: string, name: string) => {
    const lines = help.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`  ${name} `));
    return lines.slice(at, at + 1 + lines.slice(at + 1).findIndex((l) => !/^ {20,}\S/.test(l))).join('\n');
  };
  for (const name of ['MFA_LOGIN_LOCK_TIMEOUT', 'MFA_LOGIN_FILE_PASSPHRASE', 'AWS_ENDPOINT_URL_STS']) {
    assert.match(rows(env, name), new RegExp(`^  ${name} `));
    assert.equal(rows(env, name), rows(exec, name), name);
  }
  // Not on a terminal: 100 columns for both (their longest lines reach past mfa-env's old 80).
  const widest = (help: string) => Math.max(...help.split('\n').map((l) => l.length));
  assert.ok(widest(env) > 80 && widest(env) <= 100, `mfa-env: ${widest(env)}`);
  assert.ok(widest(exec) > 80 && widest(exec) <= 100, `mfa-login exec: ${widest(exec)}`);
});
