import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadProfiles } from '../../src/config/profiles.js';

/**
 * For generated config files (profiles, keys, comments, blank lines, sub-sections, CRLF or LF),
 * mfa-login reads every profile setting exactly as the AWS SDK's own loader does.
 */
const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
const value = fc.stringMatching(/^[A-Za-z0-9:/=+@._-]{1,24}$/);
const comment = fc.constantFrom('# a comment', '; another', '#', '');
const key = fc.constantFrom('region', 'mfa_serial', 'role_arn', 'source_profile', 'output', 'duration_seconds', 'external_id', 'x_custom');

const section = fc.record({
  header: fc.oneof(name.map((n) => `profile ${n}`), fc.constant('default')),
  keys: fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 5 }),
  comments: fc.array(comment, { maxLength: 2 }),
  subSection: fc.boolean(),
});

const configFile = fc.record({
  sections: fc.uniqueArray(section, { selector: (s) => (s.header === 'default' || s.header === 'profile default' ? 'default' : s.header), minLength: 1, maxLength: 6 }),
  crlf: fc.boolean(),
});

function render(file: { sections: Array<{ header: string; keys: [string, string][]; comments: string[]; subSection: boolean }>; crlf: boolean }): string {
  const lines: string[] = [];
  for (const s of file.sections) {
    lines.push(...s.comments, `[${s.header}]`);
    s.keys.forEach(([k, v], i) => {
      lines.push(i % 2 ? `${k}=${v}` : `${k} = ${v}`);
      if (s.subSection && i === 0) lines.push('s3 =', '    max_concurrent_requests = 10');
    });
    lines.push('');
  }
  return lines.join(file.crlf ? '\r\n' : '\n');
}

test('the config parser agrees with the AWS SDK loader on generated files', async () => {
  const { loadSharedConfigFiles } = await import('@smithy/core/config' as string);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-prop-'));
  try {
    await fc.assert(
      fc.asyncProperty(configFile, async (file) => {
        const text = render(file);
        writeFileSync(path.join(dir, 'config'), text);
        writeFileSync(path.join(dir, 'credentials'), '');
        const sdk = await loadSharedConfigFiles({ configFilepath: path.join(dir, 'config'), filepath: path.join(dir, 'credentials'), ignoreCache: true });
        const ours = loadProfiles({ configFile: 'config', credentialsFile: 'credentials' }, text, '');
        const theirs = Object.fromEntries(
          Object.entries(sdk.configFile as Record<string, Record<string, string>>)
            .filter(([n]) => !n.includes('.'))
            .map(([n, settings]) => [n, Object.fromEntries(Object.entries(settings).filter(([k]) => !k.includes('.')))]),
        );
        // A section with no settings is a profile to the AWS CLI (and to us) but absent from the
        // SDK's map; only the settings are compared.
        const mine = Object.fromEntries([...ours.profiles].filter(([, p]) => Object.keys(p.settings).length > 0).map(([n, p]) => [n, { ...p.settings }]));
        assert.deepEqual(mine, theirs);
      }),
      { numRuns: 300 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
