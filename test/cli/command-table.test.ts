/**
 * The command surface is declared once: a definition added to the table (here a made-up one,
 * passed in, nothing patched) is in --help, in the completion scripts (and completed by real
 * bash), in "did you mean", and is dispatched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith } from '../../src/cli/args.js';
import { completionScript } from '../../src/cli/completion-scripts.js';
import { profilePositional, type Definition, type Table } from '../../src/cli/definition.js';
import { LOGIN_TABLE } from '../../src/cli/definitions/table.js';
import { main } from '../../src/cli/main.js';
import type { Deps } from '../../src/deps.js';
import { assertShell, completeBash, needsShell, SCRIPTS, World } from '../completions/harness.js';

interface FrobnicateCommand {
  name: 'frobnicate';
  profile: string;
  wobble?: string;
  loud: boolean;
}

const ran: FrobnicateCommand[] = [];
const frobnicate: Definition<FrobnicateCommand> = {
  name: 'frobnicate',
  describe: 'frobnicate a profile, for the test',
  positionals: [profilePositional(true)],
  flags: {
    wobble: { type: 'string', choices: ['gently', 'hard'], describe: 'how to wobble' },
    loud: { type: 'boolean', alias: 'L', describe: 'say it loudly' },
  },
  examples: [['$0 frobnicate alice --wobble hard', 'frobnicates alice hard']],
  plan: (a) => ({ name: 'frobnicate', profile: String(a.profile), loud: a.loud === true, ...(a.wobble !== undefined ? { wobble: String(a.wobble) } : {}) }),
  run: async (_deps, c) => {
    ran.push(c);
  },
};
const table: Table = [...LOGIN_TABLE, frobnicate];

async function parse(argv: string[]) {
  return (await parseWith('mfa-login', table, argv, '0.0.0')).command;
}

async function refusal(argv: string[]): Promise<string> {
  try {
    await parse(argv);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('a command added to the table is listed by --help, with its own --help', async () => {
  const top = await parse(['--help']);
  assert.equal(top.name, 'help');
  assert.match((top as { text?: string }).text ?? '', /^ {2}mfa-login frobnicate <profile> +frobnicate a profile, for the test$/m);
  const own = (await parse(['frobnicate', '--help'])) as { name: string; text?: string };
  assert.match(own.text ?? '', /--wobble +how to wobble +\[string\] \[choices: "gently", "hard"\]/);
  assert.match(own.text ?? '', /mfa-login frobnicate alice --wobble hard +frobnicates alice hard/);
  // The real table has no such command.
  await assert.rejects(parseWith('mfa-login', LOGIN_TABLE, ['frobnicate', 'alice', '--wobble', 'hard'], '0.0.0'), /unknown option --wobble/);
});

test('"did you mean" offers it for a near typo, and its flags for theirs', async () => {
  assert.equal(await refusal(['frobnicat', 'alice']), 'unknown command frobnicat; did you mean frobnicate?');
  assert.equal(await refusal(['frobnicate', 'alice', '--wobbel', 'hard']), 'unknown option --wobbel for frobnicate; did you mean --wobble?');
  assert.equal(await refusal(['frobnicate', 'alice', '--wobble', 'hrad']), '--wobble hrad is not a valid wobble; did you mean hard?');
  assert.equal(await refusal(['frobnicate']), 'frobnicate needs a profile name');
});

test('it is dispatched: main runs its definition with the plan parsed', async () => {
  ran.length = 0;
  const said: string[] = [];
  // The made-up command reads nothing but its plan; stderr is where a failure would be said.
  const deps = { stdout: (t: string) => void said.push(t), stderr: (t: string) => void said.push(t) } as Pick<Deps, 'stdout' | 'stderr'> as Deps;
  assert.equal(await main(['frobnicate', 'alice', '-L', '--wobble', 'gently'], deps, false, 'mfa-login', table), 0, said.join(''));
  assert.deepEqual(ran, [{ name: 'frobnicate', profile: 'alice', loud: true, wobble: 'gently' }]);
});

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`the ${shell} completion script names it and its flags and values`, () => {
    const script = completionScript(shell, readFileSync(SCRIPTS[shell], 'utf8'), table);
    const plain = completionScript(shell, readFileSync(SCRIPTS[shell], 'utf8'), LOGIN_TABLE);
    for (const word of ['frobnicate', 'wobble', 'gently', 'hard', 'loud']) {
      assert.match(script, new RegExp(`\\b${word}\\b`), `${shell}: ${word}`);
      assert.doesNotMatch(plain, new RegExp(`\\b${word}\\b`), `${shell} without it: ${word}`);
    }
  });
}

/** Real bash, sourcing the script made from the table with the made-up command. */
let world: World;
before(() => {
  world = new World(['alice', 'prod'], { stubProfiles: true });
  writeFileSync(join(world.dir, 'with-frobnicate.bash'), completionScript('bash', readFileSync(SCRIPTS.bash, 'utf8'), table));
});
after(() => world.remove());

test('real bash completes it, its profile, its flags and their values', needsShell('bash'), async () => {
  assertShell('bash');
  const lines = ['mfa-login frob', 'mfa-login frobnicate ', 'mfa-login frobnicate alice --', 'mfa-login frobnicate alice --wobble ', 'mfa-login frobnicate alice --wobble h'];
  const got = await completeBash(world, lines, { source: join(world.dir, 'with-frobnicate.bash') });
  assert.deepEqual(got.map((g) => [...g].sort()), [
    ['frobnicate'],
    ['alice', 'prod'],
    ['--debug', '--help', '--loud', '--version', '--wobble'],
    ['gently', 'hard'],
    ['hard'],
  ]);
  // The shipped script, made from the real table, does not know it.
  assert.deepEqual(await completeBash(world, ['mfa-login frob']), [[]]);
});

test('the shipped scripts are what the real table makes (npm run completions writes them)', () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const shipped = readFileSync(SCRIPTS[shell], 'utf8');
    assert.equal(completionScript(shell, shipped, LOGIN_TABLE), shipped, `${SCRIPTS[shell]} is not what npm run completions makes`);
  }
});
