/**
 * Keeps the completion scripts in step with the CLI: the commands and flags come from the built
 * CLI's own --help output, and each script must offer exactly those, no fewer and no more,
 * both as text and when driven in the real shell.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cliSurface, parseCommands, parseOptions, type CliSurface } from './cli-help.js';
import { assertShell, completeBash, completeFish, completeZsh, needsShell, SCRIPTS, World, type ShellName } from './harness.js';

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

let surface: CliSurface;
before(async () => {
  surface = await cliSurface();
});

describe('the CLI surface read from --help', () => {
  test('has the commands, flags and choices these tests rely on', () => {
    assert.ok(surface.commands.includes('login') && surface.commands.includes('exec') && surface.commands.includes('completion'), `commands: ${surface.commands}`);
    assert.ok(!surface.commands.some((c) => c.startsWith('__')), 'hidden commands are not listed');
    assert.ok(surface.flags.get('add')!.flags.includes('-y'), 'short aliases are read');
    assert.ok(surface.flags.get('')!.flags.includes('--to'), 'the default command has login\'s flags');
    assert.deepEqual(surface.env.choices.get('--shell'), ['sh', 'bash', 'zsh', 'fish', 'powershell', 'pwsh', 'nu', 'nushell']);
    assert.deepEqual(surface.positionalChoices.get('completion')!.get('shell'), ['bash', 'zsh', 'fish', 'nu', 'nushell']);
  });

  test('the help parser copes with wrapped lines and sections', () => {
    const help = [
      'mfa-login <profile> | mfa-login <command>',
      '',
      'Commands:',
      '  mfa-login login [profile]     get an MFA session and write it to ~/.aws/credentials',
      '  mfa-login remove <profile>    delete a profile\'s keys from the keychain and forget its',
      '                                sessions',
      '',
      'Options:',
      '      --debug   say what is done                                   [boolean]',
      '  -y, --yes     record it',
      '                                                                    [boolean]',
      '      --shell   the shell',
      '            [string] [choices: "sh", "bash"]',
      '',
      'Examples:',
      '  mfa-login add alice --import  moves plaintext keys',
    ].join('\n');
    assert.deepEqual(parseCommands(help), ['login', 'remove']);
    const o = parseOptions(help);
    assert.deepEqual(o.flags, ['--debug', '-y', '--yes', '--shell']);
    assert.deepEqual(o.choices.get('--shell'), ['sh', 'bash']);
  });
});

/** A script's code without comments (comments may mention anything). */
function code(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

/**
 * The flags a script names: `--x` and the CLI's short flags (`-y`) as words in bash and zsh;
 * `-l x`/`-s y` of `complete -c` lines in fish.
 */
function flagsNamed(shell: ShellName, text: string): string[] {
  const body = code(text);
  if (shell === 'fish') {
    const out: string[] = [];
    for (const line of body.split('\n').filter((l) => /^\s*complete\s+-c\s/.test(l))) {
      for (const m of line.matchAll(/\s-([ls])\s+([^\s'"]+)/g)) out.push(m[1] === 'l' ? `--${m[2]}` : `-${m[2]}`);
    }
    return sorted(out);
  }
  return sorted([...body.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z](?=[\s,}'"\])|]))/g)].map((m) => m[1]!).filter((f) => f.startsWith('--') || allShort.includes(f)));
}

let allLong: string[] = [];
let allShort: string[] = [];

/** What is wrong with a script's flags: those it misses, and long flags the CLI does not have. */
function flagProblems(shell: ShellName, text: string): { missing: string[]; extra: string[] } {
  const named = flagsNamed(shell, text);
  return {
    missing: [...allLong, ...allShort].filter((f) => !named.includes(f)),
    extra: named.filter((f) => f.startsWith('--') && !allLong.includes(f)),
  };
}

describe('each script names every command and flag of the CLI, and no other flag', () => {
  before(() => {
    const all = [...[...surface.flags.values()].flatMap((o) => o.flags), ...surface.env.flags];
    allLong = sorted(all.filter((f) => f.startsWith('--')));
    allShort = sorted(all.filter((f) => !f.startsWith('--')));
  });

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`${shell}: commands`, () => {
      const text = code(readFileSync(SCRIPTS[shell], 'utf8'));
      for (const c of surface.commands) assert.match(text, new RegExp(`(?<![\\w-])${c}(?![\\w-])`), `${SCRIPTS[shell]} does not name the command ${c}`);
    });

    test(`${shell}: flags`, () => {
      assert.deepEqual(flagProblems(shell, readFileSync(SCRIPTS[shell], 'utf8')), { missing: [], extra: [] }, SCRIPTS[shell]);
    });
  }

  test('a flag dropped from a script, or one the CLI lacks, is caught', () => {
    const bash = readFileSync(SCRIPTS.bash, 'utf8');
    assert.deepEqual(flagProblems('bash', bash.replaceAll('--allow-nested', '--allow-nesting')), { missing: ['--allow-nested'], extra: ['--allow-nesting'] });
    const fish = readFileSync(SCRIPTS.fish, 'utf8');
    assert.deepEqual(flagProblems('fish', fish.replaceAll('-l unset', '-l unsets')), { missing: ['--unset'], extra: ['--unsets'] });
    const zsh = readFileSync(SCRIPTS.zsh, 'utf8');
    assert.deepEqual(flagProblems('zsh', zsh.replaceAll('--mfa-serial=', '--serial=')), { missing: ['--mfa-serial'], extra: ['--serial'] });
  });
});

/**
 * The same, asked of the shells: at each command, `-<Tab>` must offer exactly that command's
 * flags, and `mfa-login <Tab>` exactly the commands (HOME has no AWS config, so no profiles).
 */
describe('each shell completes exactly the CLI\'s commands and each command\'s flags', { concurrency: true }, () => {
  let world: World;
  let lines: string[];
  let expected: string[][];
  before(() => {
    world = new World([], { stubProfiles: true });
    lines = ['mfa-login ', 'mfa-login -', 'mfa-login alice -'];
    expected = [surface.commands, surface.flags.get('')!.flags, surface.flags.get('')!.flags];
    for (const c of surface.commands) {
      lines.push(`mfa-login ${c} -`);
      expected.push(surface.flags.get(c)!.flags);
    }
    // Values with choices: positionals (`completion <shell>`) and flags (`--partition`).
    for (const c of surface.commands) {
      for (const [, choices] of surface.positionalChoices.get(c)!) {
        lines.push(`mfa-login ${c} `);
        expected.push(choices);
      }
      for (const [flag, choices] of surface.flags.get(c)!.choices) {
        lines.push(`mfa-login ${c} ${flag} `);
        expected.push(choices);
      }
    }
    lines.push('mfa-env -');
    expected.push(surface.env.flags);
    for (const [flag, choices] of surface.env.choices) {
      lines.push(`mfa-env ${flag} `);
      expected.push(choices);
    }
  });
  after(() => world.remove());

  const drivers = { bash: completeBash, zsh: completeZsh, fish: completeFish };
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(shell, needsShell(shell), async () => {
      assertShell(shell);
      const got = await drivers[shell](world, lines);
      assert.equal(got.length, lines.length);
      lines.forEach((line, i) => assert.deepEqual(sorted(got[i]!), sorted(expected[i]!), `${shell}: ${JSON.stringify(line)}`));
    });
  }
});
