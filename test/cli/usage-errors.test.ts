import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_NAMES } from '../../src/cli/usage-errors.js';
import { parseArgs } from '../../src/cli/args.js';

/** "did you mean" and the hint check choose among COMMAND_NAMES: it must be every command --help lists. */
test('COMMAND_NAMES is exactly the commands the help lists', async () => {
  const help = await parseArgs(['--help'], '0.0.0');
  assert.equal(help.command.name, 'help');
  const text = help.command.name === 'help' ? help.command.text : '';
  const commands = text.slice(text.indexOf('Commands:'), text.search(/\n\n(Options|Examples):/));
  const listed = [...commands.matchAll(/^ {2}mfa-login ([a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(listed.length >= 15, text);
  assert.deepEqual([...COMMAND_NAMES].sort(), [...new Set(listed)].sort());
});
