/**
 * The imports between the files of src/ (not a test file): every static `import`/`export … from`
 * and every dynamic `import('…')` with a relative path, read from the TypeScript sources, each
 * marked type-only or not, and the layer of each file. layers.test.ts holds the rules;
 * `npm run layers` prints the table below for a reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The checkout: this file runs as dist/test/architecture/import-graph.js. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The layers, lowest first, each a list of folders (ending in `/`) and single files of src/. A file
 * takes the layer of the longest entry that holds it; a file no entry holds has no layer, and the
 * test says so: a new folder is placed here on purpose. Within a layer, folders may import each
 * other (config reads `output/`'s INI editing and output reads config's section names) as long as
 * no circle forms.
 */
export const LAYERS: ReadonlyArray<{ name: string; holds: readonly string[] }> = [
  { name: 'base', holds: ['src/errors.ts', 'src/settings.ts', 'src/variables.ts', 'src/credentials.ts', 'src/forms.ts', 'src/child-env.ts', 'src/child-process.ts'] },
  { name: 'parts', holds: ['src/files/', 'src/config/', 'src/output/', 'src/terminal/', 'src/mfa/', 'src/net/', 'src/sts/'] },
  // deps.ts names the parts a command is handed (stores of layer 2, STS, terminal, code source of
  // layer 1), as types only: it sits with the highest of them.
  { name: 'stores and providers', holds: ['src/secrets/', 'src/session-store/', 'src/providers/', 'src/endpoint/', 'src/deps.ts', 'src/aws-stand-in/'] },
  { name: 'session', holds: ['src/session/'] },
  { name: 'doctor', holds: ['src/doctor/'] },
  { name: 'commands', holds: ['src/cli/commands/', 'src/cli/package-root.ts'] },
  { name: 'definitions', holds: ['src/cli/definitions/', 'src/cli/definition.ts', 'src/cli/usage-errors.ts', 'src/cli/completion-scripts.ts'] },
  { name: 'entry points', holds: ['src/cli/main.ts', 'src/cli/args.ts', 'src/cli/real-deps.ts', 'src/cli/fast-path.ts'] },
];

/** The layer of a file of src/ (a path relative to the checkout), or undefined. */
export function layerOf(file: string): { layer: number; entry: string } | undefined {
  let best: { layer: number; entry: string } | undefined;
  LAYERS.forEach(({ holds }, layer) => {
    for (const entry of holds) {
      const holdsFile = entry.endsWith('/') ? file.startsWith(entry) : file === entry;
      if (holdsFile && (best === undefined || entry.length > best.entry.length)) best = { layer, entry };
    }
  });
  return best;
}

export interface Import {
  from: string;
  /** The imported file, relative to the checkout, `.ts` (as the source names it with `.js`). */
  to: string;
  line: number;
  typeOnly: boolean;
  dynamic: boolean;
}

/** The text with comments blanked out (newlines and string contents kept, so line numbers hold). */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '\'' || c === '"' || c === '`') {
      // A string is kept whole: `//` inside 'http://…' is not a comment.
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC = /^[ \t]*(import|export)\s+(type\s+)?([^'";:=()]*?)\s*from\s*'([^']+)'|^[ \t]*import\s*'([^']+)'/gm;
const DYNAMIC = /\bimport\(\s*'([^']+)'\s*\)/g;

/**
 * The relative imports in one file's text. An import is type-only when it says `import type`, or
 * when every name in its braces says `type` (`import { type A, type B }`): both vanish from the
 * JavaScript.
 */
export function importsIn(file: string, text: string): Import[] {
  const code = withoutComments(text);
  const lineAt = (at: number) => code.slice(0, at).split('\n').length;
  const resolve = (spec: string) => path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts');
  const found: Import[] = [];
  for (const m of code.matchAll(STATIC)) {
    const spec = m[4] ?? m[5]!;
    if (!spec.startsWith('.')) continue;
    const names = (m[3] ?? '').trim();
    const braced = /^\{([\s\S]*)\}$/.exec(names);
    const everyNameTyped = braced !== null && braced[1]!.split(',').map((n) => n.trim()).filter((n) => n !== '').every((n) => n.startsWith('type '));
    found.push({ from: file, to: resolve(spec), line: lineAt(m.index!), typeOnly: m[2] !== undefined || everyNameTyped, dynamic: false });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    if (m[1]!.startsWith('.')) found.push({ from: file, to: resolve(m[1]!), line: lineAt(m.index!), typeOnly: false, dynamic: true });
  }
  return found;
}

/** Every .ts file under `dir` (relative to the checkout), sorted. */
export function sourceFiles(dir = 'src'): string[] {
  const walk = (d: string): string[] =>
    readdirSync(path.join(ROOT, d), { withFileTypes: true }).flatMap((e) => {
      const p = path.posix.join(d, e.name);
      return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') ? [p] : [];
    });
  return walk(dir).sort();
}

export function readGraph(): { files: string[]; imports: Import[] } {
  const files = sourceFiles();
  return { files, imports: files.flatMap((f) => importsIn(f, readFileSync(path.join(ROOT, f), 'utf8'))) };
}

/** The file-level circles (strongly connected components of more than one file, or a file importing itself). */
export function circles(files: readonly string[], imports: readonly Import[]): string[][] {
  const out = new Map<string, string[]>();
  for (const i of imports) out.set(i.from, [...(out.get(i.from) ?? []), i.to]);
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (out.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

/** The table for a reader: each layer's folders and files, and the count of imports between layers. */
export function layerTable(files: readonly string[], imports: readonly Import[]): string {
  const lines: string[] = [];
  const count = new Map<string, number>();
  for (const f of files) {
    const at = layerOf(f);
    if (at !== undefined) count.set(at.entry, (count.get(at.entry) ?? 0) + 1);
  }
  lines.push('layer  name                  folder or file → files');
  LAYERS.forEach(({ name, holds }, layer) => {
    holds.forEach((entry, k) => lines.push(`${k === 0 ? String(layer).padEnd(7) : ' '.repeat(7)}${(k === 0 ? name : '').padEnd(22)}${entry} → ${count.get(entry) ?? 0}`));
  });
  const arrows = new Map<string, { all: number; types: number }>();
  for (const i of imports) {
    const a = layerOf(i.from)?.layer;
    const b = layerOf(i.to)?.layer;
    const key = `${a ?? '?'} → ${b ?? '?'}`;
    const n = arrows.get(key) ?? { all: 0, types: 0 };
    n.all++;
    if (i.typeOnly) n.types++;
    arrows.set(key, n);
  }
  lines.push('', `imports between layers (${imports.length} in all; "types" counts the type-only ones among them)`);
  for (const [key, n] of [...arrows].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${key.padEnd(8)} ${String(n.all).padStart(4)}   types ${n.types}`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { files, imports } = readGraph();
  process.stdout.write(`${layerTable(files, imports)}\n`);
}
