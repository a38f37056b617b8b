import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommand } from '../../src/config/split-command.js';

describe('splitCommand', () => {
  it('credential_process is split into words as botocore splits it', () => {
    const cases: Array<[string, string[]]> = [
      ['/usr/bin/node /opt/mfa-login/bin/mfa-login.js credential-process prod', ['/usr/bin/node', '/opt/mfa-login/bin/mfa-login.js', 'credential-process', 'prod']],
      ["'/home/a b/node' '/x/it'\\''s.js' credential-process p", ['/home/a b/node', "/x/it's.js", 'credential-process', 'p']],
      ['"/a \\"b\\"/node"   x', ['/a "b"/node', 'x']],
      ['a\\ b c', ['a b', 'c']],
      ['', []],
    ];
    for (const [text, words] of cases) assert.deepEqual(splitCommand(text), words, text);
  });
});
