/** The shell-init texts; bash, zsh and fish are evaluated for real in test/consumers/shell-init.test.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatShellInit } from '../../src/output/shell-init.js';
import { isPlainProfileName } from '../../src/forms.js';

const at = { node: "/opt/it's node/bin/node", mfaLogin: '/opt/mfa login/bin/mfa-login.js', mfaEnv: '/opt/mfa login/bin/mfa-env.js' };

test('PowerShell (no pwsh here: checked as text): mfa-use, --off, completion, prompt, quoting', () => {
  const ps = formatShellInit('powershell', at);
  assert.match(ps, /^function mfa-use \{$/m);
  assert.match(ps, /& '\/opt\/it''s node\/bin\/node' '\/opt\/mfa login\/bin\/mfa-env\.js' --shell powershell @args/);
  assert.match(ps, /--shell powershell --unset/);
  assert.match(ps, /\$out \| Out-String \| Invoke-Expression/);
  assert.match(ps, /if \(\$LASTEXITCODE -ne 0\) \{ return \}/);
  assert.match(ps, /Register-ArgumentCompleter -Native -CommandName mfa-use/);
  assert.match(ps, /& '\/opt\/it''s node\/bin\/node' '\/opt\/mfa login\/bin\/mfa-login\.js' profiles/);
  assert.match(ps, /\[DateTimeOffset\]::Parse\(\$env:AWS_CREDENTIAL_EXPIRATION/);
  // Balanced braces: a cut-off block would fail to load in $PROFILE.
  assert.equal((ps.match(/\{/g) ?? []).length, (ps.match(/\}/g) ?? []).length);
});

test('PowerShell: mfa-use completes a profile name that is not plain in single quotes (\' doubled), so $(...) in it is not run', () => {
  const ps = formatShellInit('powershell', at);
  const m = /^\s+\$text = if \(\$_ -cmatch '([^']+)'\) \{ \$_ \} else \{ "'" \+ \(\$_ -replace '\[''(\S+)\]', '\$0\$0'\) \+ "'" \}\n\s+\[System\.Management\.Automation\.CompletionResult\]::new\(\$text, \$_, 'ParameterValue', \$_\)$/m.exec(ps);
  assert.ok(m, `the completer quotes what it inserts:\n${ps}`);
  // What PowerShell does with those lines (its regular expressions read as JavaScript's here).
  const plain = new RegExp(m[1]!);
  const quotes = new RegExp(`['${m[2]!}]`, 'g');
  const inserted = (name: string) => (plain.test(name) ? name : `'${name.replace(quotes, '$&$&')}'`);
  const cases: [string, string][] = [
    ['prod', 'prod'],
    ['team/dev-1@x.y', 'team/dev-1@x.y'],
    ['--off', '--off'],
    ['x$(Remove-Item ~)', "'x$(Remove-Item ~)'"],
    ["it's", "'it''s'"],
    ['a\u2019b', "'a\u2019\u2019b'"],
    ['a b;c', "'a b;c'"],
  ];
  for (const [name, want] of cases) {
    assert.equal(inserted(name), want, name);
    assert.equal(plain.test(name), isPlainProfileName(name), `plain as forms.ts says: ${name}`);
  }
});

test('POSIX and fish texts call this installation by absolute path, quoted', () => {
  assert.match(formatShellInit('bash', at), /'\/opt\/it'\\''s node\/bin\/node' '\/opt\/mfa login\/bin\/mfa-env\.js' --shell sh "\$@"/);
  assert.match(formatShellInit('zsh', at), /zmodload -F zsh\/datetime p:EPOCHSECONDS/);
  assert.match(formatShellInit('fish', at), /'\/opt\/it'\\''s node\/bin\/node' '\/opt\/mfa login\/bin\/mfa-env\.js' --shell fish \$argv/);
});

test('nushell text (evaluated for real in test/consumers/nushell.test.ts) calls this installation by absolute path, in double quotes', () => {
  const text = formatShellInit('nu', { ...at, node: '/opt/say "hi"\\node' });
  assert.match(text, /\^"\/opt\/say \\"hi\\"\\\\node" "\/opt\/mfa login\/bin\/mfa-env\.js" --shell nu \$profile \.\.\.\$rest \| from json/);
  assert.match(text, /^def --env --wrapped mfa-use \[profile\?: string@__mfa_use_complete, \.\.\.rest: string\] \{$/m);
  assert.match(text, /^#   mfa-login shell-init nu \| save -f \(\$nu\.default-config-dir \| path join mfa-login\.nu\)$/m);
  assert.equal((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length);
});
