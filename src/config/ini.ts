import { MfaLoginError } from '../errors.js';

/** One `[header]` block of an AWS shared config or credentials file. */
export interface IniSection {
  /** The section's name, as sectionName() reads the text between the brackets: `profile prod`, `default`, `prod`. */
  header: string;
  /** 1-based line of the header, for error messages. */
  line: number;
  /** Top-level keys. Created without a prototype so `__proto__` is just a key. */
  values: Record<string, string>;
  /** Line of each key, for messages that point at a setting. */
  lines: Record<string, number>;
}

/**
 * Parses the INI dialect of ~/.aws/config and ~/.aws/credentials.
 *
 * It reads values the way the AWS SDK for JavaScript does (its parseIni): `#` or `;` start a
 * comment at the start of a line or after white space, keys and values are trimmed, and a key
 * with an empty value opens a sub-section whose indented lines belong to it (`s3 =` then
 * `  max_concurrent_requests = 10`); sub-section keys are not profile settings and are skipped.
 *
 * Where the SDK silently drops a line, this parser stops with the file and line instead, as the
 * AWS CLI does (botocore's configparser is strict): a line that is neither a header nor
 * `key = value`, a key before any header, a header seen twice, or a key set twice in a section.
 * Someone whose `mfa_serial` line is mangled should hear about it, not get a confusing prompt.
 */
export function parseIni(text: string, fileName: string): IniSection[] {
  const sections: IniSection[] = [];
  const seen = new Map<string, number>();
  let current: IniSection | undefined;
  let inSubSection = false;

  const fail = (line: number, what: string, hint?: string): never => {
    throw new MfaLoginError('E_CONFIG_SYNTAX', `${fileName} line ${line}: ${what}`, hint === undefined ? {} : { hint });
  };

  // Plain string operations rather than regular expressions where either will do: this runs on
  // every AWS call, and a fresh process compiles each regular expression on its first use.
  const rawLines = text.split('\n');
  for (let i = 0; i < rawLines.length; i++) {
    const lineNo = i + 1;
    const raw = rawLines[i]!.endsWith('\r') ? rawLines[i]!.slice(0, -1) : rawLines[i]!;
    const content = stripComment(raw).trim();
    if (content === '') continue;

    if (content.startsWith('[')) {
      if (!content.endsWith(']')) fail(lineNo, `section header is missing its closing "]": ${quote(content)}`);
      const header = sectionName(content.slice(1, -1));
      if (header === '') fail(lineNo, 'empty section header "[]"');
      const first = seen.get(header);
      if (first !== undefined) {
        fail(lineNo, `section [${header}] appears twice (first on line ${first})`, 'merge the two sections into one');
      }
      seen.set(header, lineNo);
      current = { header, line: lineNo, values: Object.create(null), lines: Object.create(null) };
      sections.push(current);
      inSubSection = false;
      continue;
    }

    const indented = raw.trimStart().length !== raw.length;
    if (inSubSection && indented) continue; // nested setting of a sub-section (s3 = ..., etc.)
    inSubSection = false;

    const eq = content.indexOf('=');
    if (eq <= 0) {
      fail(lineNo, `expected "key = value" or "[section]", found ${quote(content)}`);
    }
    if (current === undefined) {
      fail(lineNo, `setting ${quote(content.slice(0, eq).trim())} comes before any [section] header`);
    }
    const section = current!;
    const key = content.slice(0, eq).trim();
    const value = content.slice(eq + 1).trim();
    if (value === '') {
      inSubSection = true;
      continue;
    }
    const firstLine = section.lines[key];
    if (firstLine !== undefined) {
      fail(lineNo, `${key} is set twice in [${section.header}] (first on line ${firstLine})`, 'keep one of the two lines');
    }
    section.values[key] = value;
    section.lines[key] = lineNo;
  }
  return sections;
}

/**
 * The name of a section from the text between its brackets: trimmed, and each run of white space
 * one space, so `[ cz ]` is cz and `[profile  pz]` is `profile pz`. The one normaliser of headers:
 * parseIni reads with it and the editor (output/ini-edit.ts) finds sections with it, so the two
 * never disagree about which section a header opens, and an edit never adds a second [cz] beside
 * a `[ cz ]` that the reader would then refuse as a repeated section.
 *
 * botocore and the JS SDK take the text between the brackets as it is (`[ cz ]` is a profile named
 * " cz " to both, and the SDK skips `[profile  pz]`, which botocore reads as pz); such a header is
 * a slip for the plain one, so we read the plain one, and the editor writes that spelling back
 * whenever it writes to the section: after an edit every AWS tool finds the profile we wrote.
 */
export function sectionName(inner: string): string {
  return inner.trim().replace(/\s+/g, ' ');
}

/**
 * The profile a config-file section defines, from its name (as sectionName gives it): `default`
 * -> default, `profile prod` -> prod, `profile "prod"` -> prod; undefined for anything else
 * (`[sso-session x]`, `[services x]`, a stray `[x]`), as in the SDKs.
 */
export function configProfileName(name: string): string | undefined {
  if (name === 'default') return 'default';
  const m = /^profile\s+(.+)$/.exec(name);
  if (m === null) return undefined;
  const profile = m[1]!.trim();
  const unquoted = /^(["'])(.*)\1$/.exec(profile);
  return unquoted ? unquoted[2] : profile;
}

/** `#` and `;` open a comment at the start of a line or after white space, as in the SDK. */
function stripComment(line: string): string {
  if (!line.includes('#') && !line.includes(';')) return line;
  const m = /(^|\s)[;#]/.exec(line);
  return m === null ? line : line.slice(0, m.index);
}

/**
 * Quotes a bit of a line for an error message. A mangled line of a credentials file may hold a
 * secret key, so anything that looks like key material (16 or more base64 characters) is masked.
 */
function quote(s: string): string {
  const masked = s.replace(/[A-Za-z0-9/+=]{16,}/g, '****');
  const shown = masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
  return JSON.stringify(shown);
}
