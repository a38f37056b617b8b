/**
 * One way to start a child: every call into node:child_process in src/ is the one in startChild
 * (src/child-process.ts), which builds the child's environment without our own secrets. The
 * source is walked with the TypeScript parser, so a call hidden behind a renamed import, a
 * namespace import, require() or a dynamic import is found as well as a plain `spawn(`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { startChild } from '../src/child-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'src');
const THE_ONE_WAY = { file: 'child-process.ts', fn: 'startChild' };
const MODULES = new Set(['child_process', 'node:child_process']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every place a file reaches node:child_process, as `line: text`, with the function it is in. */
function childProcessUses(file: string, text: string): Array<{ where: string; inFunction: string | undefined; kind: 'import' | 'call' | 'load' }> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: Array<{ where: string; inFunction: string | undefined; kind: 'import' | 'call' | 'load' }> = [];
  const named = new Set<string>();
  const namespaces = new Set<string>();
  const where = (n: ts.Node) => `${path.relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText().split('\n')[0]!.slice(0, 120)}`;
  const enclosing = (n: ts.Node): string | undefined => {
    for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (ts.isFunctionDeclaration(p) && p.name) return p.name.text;
    return undefined;
  };
  const moduleName = (e: ts.Expression | undefined) => (e !== undefined && ts.isStringLiteralLike(e) && MODULES.has(e.text) ? e.text : undefined);
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || moduleName(st.moduleSpecifier) === undefined) continue;
    const clause = st.importClause;
    if (clause === undefined || clause.isTypeOnly) continue;
    if (clause.name) namespaces.add(clause.name.text);
    const b = clause.namedBindings;
    if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
    if (b && ts.isNamedImports(b)) for (const el of b.elements) if (!el.isTypeOnly) named.add(el.name.text);
    if (clause.name || (b && ts.isNamespaceImport(b)) || (b && ts.isNamedImports(b) && b.elements.some((el) => !el.isTypeOnly))) found.push({ where: where(st), inFunction: undefined, kind: 'import' });
  }
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const isLoad =
        (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'getBuiltinModule')) && moduleName(n.arguments[0]) !== undefined;
      if (isLoad) found.push({ where: where(n), inFunction: enclosing(n), kind: 'load' });
      const direct = ts.isIdentifier(callee) && named.has(callee.text);
      const viaNamespace = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && namespaces.has(callee.expression.text);
      if (direct || viaNamespace) found.push({ where: where(n), inFunction: enclosing(n), kind: 'call' });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

test('the walker finds every form of reaching child_process', () => {
  const text = [
    "import { spawn as run, type ChildProcess } from 'node:child_process';",
    "import * as cp from 'child_process';",
    "import type { SpawnOptions } from 'node:child_process';",
    'function a() { run("x", []); cp.execFile("y"); }',
    "const b = () => require('child_process').fork('z');",
    "async function c() { (await import('node:child_process')).exec('w'); }",
    "const d = process.getBuiltinModule('node:child_process');",
    '/re/.exec("not a child"); other.spawn("not ours either");',
  ].join('\n');
  const uses = childProcessUses(path.join(SRC, 'x.ts'), text);
  assert.deepEqual(
    uses.map((u) => [u.kind, u.inFunction ?? '-', u.where.replace(/^x\.ts:/, '')]),
    [
      ['import', '-', "1: import { spawn as run, type ChildProcess } from 'node:child_process';"],
      ['import', '-', "2: import * as cp from 'child_process';"],
      ['call', 'a', '4: run("x", [])'],
      ['call', 'a', '4: cp.execFile("y")'],
      ['load', '-', "5: require('child_process')"],
      ['load', 'c', "6: import('node:child_process')"],
      ['load', '-', "7: process.getBuiltinModule('node:child_process')"],
    ],
  );
});

test('every child in src/ is started by startChild (src/child-process.ts), which gives it the child environment', () => {
  const wrong: string[] = [];
  let calls = 0;
  for (const file of sources(SRC)) {
    const rel = path.relative(SRC, file);
    for (const use of childProcessUses(file, readFileSync(file, 'utf8'))) {
      const theOne = rel === THE_ONE_WAY.file && (use.kind === 'import' || (use.kind === 'call' && use.inFunction === THE_ONE_WAY.fn));
      if (use.kind === 'call' && theOne) calls++;
      if (!theOne) wrong.push(use.where);
    }
  }
  assert.deepEqual(wrong, [], `start children with startChild from src/child-process.ts instead:\n${wrong.join('\n')}`);
  assert.equal(calls, 1, 'startChild makes the one call');
});

test('startChild takes our own secrets out of whatever environment it is given; keepSecrets keeps them', async () => {
  const env = { PATH: process.env.PATH, HOME: '/nowhere', MFA_LOGIN_FILE_PASSPHRASE: 'correct horse', MFA_LOGIN_MFA_TOKEN: '123456', MFA_LOGIN_PROFILE: 'prod', UNSET: undefined };
  const seen = async (extra: { keepSecrets?: true }) => {
    const child = startChild('env', [], { env, stdio: ['ignore', 'pipe', 'inherit'], ...extra });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await new Promise((resolve) => child.on('close', resolve));
    return out.split('\n').filter((l) => /^(MFA_LOGIN_|HOME=|UNSET)/.test(l)).sort();
  };
  assert.deepEqual(await seen({}), ['HOME=/nowhere', 'MFA_LOGIN_PROFILE=prod']);
  assert.deepEqual(await seen({ keepSecrets: true }), ['HOME=/nowhere', 'MFA_LOGIN_FILE_PASSPHRASE=correct horse', 'MFA_LOGIN_MFA_TOKEN=123456', 'MFA_LOGIN_PROFILE=prod']);
});

test('only the re-run under ulimit -c 0 and the demo (with its own throw-away passphrase) keep the secrets in the environment they give', () => {
  const users = sources(SRC).filter((f) => /\bkeepSecrets\b/.test(readFileSync(f, 'utf8'))).map((f) => path.relative(SRC, f));
  assert.deepEqual(users.sort(), ['child-process.ts', 'cli/commands/demo.ts', 'endpoint/no-core-dumps.ts']);
});
