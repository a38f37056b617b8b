/** `mfa-login completion <shell>` prints the script shipped in completions/, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cli, SCRIPTS } from './harness.js';

/** How each script says to install it, in the comment at its top. */
const INSTALL = {
  bash: 'source <(mfa-login completion bash)',
  zsh: 'mfa-login completion zsh > "${fpath[1]}/_mfa-login"',
  fish: 'mfa-login completion fish > ~/.config/fish/completions/mfa-login.fish',
} as const;

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`mfa-login completion ${shell} prints completions/mfa-login.${shell}`, async () => {
    assert.equal(await cli('mfa-login', ['completion', shell]), readFileSync(SCRIPTS[shell], 'utf8'));
  });

  test(`completions/mfa-login.${shell} starts with how to install it`, () => {
    const text = readFileSync(SCRIPTS[shell], 'utf8');
    const header = text.split('\n').slice(0, 12);
    const line = header.find((l) => l.includes(INSTALL[shell]));
    assert.ok(line !== undefined && /^#/.test(line), `no comment line with ${INSTALL[shell]} in the first lines of ${SCRIPTS[shell]}`);
  });
}

test('mfa-login completion nushell prints the nu script: nushell is what its users call nu', async () => {
  assert.equal(await cli('mfa-login', ['completion', 'nushell']), await cli('mfa-login', ['completion', 'nu']));
});

test('mfa-login completion refuses a shell it has no script for', async () => {
  await assert.rejects(cli('mfa-login', ['completion', 'tcsh']), /tcsh is not a shell; use bash, zsh, fish, nu or nushell/);
});
