import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadProfiles, type ProfileSet } from '../../src/config/profiles.js';
import { setSectionValues } from '../../src/output/ini-edit.js';

/**
 * For generated config and credentials files (profiles, keys, comments, blank lines, sub-sections,
 * CRLF or LF, headers with stray white space inside the brackets), mfa-login reads every profile
 * setting exactly as the AWS SDK's own loader reads the same file with plain headers; and what the
 * editor writes into a section is what the reader then finds there, one section, no other change,
 * and what the SDK finds under the profile's name.
 */
const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
const value = fc.stringMatching(/^[A-Za-z0-9:/=+@._-]{1,24}$/);
const comment = fc.constantFrom('# a comment', '; another', '#', '');
const key = fc.constantFrom('region', 'mfa_serial', 'role_arn', 'source_profile', 'output', 'duration_seconds', 'external_id', 'x_custom');
type Kind = 'config' | 'credentials';

/** How a person may have spelled the header `[plain]`: what the reader and the editor must take as it. */
const spelled = (plain: string): fc.Arbitrary<string> => {
  const [word, rest] = plain.startsWith('profile ') ? ['profile', plain.slice(8)] : [undefined, plain];
  const gap = fc.constantFrom(' ', '  ', '\t', ' \t ');
  const pad = fc.constantFrom('', '', ' ', '  ', '\t');
  const body = word === undefined ? fc.constant(rest) : fc.tuple(gap, fc.constantFrom(rest, `"${rest}"`, `'${rest}'`)).map(([g, n]) => `${word}${g}${n}`);
  return fc.tuple(pad, body, pad).map(([a, b, c]) => `${a}${b}${c}`);
};

const sectionOf = (kind: Kind) =>
  fc
    .record({
      header: kind === 'config' ? fc.oneof(name.map((n) => `profile ${n}`), fc.constant('default')) : name,
      keys: fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 5 }),
      comments: fc.array(comment, { maxLength: 2 }),
      subSection: fc.boolean(),
    })
    .chain((s) => spelled(s.header).map((written) => ({ ...s, written })));

type Section = { header: string; written: string; keys: [string, string][]; comments: string[]; subSection: boolean };
type File = { kind: Kind; sections: Section[]; crlf: boolean };

const fileOf = (kind: Kind): fc.Arbitrary<File> =>
  fc.record({
    kind: fc.constant(kind),
    sections: fc.uniqueArray(sectionOf(kind), { selector: (s) => (s.header === 'profile default' ? 'default' : s.header), minLength: 1, maxLength: 6 }),
    crlf: fc.boolean(),
  });
const anyFile = fc.oneof(fileOf('config'), fileOf('credentials'));

function render(file: File, headers: 'written' | 'plain'): string {
  const lines: string[] = [];
  for (const s of file.sections) {
    lines.push(...s.comments, `[${headers === 'plain' ? s.header : s.written}]`);
    s.keys.forEach(([k, v], i) => {
      lines.push(i % 2 ? `${k}=${v}` : `${k} = ${v}`);
      if (s.subSection && i === 0) lines.push('s3 =', '    max_concurrent_requests = 10');
    });
    lines.push('');
  }
  return lines.join(file.crlf ? '\r\n' : '\n');
}

const FILES = { configFile: 'config', credentialsFile: 'credentials' };
const ours = (kind: Kind, text: string): ProfileSet => (kind === 'config' ? loadProfiles(FILES, text, '') : loadProfiles(FILES, undefined, text));

/** The profile settings a ProfileSet holds; a section with no settings is a profile to the AWS CLI (and to us) but absent from the SDK's map. */
const settingsOf = (set: ProfileSet) => Object.fromEntries([...set.profiles].filter(([, p]) => Object.keys(p.settings).length > 0).map(([n, p]) => [n, { ...p.settings }]));

async function withSdk(run: (sdk: (kind: Kind, text: string) => Promise<Record<string, Record<string, string>>>) => Promise<void>): Promise<void> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config' as string);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-prop-'));
  try {
    await run(async (kind, text) => {
      writeFileSync(path.join(dir, 'config'), kind === 'config' ? text : '');
      writeFileSync(path.join(dir, 'credentials'), kind === 'credentials' ? text : '');
      const sdk = await loadSharedConfigFiles({ configFilepath: path.join(dir, 'config'), filepath: path.join(dir, 'credentials'), ignoreCache: true });
      const map = (kind === 'config' ? sdk.configFile : sdk.credentialsFile) as Record<string, Record<string, string>>;
      return Object.fromEntries(
        Object.entries(map)
          .filter(([n]) => kind === 'credentials' || !n.includes('.'))
          .map(([n, settings]) => [n, Object.fromEntries(Object.entries(settings).filter(([k]) => !k.includes('.')))]),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the parser agrees with the AWS SDK loader on generated files, reading a spaced header as the plain one', async () => {
  await withSdk(async (sdk) => {
    await fc.assert(
      fc.asyncProperty(anyFile, async (file) => {
        assert.deepEqual(settingsOf(ours(file.kind, render(file, 'written'))), await sdk(file.kind, render(file, 'plain')));
      }),
      { numRuns: 300 },
    );
  });
});

test('what the editor writes into a section with any header spelling is what the reader and the SDK then find there', async () => {
  const edit = anyFile.chain((file) =>
    fc.record({
      file: fc.constant(file),
      // A section of the file, or one it does not have yet.
      target: fc.oneof(fc.constantFrom(...file.sections.map((s) => s.header)), file.kind === 'config' ? name.map((n) => `profile ${n}`) : name),
      key,
      value,
    }),
  );
  await withSdk(async (sdk) => {
    await fc.assert(
      fc.asyncProperty(edit, async ({ file, target, key: k, value: v }) => {
        const text = render(file, 'written');
        const after = setSectionValues(text, target, [[k, v]], file.kind);
        const profile = file.kind === 'config' ? (target === 'default' ? 'default' : target.slice(8)) : target;
        // The reader takes the edited file (no section twice) and sees exactly the one change.
        const expected = settingsOf(ours(file.kind, text));
        expected[profile] = { ...(expected[profile] ?? {}), [k]: v };
        assert.deepEqual(settingsOf(ours(file.kind, after)), expected);
        // AWS tools find the value under the profile's name: the edited header reads as it.
        assert.equal((await sdk(file.kind, after))[profile]?.[k], v);
      }),
      { numRuns: 300 },
    );
  });
});
