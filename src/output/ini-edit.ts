/**
 * Line-preserving edits of the AWS shared config and credentials files.
 *
 * The files are read by botocore (Python's configparser underneath) and by the JS SDK, and written
 * by people. We change only the lines we must and keep every other byte: comments, blank lines,
 * order, indentation, CRLF endings, a missing final newline.
 *
 * How lines are read follows botocore, the strictest reader:
 * - A header is `[name]` at the start of a line (indentation allowed), anything after `]` ignored,
 *   so `[prod]  # comment` is prod. Which section a header opens is decided as the reader decides
 *   it (sectionName in config/ini.ts): `[ prod ]` is prod, `[profile  prod]` is `profile prod`,
 *   and in the config file `[profile "prod"]` and `[profile default]` name the profiles prod and
 *   default too. Callers pass the plain header text (`prod` in the credentials file, `profile prod`
 *   or `default` in the config file) and say which of the two files the text is.
 *   botocore and the JS SDK read `[ prod ]` as a profile called " prod ", and the SDK skips
 *   `[profile  prod]`: a header spelled so is rewritten in the plain spelling when we write values
 *   into its section, so that every AWS tool finds what we wrote under the name we were given.
 * - A key line is `name = value` or `name: value` (configparser accepts both). Key names match
 *   case-insensitively: configparser lowercases them, and a section holding both `Region` and
 *   `region` is a DuplicateOptionError that makes botocore refuse the whole file.
 * - A line indented deeper than the key line above it continues that key (`s3 =` followed by
 *   `    max_concurrent_requests = 10`), across blank and comment lines. Such a block is kept,
 *   replaced or removed as a whole, never split.
 */
import { MfaLoginError } from '../errors.js';
import { configProfileName, sectionName } from '../config/ini.js';

/**
 * Which file a text is: in the credentials file every section is the profile of its name; in the
 * config file profiles are `[profile NAME]` (quoted or not) and `[default]`, which may also be
 * spelled `[profile default]`.
 */
export type IniFile = 'config' | 'credentials';

type Eol = '' | '\n' | '\r\n';

interface Line {
  text: string;
  eol: Eol;
}

/** A key line plus its continuation lines: [start, end). */
interface KeyBlock {
  key: string;
  start: number;
  end: number;
}

/** One header and everything up to the next header: [header, end). */
interface Section {
  /** The text between the brackets, as written. */
  inner: string;
  header: number;
  end: number;
  keys: KeyBlock[];
}

// The AWS CLI's own writer (awscli/customizations/configure/writer.py) uses this pattern.
const HEADER = /^\s*\[([^\]]+)\]/;
const KEY = /^([^=:]*)[=:]/;
const KEY_LINE_PARTS = /^(\s*)[^=:]*?(\s*=\s*)(.*)$/;

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r?\n/g;
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), eol: m[0] as Eol });
    start = re.lastIndex;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

