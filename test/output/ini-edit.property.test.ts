/**
 * Properties of the INI editor over generated files: sections (some repeated names are avoided so
 * botocore accepts the files) with headers spelled with stray white space inside the brackets,
 * keys in several spellings and delimiters, sub-section blocks, comments, blank lines, LF or CRLF,
 * with or without a final newline.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { removeSection, removeSectionKeys, setSectionValues } from '../../src/output/ini-edit.js';
import { assertInstalled, needs } from './tools.js';

type Eol = '\n' | '\r\n';
type Item =
  | { kind: 'key'; key: string; sep: string; value: string }
  | { kind: 'sub'; key: string; indent: string; children: { key: string; value: string; blankBefore: boolean }[] }
  | { kind: 'comment'; text: string }
  | { kind: 'blank'; text: string };
interface SectionModel {
  name: string;
  /** The text between the brackets as written: the name, or it with stray white space. */
  inner: string;
  header: string;
  items: Item[];
}
interface FileModel {
  eol: Eol;
  finalNewline: boolean;
  preamble: Item[];
  sections: SectionModel[];
}
interface Case {
  file: FileModel;
  target: string;
  values: [string, string][];
}

const SECTION_NAMES = ['default', 'prod', 'profile prod', 'dev', 'profile dev', 'sso-session corp', 'x'];
const KEY_NAMES = ['region', 'output', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'role_arn', 's3'];
const SUB_KEYS = ['max_concurrent_requests', 'addressing_style', 'signature_version'];

const spellings = (k: string) => fc.constantFrom(k, k.toUpperCase(), k[0]!.toUpperCase() + k.slice(1));
const textArb = (chars: string, maxLength = 12) =>
  fc.string({ unit: fc.constantFrom(...chars), maxLength });
const valueArb = textArb('abcXYZ019/+=:#;[]"\' $%\\é€-_.')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const commentArb: fc.Arbitrary<Item> = fc
  .tuple(fc.constantFrom('#', ';', '  #', '\t;', '# [prod]', '#aws_session_token = '), textArb('ab =[]#;', 8))
  .map(([lead, rest]) => ({ kind: 'comment', text: lead + rest }));
const blankArb: fc.Arbitrary<Item> = fc.constantFrom('', '  ', '\t').map((text) => ({ kind: 'blank', text }));
const keyArb: fc.Arbitrary<Item> = fc
  .tuple(fc.constantFrom(...KEY_NAMES).chain(spellings), fc.constantFrom(' = ', '=', ' =', '= ', ': ', '  =  ', '\t=\t'), valueArb)
  .map(([key, sep, value]) => ({ kind: 'key', key, sep, value }));
