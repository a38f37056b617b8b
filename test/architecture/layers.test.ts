import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { circles, importsIn, layerOf, LAYERS, layerTable, readGraph, ROOT, type Import } from './import-graph.js';

/**
 * The layers of src/ point down only (import-graph.ts names them; `npm run layers` prints them).
 * Every import counts, dynamic `import('…')` and type-only ones included: a type names a part as
 * surely as a value does, and a circle of types is still two files neither of which reads alone.
 */
const { files, imports } = readGraph();
const shown = (i: Import) => `${i.from}:${i.line} → ${i.to}${i.typeOnly ? ' (type-only)' : ''}${i.dynamic ? ' (dynamic)' : ''}`;

test('the scanner sees static, re-exported, dynamic and type-only imports, and none in comments or strings', () => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "import { type C, type D } from './c.js';",
    "import { type E, f } from './e.js';",
    "export { g } from './g.js';",
    "import {",
    '  h,',
    '  i,',
    "} from './h.js';",
    "import './side-effect.js';",
    "import path from 'node:path';",
    "const lazy = await import('./lazy.js');",
    "// import { no } from './comment.js';",
    "/* await import('./block-comment.js') */",
    "const s = 'import(\\'./in-string.js\\')';",
    "const url = 'http://x'; import { j } from './after-url.js';",
  ].join('\n');
  const got = importsIn('src/x/file.ts', text).map((i) => `${i.to}${i.typeOnly ? ' type' : ''}${i.dynamic ? ' dynamic' : ''} @${i.line}`);
  assert.deepEqual(got.sort(), [
    'src/b.ts type @2',
    'src/x/a.ts @1',
    'src/x/c.ts type @3',
    'src/x/e.ts @4',
    'src/x/g.ts @5',
    'src/x/h.ts @6',
    'src/x/lazy.ts dynamic @12',
    'src/x/side-effect.ts @10',
  ].sort());
});

test('every file of src/ has a layer, and every import names a file that exists', () => {
  assert.ok(files.length > 100, `only ${files.length} files found under ${ROOT}/src`);
  assert.deepEqual(files.filter((f) => layerOf(f) === undefined), [], 'place these in LAYERS (test/architecture/import-graph.ts)');
  assert.deepEqual(imports.filter((i) => !existsSync(path.join(ROOT, i.to))).map(shown), []);
});

test('imports point down a layer or stay within one', () => {
  const up = imports.filter((i) => layerOf(i.to)!.layer > layerOf(i.from)!.layer);
  const named = up.map((i) => `${shown(i)}: layer ${layerOf(i.from)!.layer} (${LAYERS[layerOf(i.from)!.layer]!.name}) imports layer ${layerOf(i.to)!.layer} (${LAYERS[layerOf(i.to)!.layer]!.name})`);
  assert.deepEqual(named, []);
});

test('no circle of imports between files, type-only imports included', () => {
  assert.deepEqual(circles(files, imports), []);
});

test('no command imports another command: what commands share lives below them', () => {
  const command = (f: string) => f.startsWith('src/cli/commands/');
  assert.deepEqual(imports.filter((i) => command(i.from) && command(i.to)).map(shown), []);
});

test('the AWS stand-in is imported only by itself and by demo, which runs it', () => {
  const standIn = (f: string) => f.startsWith('src/aws-stand-in/');
  const outside = imports.filter((i) => standIn(i.to) && !standIn(i.from) && i.from !== 'src/cli/commands/demo.ts');
  assert.deepEqual(outside.map(shown), []);
  // demo loads it only when it runs, so that no other command pays for (or bundles eagerly) a test double.
  assert.deepEqual(imports.filter((i) => standIn(i.to) && i.from === 'src/cli/commands/demo.ts' && !i.dynamic).map(shown), []);
});

test('the table of layers names every layer', (t) => {
  const table = layerTable(files, imports);
  for (const line of table.split('\n')) t.diagnostic(line);
  for (const { name } of LAYERS) assert.match(table, new RegExp(name));
});
