import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: this file runs as dist/test/files/one-way-to-write.test.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * One way to change a file we share with other writers: editFile (src/files/edit-file.ts), the
 * locked read-modify-write, reached through deps.editFile. This walks src/ for every place that
 * writes, renames or opens a file for writing, and fails on any outside the few files below, each
 * with the rule that makes it safe. A new write site either goes through editFile or earns its
 * own line here, with its reason.
 */
const ALLOWED: Record<string, string> = {
  'src/files/edit-file.ts': 'the one locked read-modify-write: the lock, the read under it, the atomic replacement',
  'src/files/atomic-write.ts': 'the atomic replacement itself (temporary file, flush, rename), called by edit-file.ts and the session store only',
  'src/files/lock-file.ts': 'creates lock files and writes the holder\'s note into the one it holds',
  'src/session-store/dir-store.ts': 'session entries and routes in a checked private 0700 directory of the user\'s own (private-dir.ts); an entry is written by the holder of its session\'s lease',
  'src/cli/fast-path.ts': 'V8\'s code for the fast path, in the checked private 0700 directory of the user\'s own (private-dir.ts): a temporary file of its process renamed into place; synchronous and without crypto, for the cached path',
  'src/session-store/runtime-dir.ts': 'the pointer to the runtime directory\'s stand-in, in the checked private 0700 directory of the user\'s own: linked into place when first made (processes starting at once agree on one), renamed over when replaced',
  'src/cli/commands/demo.ts': 'a throw-away HOME it makes itself (mkdtemp) for the demo',
  'src/terminal/terminal.ts': 'opens the controlling terminal (/dev/tty), not a file',
  'src/mfa/run-process.ts': 'opens the controlling terminal (/dev/tty), not a file',
};

/** Calls that write, replace or link a file (as prettier writes calls: no space before the parenthesis). */
const WRITE_CALL = /\b(writeFile|writeFileSync|appendFile|appendFileSync|copyFile|copyFileSync|cp|cpSync|rename|renameSync|truncate|truncateSync|ftruncate|ftruncateSync|createWriteStream|symlink|symlinkSync|link|linkSync|writeFileAtomic)\(/g;
/** Opening a file (node:fs as the source imports it): a write site unless its flags say read-only. */
const OPEN_CALL = /\b(?:fs|fsp|promises)\.open(Sync)?\(|\bopen(Sync)\(/g;
const READ_ONLY_FLAGS = /^\s*[^,]+,\s*('r'|"r"|(constants\.)?O_RDONLY\b[^,]*)\s*(,|$)/s;
/** `open` imported bare from node:fs would escape OPEN_CALL: counted as a site of its own. */
const BARE_OPEN_IMPORT = /import\s*\{[^}]*\bopen\b[^}]*\}\s*from\s*'node:fs(\/promises)?'/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The text with comments blanked out (newlines kept, so line numbers hold). */
function code(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return text
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .split('\n')
    .map((line) => {
      const at = line.search(/(^|\s)\/\/(?!\/)/);
      // A `//` inside a string ('http://...') is not a comment: quotes before it are unbalanced.
      if (at < 0 || (line.slice(0, at).match(/['"`]/g)?.length ?? 0) % 2 === 1) return line;
      return line.slice(0, at);
    })
    .join('\n');
}

/** The arguments of the call whose `(` is at `open`, up to the matching `)`. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function writeSites(file: string): string[] {
  const text = code(readFileSync(file, 'utf8'));
  const line = (at: number) => text.slice(0, at).split('\n').length;
  const sites: string[] = [];
  for (const m of text.matchAll(WRITE_CALL)) sites.push(`line ${line(m.index!)}: ${m[1]}(`);
  for (const m of text.matchAll(BARE_OPEN_IMPORT)) sites.push(`line ${line(m.index!)}: imports open from node:fs`);
  for (const m of text.matchAll(OPEN_CALL)) {
    const args = argumentsAt(text, m.index! + m[0].length - 1);
    if (!READ_ONLY_FLAGS.test(args)) sites.push(`line ${line(m.index!)}: ${m[0]}${args.replace(/\s+/g, ' ').trim()})`);
  }
  return sites;
}

test('every write of a file in src/ goes through editFile, except the few that have their own rules', () => {
  const files = sources(path.join(ROOT, 'src')).map((f) => path.relative(ROOT, f));
  assert.ok(files.length > 50, `found ${files.length} source files under ${ROOT}/src`);
  const bypasses: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    const sites = writeSites(path.join(ROOT, file));
    if (sites.length === 0) continue;
    if (ALLOWED[file] !== undefined) used.add(file);
    else bypasses.push(...sites.map((s) => `${file} ${s}`));
  }
  assert.deepEqual(bypasses, [], 'these write files without the lock: change them through deps.editFile (src/files/edit-file.ts)');
  assert.deepEqual(Object.keys(ALLOWED).filter((f) => !used.has(f)), [], 'allowed to write, but no longer writes: take it off the list');
});

test('the walk finds the write sites it is meant to find', () => {
  const sites = (text: string) => {
    const t = code(text);
    return [...t.matchAll(WRITE_CALL)].length + [...t.matchAll(OPEN_CALL)].filter((m) => !READ_ONLY_FLAGS.test(argumentsAt(t, m.index! + m[0].length - 1))).length;
  };
  assert.equal(sites("await deps.writeFile(file, next, 0o600);"), 1);
  assert.equal(sites("await fs.rename(tmp, file);"), 1);
  assert.equal(sites("await writeFileAtomic(\n  file,\n  text,\n);"), 1);
  assert.equal(sites("const h = await fs.open(file, constants.O_WRONLY | constants.O_CREAT, 0o600);"), 1);
  assert.equal(sites("const h = await fs.open(lock, flags, 0o600);"), 1);
  assert.equal(sites("fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);"), 0);
  assert.equal(sites("const h = await fs.open(p, 'r');"), 0);
  assert.equal(sites("// await fs.writeFile(p, t) in a comment\n/* rename(a, b) */"), 0);
  assert.equal(sites("const url = 'http://x'; await fs.writeFile(p, t);"), 1);
  assert.equal(sites("await deps.editFile(file, (t) => t);"), 0);
  assert.equal(sites("const opened = await this.open(text);"), 0);
  assert.equal(sites("throw refused(dir, 'is a symbolic link', `remove the link (rm ${dir})`);"), 0);
});
