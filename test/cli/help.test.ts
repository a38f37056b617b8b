import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../completions/harness.js';
import { parseCommands, sections } from '../completions/cli-help.js';

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
