/**
 * completions/mfa-login.nu in step with the CLI, as sync.test.ts keeps the bash, zsh and fish
 * scripts: an `extern` for every command (and mfa-env) naming exactly that command's flags, and
 * completers offering exactly the CLI's choices. nushell loads it for real in
 * test/consumers/nushell.test.ts; `mfa-login completion nu` prints it byte for byte.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSurface, type CliSurface } from './cli-help.js';
import { cli, ROOT } from './harness.js';

const SCRIPT = join(ROOT, 'completions', 'mfa-login.nu');
const text = readFileSync(SCRIPT, 'utf8');

let surface: CliSurface;
before(async () => {
  surface = await cliSurface();
});

/** The flags of each `export extern "NAME" [ ... ]` block: `--long` and `(-s)`. */
function externs(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/^export extern "([^"]+)" \[\n([\s\S]*?)^\]/gm)) {
    const flags: string[] = [];
    for (const line of m[2]!.split('\n')) {
      const f = /^\s*(--[a-z][a-z0-9-]*)(?:\((-[a-zA-Z])\))?/.exec(line.replace(/#.*$/, ''));
      if (f) flags.push(f[1]!, ...(f[2] ? [f[2]] : []));
    }
    out.set(m[1]!, flags.sort());
  }
  return out;
}

/** The list a `def "nu-complete mfa-login NAME" [] { [a b c] }` completer returns. */
function choices(name: string): string[] {
  const m = new RegExp(`^def "nu-complete mfa-login ${name}" \\[\\] \\{ \\[([^\\]]*)\\] \\}$`, 'm').exec(text);
  assert.ok(m, `no completer ${name}`);
  return m[1]!.split(' ');
}

test('mfa-login completion nu prints completions/mfa-login.nu, which starts with how to install it', async () => {
  assert.equal(await cli('mfa-login', ['completion', 'nu']), text);
  assert.ok(text.split('\n').slice(0, 8).some((l) => l.startsWith('#') && l.includes('mfa-login completion nu | save -f ($nu.default-config-dir | path join mfa-login-completion.nu)')));
});

test('an extern for mfa-env and every command, with exactly its flags', () => {
  const x = externs();
  assert.deepEqual([...x.keys()].sort(), ['mfa-env', 'mfa-login', ...surface.commands.map((c) => `mfa-login ${c}`)].sort());
  assert.deepEqual(x.get('mfa-login'), [...surface.flags.get('')!.flags].sort(), 'mfa-login PROFILE');
  for (const c of surface.commands) assert.deepEqual(x.get(`mfa-login ${c}`), [...surface.flags.get(c)!.flags].sort(), c);
  assert.deepEqual(x.get('mfa-env'), [...surface.env.flags].sort(), 'mfa-env');
});

test('the completers offer the CLI\'s commands and choices', () => {
  assert.deepEqual(choices('shells'), surface.env.choices.get('--shell'));
  assert.deepEqual(choices('shells'), surface.flags.get('serve')!.choices.get('--shell'));
  assert.deepEqual(choices('completion-shells'), surface.positionalChoices.get('completion')!.get('shell'));
  assert.deepEqual(choices('init-shells'), surface.positionalChoices.get('shell-init')!.get('shell'));
  assert.deepEqual(choices('partitions'), surface.flags.get('policy')!.choices.get('--partition'));
  assert.deepEqual(choices('agent-actions'), surface.positionalChoices.get('agent')!.get('action'));
  assert.deepEqual(choices('mfa-actions'), surface.positionalChoices.get('mfa')!.get('action'));
  const commands = /^\s+\[([a-z -]+)\] \| append \(nu-complete mfa-login profiles\)$/m.exec(text);
  assert.deepEqual(commands?.[1]!.split(' ').sort(), [...surface.commands].sort());
});
