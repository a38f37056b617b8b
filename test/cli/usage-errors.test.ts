import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliVocabulary, parseArgs, parseEnvArgs } from '../../src/cli/args.js';

/** "did you mean" and the hint check choose among the vocabulary's commands: they must be every command --help lists. */
test('the commands suggestions choose among are exactly the commands the help lists', async () => {
  const help = await parseArgs(['--help'], '0.0.0');
  assert.equal(help.command.name, 'help');
  const text = help.command.name === 'help' ? help.command.text : '';
  const commands = text.slice(text.indexOf('Commands:'), text.search(/\n\n(Options|Examples):/));
  const listed = [...commands.matchAll(/^ {2}mfa-login ([a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(listed.length >= 15, text);
  assert.deepEqual([...(await cliVocabulary()).commands].sort(), [...new Set(listed)].sort());
});

/** The message of the usage error the real parser raises for `argv`. */
async function usageMessage(parse: typeof parseArgs, argv: string[]): Promise<string> {
  try {
    await parse(argv, '0.0.0');
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('a mistyped flag is corrected only to a flag the command takes', async () => {
  assert.equal(await usageMessage(parseArgs, ['logout', '--al']), 'unknown option --al for logout; did you mean --all?');
  assert.equal(await usageMessage(parseArgs, ['login', 'prod', '--regoin', 'x']), 'unknown option --regoin for login; did you mean --region?');
  // list, status and the bare profile form have no --all: offering it would name a command that fails.
  assert.equal(await usageMessage(parseArgs, ['list', '--al']), 'unknown option --al for list');
  assert.equal(await usageMessage(parseArgs, ['status', '--al']), 'unknown option --al for status');
  assert.equal(await usageMessage(parseArgs, ['--al']), 'unknown option --al');
  assert.equal(await usageMessage(parseEnvArgs, ['prod', '--al']), 'unknown option --al');
  assert.equal(await usageMessage(parseEnvArgs, ['prod', '--shel', 'bash']), 'unknown option --shel; did you mean --shell?');
  // A flag of another command is named as unknown here, not corrected.
  assert.equal(await usageMessage(parseArgs, ['list', '--all']), 'unknown option --all for list');
});

/** One check for every region read (src/forms.ts, isRegion): a --region the config would refuse is refused here too. */
test('--region takes what a profile\'s region takes: up to 40 characters', async () => {
  const r40 = `eu-${'r'.repeat(37)}`;
  const parsed = await parseArgs(['login', 'prod', '--region', r40], '0.0.0');
  assert.equal(parsed.command.name === 'login' ? parsed.command.region : undefined, r40);
  for (const parse of [parseArgs, parseEnvArgs]) {
    const argv = parse === parseArgs ? ['login', 'prod', '--region', `${r40}x`] : ['prod', '--region', `${r40}x`];
    assert.equal(await usageMessage(parse, argv), `--region "${r40}x" is not an AWS region name`);
  }
});