function joinLines(lines: Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

/** The file's own line ending, for the lines we add. */
function eolOf(lines: Line[]): Eol {
  let crlf = 0;
  let lf = 0;
  for (const l of lines) {
    if (l.eol === '\r\n') crlf++;
    else if (l.eol === '\n') lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

const isBlank = (l: Line): boolean => l.text.trim() === '';
const isComment = (l: Line): boolean => /^\s*[#;]/.test(l.text);
const keyId = (key: string): string => key.toLowerCase();

function parse(lines: Line[]): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  let open: { indent: number; block: KeyBlock } | undefined;
  lines.forEach((line, i) => {
    // configparser skips these before it looks at indentation, so they never end a continuation.
    if (isBlank(line) || isComment(line)) return;
    const indent = line.text.search(/\S/);
    if (open && indent > open.indent) {
      open.block.end = i + 1;
      return;
    }
    open = undefined;
    const header = HEADER.exec(line.text);
    if (header) {
      if (current) current.end = i;
      current = { inner: header[1]!, header: i, end: lines.length, keys: [] };
      sections.push(current);
      return;
    }
    const key = KEY.exec(line.text.trim());
    // Key lines before the first header, and lines that are no key at all, are left as they are.
    if (current && key && key[1]!.trim() !== '') {
      const block = { key: keyId(key[1]!.trim()), start: i, end: i + 1 };
      current.keys.push(block);
      open = { indent, block };
    }
  });
  return sections;
}

function reject(what: string): never {
  throw new MfaLoginError('E_USAGE', `cannot write to an AWS config file: ${what}`);
}

function checkSection(section: string): void {
  // Only the plain spelling is written: another would be a header the reader reads as another.
  if (section === '' || sectionName(section) !== section || /[[\]\0\r\n]/.test(section)) {
    reject(`invalid section name ${JSON.stringify(section)}`);
  }
}

function checkKey(key: string): void {
  if (key === '' || key.trim() !== key || /[=:\0\r\n]/.test(key) || /^[[#;]/.test(key)) {
    reject(`invalid key ${JSON.stringify(key)}`);
  }
}

function checkValue(key: string, value: string): void {
  // The value is not quoted in messages: it is often a secret.
  if (/[\0\r\n]/.test(value)) reject(`the value for ${key} contains a line break or NUL`);
  // Both readers trim values, and an empty value opens a sub-section in the JS SDK's reader.
  if (value === '' || value.trim() !== value) {
    reject(`the value for ${key} is empty or starts or ends with whitespace`);
  }
}

/** The key line rewritten with the new value, keeping its indentation and `=` spacing. */
function replacedLine(old: Line, key: string, value: string, eol: Eol): Line {
  const indent = indentOf(old);
  const parts = KEY_LINE_PARTS.exec(old.text);
  // `key: value` and a bare `s3 =` give no spacing worth copying.
  const separator = parts && parts[3] !== '' ? parts[2]! : ' = ';
  // The key is respelled as the caller spells it: the JS SDK matches key names case-sensitively.
  return { text: `${indent}${key}${separator}${value}`, eol };
}

function newLine(indent: string, key: string, value: string, eol: Eol): Line {
  return { text: `${indent}${key} = ${value}`, eol };
}

const indentOf = (l: Line): string => /^\s*/.exec(l.text)![0];

/**
 * Indentation for keys added at `at`: that of the key above, else of the next line that counts.
 * A new line indented less than the line after it would turn that line (even a header) into a
 * continuation of the new key.
 */
function indentForNew(lines: Line[], s: Section, at: number): string {
  const above = s.keys.filter((b) => b.end <= at).pop();
  if (above) return indentOf(lines[above.start]!);
  const next = lines.slice(at).find((l) => !isBlank(l) && !isComment(l));
  return next ? indentOf(next) : '';
}

/** Give the last line an end of line before anything is put after it. */
function terminateLast(lines: Line[], eol: Eol): void {
  const last = lines[lines.length - 1];
  if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol };
}

/**
 * Where the section stops owning lines: a run of comments directly above the next header (no blank
 * line between) describes that header, not the end of this section.
 */
function ownedEnd(lines: Line[], s: Section): number {
  if (s.end === lines.length) return s.end;
  let end = s.end;
  // Never reaches into a key block: a block ends on a line that is no comment.
  while (end > s.header + 1 && isComment(lines[end - 1]!)) end--;
  return end;
}

/**
 * Remove a section, tidying the blank lines around it so no gap is doubled or left dangling:
 * at the end of the file one blank line before the header goes too; in the middle, the section's
 * own trailing blank line survives only when nothing else separates its neighbours.
 * Comments above the header stay: we cannot know they speak only of this section.
 */
function withoutSection(lines: Line[], s: Section): Line[] {
  const end = ownedEnd(lines, s);
  const prefix = lines.slice(0, s.header);
  const suffix = lines.slice(end);
  if (suffix.length === 0) {
    if (prefix.length && isBlank(prefix[prefix.length - 1]!)) prefix.pop();
    return prefix;
  }
  const previousIsGap = prefix.length === 0 || isBlank(prefix[prefix.length - 1]!);
  const ownGap = end > s.header + 1 && isBlank(lines[end - 1]!) ? [lines[end - 1]!] : [];
  return [...prefix, ...(previousIsGap ? [] : ownGap), ...suffix];
}

/** Drop the blocks of `keys`; if the section is left with nothing but blank lines, drop it too. */
function withoutKeys(lines: Line[], s: Section, keys: ReadonlySet<string>): Line[] {
  const doomed = s.keys.filter((b) => keys.has(b.key));
  if (doomed.length === 0) return lines;
  const out = lines.filter((_, i) => !doomed.some((b) => i >= b.start && i < b.end));
  const again = reparsedAt(out, s.header);
  const owned = out.slice(again.header + 1, ownedEnd(out, again));
  return owned.every(isBlank) ? withoutSection(out, again) : out;
}

/** The section whose header is line `header`, after an edit that kept that line where it was. */
function reparsedAt(lines: Line[], header: number): Section {
  const s = parse(lines).find((t) => t.header === header);
  if (!s) throw new Error(`ini-edit: lost the header at line ${header + 1}`);
  return s;
}

/**
 * The section the caller names, as the reader tells sections apart: which headers open it, and
 * whether a header of it already reads as it in botocore and the JS SDK alike.
 */
interface Target {
  /** The plain header text, as a new or rewritten header gets it. */
  header: string;
  opens(inner: string): boolean;
  plain(inner: string): boolean;
}

function target(section: string, file: IniFile): Target {
  const name = sectionName(section);
  const profile = file === 'config' ? configProfileName(name) : undefined;
  if (profile === undefined) return { header: section, opens: (inner) => sectionName(inner) === name, plain: (inner) => inner === section };
  // Spellings both readers take as this profile: one space after `profile`, quotes or none.
  const plain = new Set([`profile ${profile}`, `profile "${profile}"`, `profile '${profile}'`, ...(profile === 'default' ? ['default'] : [])]);
  return { header: section, opens: (inner) => configProfileName(sectionName(inner)) === profile, plain: (inner) => plain.has(inner) };
}

function sectionsOf(lines: Line[], t: Target): Section[] {
  return parse(lines).filter((s) => t.opens(s.inner));
}

/** The header line with the plain spelling between its brackets; indentation and what follows `]` stay. */
function plainHeader(line: Line, t: Target): Line {
  const open = line.text.indexOf('[');
  const close = line.text.indexOf(']', open);
  return { text: `${line.text.slice(0, open + 1)}${t.header}${line.text.slice(close)}`, eol: line.eol };
}

/**
 * Set `values` in the section headed `[section]`: an existing key line (or sub-section block) is
 * replaced in place, missing keys go after the section's last key, and a missing section is added
 * at the end of the file after one blank line. When a key occurs more than once (botocore refuses
 * such a file), the first occurrence is replaced and the others are dropped, also from repeated
 * headers of the same section further down. The header of the section written to is given the
 * plain spelling when AWS tools would not read it as the section (`[ prod ]` becomes `[prod]`).
 *
 * Every line we do not touch keeps its bytes. New lines use the file's line ending. A file that
 * lacked a final newline keeps lacking it unless we add lines after its last line; then the file
 * ends with a newline, as the AWS CLI's writer does.
 */
export function setSectionValues(text: string, section: string, values: [key: string, value: string][], file: IniFile = 'credentials'): string {
  checkSection(section);
  const t = target(section, file);
  const wanted = new Map<string, [key: string, value: string]>();
  for (const [key, value] of values) {
    checkKey(key);
    checkValue(key, value);
    if (wanted.has(keyId(key))) throw new RangeError(`key ${key} given twice`);
    wanted.set(keyId(key), [key, value]);
  }
  if (wanted.size === 0) return text;
  let lines = splitLines(text);
  const eol = eolOf(lines);

  const found = sectionsOf(lines, t);
  if (found.length === 0) {
    terminateLast(lines, eol);
    if (lines.length && !isBlank(lines[lines.length - 1]!)) lines.push({ text: '', eol });
    lines.push({ text: `[${section}]`, eol }, ...[...wanted.values()].map(([k, v]) => newLine('', k, v, eol)));
    return joinLines(lines);
  }

  // Repeated headers first, from the bottom up, so the first section's line numbers stay valid.
  const keySet = new Set(wanted.keys());
  for (let i = found.length - 1; i > 0; i--) lines = withoutKeys(lines, sectionsOf(lines, t)[i]!, keySet);
  const first = sectionsOf(lines, t)[0]!;

  const out = lines.slice(0, first.header + 1);
  if (!t.plain(first.inner)) out[first.header] = plainHeader(out[first.header]!, t);
  const done = new Set<string>();
  let afterLastKey = out.length;
  let cursor = first.header + 1;
  for (const block of first.keys) {
    out.push(...lines.slice(cursor, block.start));
    cursor = block.end;
    const want = wanted.get(block.key);
    if (want === undefined) {
      out.push(...lines.slice(block.start, block.end));
    } else if (!done.has(block.key)) {
      done.add(block.key);
      // The whole block goes: continuation lines left under a scalar would be read as part of it.
      out.push(replacedLine(lines[block.start]!, want[0], want[1], lines[block.end - 1]!.eol));
    } else {
      continue;
    }
    afterLastKey = out.length;
  }
  out.push(...lines.slice(cursor));

  const missing = [...wanted].filter(([id]) => !done.has(id));
  if (missing.length) {
    const indent = indentForNew(out, reparsedAt(out, first.header), afterLastKey);
    const added = missing.map(([, [k, v]]) => newLine(indent, k, v, eol));
    const before = out.slice(0, afterLastKey);
    terminateLast(before, eol);
    return joinLines([...before, ...added, ...out.slice(afterLastKey)]);
  }
  return joinLines(out);
}

/**
 * Remove the lines of `keys` (with their continuation lines) from every section headed
 * `[section]`. A section left without keys and comments loses its header and one adjacent blank
 * line as well.
 */
export function removeSectionKeys(text: string, section: string, keys: string[], file: IniFile = 'credentials'): string {
  checkSection(section);
  keys.forEach(checkKey);
  const t = target(section, file);
  const keySet = new Set(keys.map(keyId));
  let lines = splitLines(text);
  const count = sectionsOf(lines, t).length;
  if (count === 0 || keySet.size === 0) return text;
  // Bottom up, parsing again each time: a removal may also take the blank line above its header.
  for (let i = count - 1; i >= 0; i--) lines = withoutKeys(lines, sectionsOf(lines, t)[i]!, keySet);
  return joinLines(lines);
}

/** Remove every section headed `[section]`, with its keys and comments. */
export function removeSection(text: string, section: string, file: IniFile = 'credentials'): string {
  checkSection(section);
  const t = target(section, file);
  let lines = splitLines(text);
  for (let s = sectionsOf(lines, t).pop(); s; s = sectionsOf(lines, t).pop()) {
    lines = withoutSection(lines, s);
  }
  return joinLines(lines);
}