const subArb: fc.Arbitrary<Item> = fc
  .tuple(
    spellings('s3'),
    fc.constantFrom('    ', '  ', '\t'),
    fc.uniqueArray(fc.record({ key: fc.constantFrom(...SUB_KEYS), value: valueArb, blankBefore: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
      selector: (c) => c.key,
    }),
  )
  .map(([key, indent, children]) => ({ kind: 'sub', key, indent, children }));

/** configparser refuses a section that names a key twice (case-insensitively). */
function uniqueKeys(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((it) => {
    if (it.kind !== 'key' && it.kind !== 'sub') return true;
    const id = it.key.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** How a person may have spelled `name` between the brackets: the reader and the editor take each as `name`. */
const innerArb = (name: string) => fc.constantFrom(name, name, name, ` ${name} `, `  ${name}`, `${name}\t`, name.replace(' ', '  '), name.replace(' ', '\t'));

const sectionArb = (name: string): fc.Arbitrary<SectionModel> =>
  fc
    .tuple(
      innerArb(name),
      fc.constantFrom('[%]', '[%] # note', '[%]   '),
      fc.array(fc.oneof({ weight: 4, arbitrary: keyArb }, subArb, commentArb, blankArb), { maxLength: 7 }),
    )
    .map(([inner, header, items]) => ({ name, inner, header: header.replace('%', inner), items: uniqueKeys(items) }));

const fileArb: fc.Arbitrary<FileModel> = fc.record({
  eol: fc.constantFrom<Eol>('\n', '\r\n'),
  finalNewline: fc.boolean(),
  preamble: fc.array(fc.oneof(commentArb, blankArb), { maxLength: 3 }),
  sections: fc
    .shuffledSubarray(SECTION_NAMES, { maxLength: 4 })
    .chain((names) => fc.tuple(...names.map(sectionArb)))
    .map((s) => [...s]),
});

const caseArb: fc.Arbitrary<Case> = fc.record({
  file: fileArb,
  target: fc.constantFrom(...SECTION_NAMES),
  values: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEY_NAMES).chain(spellings), valueArb), {
    minLength: 1,
    maxLength: 4,
    selector: ([k]) => k.toLowerCase(),
  }),
});

interface RenderedLine {
  text: string;
  section: number; // -1 for the preamble
  item: Item | undefined; // undefined for headers
}

function renderLines(item: Item): string[] {
  switch (item.kind) {
    case 'key':
      return [item.key + item.sep + item.value];
    case 'sub':
      return [
        `${item.key} =`,
        ...item.children.flatMap((c) => [...(c.blankBefore ? [''] : []), `${item.indent}${c.key} = ${c.value}`]),
      ];
    default:
      return [item.text];
  }
}

function render(file: FileModel): { text: string; lines: RenderedLine[]; offsets: number[]; eol: Eol } {
  const lines: RenderedLine[] = file.preamble.flatMap((item) => renderLines(item).map((text) => ({ text, section: -1, item })));
  file.sections.forEach((s, i) => {
    lines.push({ text: s.header, section: i, item: undefined });
    for (const item of s.items) lines.push(...renderLines(item).map((text) => ({ text, section: i, item })));
  });
  const offsets: number[] = [];
  let text = '';
  for (const l of lines) {
    offsets.push(text.length);
    text += l.text + file.eol;
  }
  // An empty last line cannot go without its line break: it would not be a line any more.
  if (!file.finalNewline && lines.length && lines[lines.length - 1]!.text !== '') text = text.slice(0, -file.eol.length);
  offsets.push(text.length);
  // A file with no line break yet gets LF lines from the editor.
  const eol: Eol = text.includes('\n') ? file.eol : '\n';
  return { text, lines, offsets, eol };
}

/** Top-level key lines only: the generator never indents one, sub-section children always are. */
function topLevelKey(line: string): string | undefined {
  const m = /^([^\s=:#;[][^=:]*?)\s*[=:]/.exec(line);
  return m ? m[1]!.toLowerCase() : undefined;
}
const valueOf = (line: string): string => line.replace(/^[^=:]*[=:]\s*/, '');
const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/));

/** Where the target section sits in the original file, if it is there. */
function locate(c: Case, r: ReturnType<typeof render>) {
  const index = c.file.sections.findIndex((s) => s.name === c.target);
  if (index < 0) return undefined;
  const header = r.lines.findIndex((l) => l.section === index);
  const next = r.lines.findIndex((l) => l.section > index);
  const prefix = r.text.slice(0, r.offsets[header]);
  const suffix = next < 0 ? '' : r.text.slice(r.offsets[next]);
  const own = r.lines.slice(header, next < 0 ? undefined : next);
  // Written to, the header takes the plain spelling: what follows `]` stays.
  const { inner } = c.file.sections[index]!;
  const written = own[0]!.text.replace(`[${inner}]`, `[${c.target}]`);
  return { prefix, suffix, own, inner, written };
}

const setKeys = (c: Case) => new Set(c.values.map(([k]) => k.toLowerCase()));
const assertEol = (text: string, eol: Eol) =>
  eol === '\n' ? assert.ok(!text.includes('\r'), 'a CR in an LF file') : assert.ok(!/(?<!\r)\n/.test(text), 'a bare LF in a CRLF file');

function checkSet(c: Case): string {
  const r = render(c.file);
  const after = setSectionValues(r.text, c.target, c.values);
  assertEol(after, r.eol);
  assert.equal(setSectionValues(after, c.target, c.values), after, 'setting twice differs from setting once');
  const where = locate(c, r);
  if (!where) {
    let base = r.text;
    if (base !== '' && !base.endsWith('\n')) base += r.eol;
    const last = linesOf(base).pop();
    const gap = last !== undefined && last.trim() !== '' ? r.eol : '';
    const added = [`[${c.target}]`, ...c.values.map(([k, v]) => `${k} = ${v}`)].map((l) => l + r.eol).join('');
    assert.equal(after, base + gap + added);
    return after;
  }
  assert.ok(after.startsWith(where.prefix), 'text before the section changed');
  assert.ok(after.endsWith(where.suffix), 'text after the section changed');
  const middle = linesOf(after.slice(where.prefix.length, after.length - where.suffix.length));
  assert.equal(middle[0], where.written, 'the header should be as before, in its plain spelling');
  const keys = setKeys(c);
  for (const [k, v] of c.values) {
    const hits = middle.filter((l) => topLevelKey(l) === k.toLowerCase());
    assert.equal(hits.length, 1, `${k} should be in the section once`);
    assert.ok(hits[0]!.startsWith(k), `${k} should be spelled as given`);
    assert.equal(valueOf(hits[0]!), v);
  }
  // Everything else in the section (comments, blank lines, other keys, their order) is untouched.
  const keptBefore = where.own.filter((l) => !(l.item && (l.item.kind === 'key' || l.item.kind === 'sub') && keys.has(l.item.key.toLowerCase())));
  const keptAfter = middle.filter((l) => !keys.has(topLevelKey(l) ?? ''));
  assert.deepEqual(keptAfter, keptBefore.map((l, i) => (i === 0 ? where.written : l.text)));
  return after;
}

function checkRemove(c: Case, after: string): string {
  const r = render(c.file);
  const removed = removeSectionKeys(after, c.target, c.values.map(([k]) => k));
  assertEol(removed, r.eol);
  const where = locate(c, r);
  if (!where) {
    const last = linesOf(r.text).pop();
    if (r.text === '' || (r.text.endsWith('\n') && last !== undefined && last.trim() !== '')) {
      assert.equal(removed, r.text, 'set then remove of a new section should restore the file');
    }
    assert.ok(!linesOf(removed).includes(`[${c.target}]`), 'the created section should be gone');
    return removed;
  }
  assert.ok(removed.endsWith(where.suffix), 'text after the section changed');
  const keys = setKeys(c);
  const keptBefore = where.own
    .filter((l) => !(l.item && (l.item.kind === 'key' || l.item.kind === 'sub') && keys.has(l.item.key.toLowerCase())))
    .map((l, i) => (i === 0 ? where.written : l.text));
  if (removed.startsWith(where.prefix)) {
    const middle = linesOf(removed.slice(where.prefix.length, removed.length - where.suffix.length));
    if (middle[0] === where.written) {
      assert.deepEqual(middle, keptBefore, 'the section should be as before, less the removed keys');
      return removed;
    }
  } else {
    // The emptied section was last: one blank line before it went with it.
    assert.equal(where.suffix, '');
    assert.ok(/(^|\n)[ \t]*\r?\n$/.test(where.prefix), 'only a blank line may go from before the section');
  }
  // The section went: all it had left were blank lines, and comments describing the next header.
  assert.ok(keptBefore.slice(1).every((l) => l.trim() === '' || /^\s*[#;]/.test(l)));
  return removed;
}

describe('ini-edit properties', () => {
  test('setSectionValues touches only its section; removeSectionKeys leaves the others alone', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        checkRemove(c, checkSet(c));
      }),
      { numRuns: 400, includeErrorInReport: true },
    );
  });

  test('any soup of lines: no throw, idempotent, target headers gone after removeSection', () => {
    const soupLine = fc.constantFrom(
      '[prod]', '[profile prod]', '  [prod]', '[prod] # c', '[ prod ]', '[dev]', 'k = 1', 'K=2', 'k: 3', '  k = 4',
      's3 =', '    k = 5', '\tx = 6', '# k = 7', '; [prod]', '', '   ', 'garbage', '= nokey', 'j = a=b',
    );
    const soup = fc
      .tuple(fc.array(soupLine, { maxLength: 14 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([lines, eol, final]) => lines.join(eol) + (final && lines.length ? eol : ''));
    fc.assert(
      fc.property(soup, fc.constantFrom('prod', 'profile prod', 'dev'), (text, section) => {
        const values: [string, string][] = [['k', 'new'], ['aws_session_token', 'T']];
        const set = setSectionValues(text, section, values);
        assert.equal(setSectionValues(set, section, values), set);
        const removed = removeSectionKeys(set, section, ['k', 'aws_session_token']);
        assert.equal(removeSectionKeys(removed, section, ['k', 'aws_session_token']), removed);
        const gone = removeSection(text, section);
        assert.equal(removeSection(gone, section), gone);
        assert.ok(!linesOf(gone).includes(`[${section}]`));
        // Nothing after the section's lines moves: the text from the next header on is kept.
        const lines = linesOf(text);
        const first = lines.indexOf(`[${section}]`);
        if (first >= 0 && lines.slice(0, first).every((l) => !/^\s*\[/.test(l))) {
          const before = lines.slice(0, first).join('');
          assert.ok(linesOf(set).slice(0, first).join('') === before);
        }
      }),
      { numRuns: 500, includeErrorInReport: true },
    );
  });

  const python = '/usr/bin/python3';
  test(
    'botocore reads what we wrote as the expected profiles',
    needs(python, 'with the AWS CLI v2 (Debian awscli) or botocore: the reference INI reader', { requiredInCi: false }),
    (t) => {
      assertInstalled(python);
      const seed = Date.now() >>> 0;
      const cases = fc.sample(caseArb, { numRuns: 150, seed });
      const texts = cases.flatMap((c) => {
        const before = render(c.file).text;
        const after = setSectionValues(before, c.target, c.values);
        return [before, after, removeSectionKeys(after, c.target, c.values.map(([k]) => k))];
      });
      const parsed = botocoreParse(python, texts);
      if (parsed === undefined) {
        t.skip('no botocore importable from /usr/bin/python3');
        return;
      }
      cases.forEach((c, i) => {
        const [before, after, removed] = parsed.slice(3 * i, 3 * i + 3) as [Parsed, Parsed, Parsed];
        const context = `seed ${seed}, case ${i}: ${JSON.stringify(texts[3 * i + 1])}`;
        assert.ok('ok' in before, `generated file rejected by botocore: ${JSON.stringify(before)}`);
        assert.ok('ok' in after, `${context}: botocore rejects our output: ${JSON.stringify(after)}`);
        assert.ok('ok' in removed, `${context}: botocore rejects our output: ${JSON.stringify(removed)}`);
        // botocore names a section by its text as written: the one we wrote to now has the plain one.
        const inner = c.file.sections.find((s) => s.name === c.target)?.inner ?? c.target;
        const renamed = Object.fromEntries(Object.entries(before.ok).map(([n, v]) => [n === inner ? c.target : n, v]));
        const expectSet = structuredClone(renamed);
        const section = (expectSet[c.target] ??= {});
        for (const [k, v] of c.values) section[k.toLowerCase()] = v;
        assert.deepEqual(after.ok, expectSet, `${context}: after set`);
        const expectRemoved = structuredClone(renamed);
        for (const [k] of c.values) delete expectRemoved[c.target]?.[k.toLowerCase()];
        assert.deepEqual(dropEmpty(removed.ok, c.target), dropEmpty(expectRemoved, c.target), `${context}: after remove`);
      });
    },
  );
});

type Profiles = Record<string, Record<string, unknown>>;
type Parsed = { ok: Profiles } | { error: string };

function dropEmpty(p: Profiles, section: string): Profiles {
  const copy = { ...p };
  if (copy[section] && Object.keys(copy[section]).length === 0) delete copy[section];
  return copy;
}

const PARSE_ALL = `
import json, os, sys, tempfile
try:
    from awscli.botocore.configloader import raw_config_parse
except ImportError:
    try:
        from botocore.configloader import raw_config_parse
    except ImportError:
        sys.exit(3)
out = []
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, 'config')
    for text in json.load(sys.stdin):
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        try:
            out.append({'ok': raw_config_parse(path)})
        except Exception as e:
            out.append({'error': str(e)})
json.dump(out, sys.stdout)
`;

/** botocore's own parse of each text, or undefined when botocore is not importable. */
function botocoreParse(python: string, texts: string[]): Parsed[] | undefined {
  const r = spawnSync(python, ['-c', PARSE_ALL], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', PYTHONUTF8: '1', PYTHONDONTWRITEBYTECODE: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 3) return undefined;
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Parsed[];
}
