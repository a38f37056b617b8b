/**
 * The exports evaluated by real shells, read back through `env -0` (which also proves they are
 * exported, not just shell variables).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatAssignments, formatExports, formatUnset, type Shell } from '../../src/output/exports.js';
import type { Credentials } from '../../src/credentials.js';
import { assertInstalled, needs, NU } from './tools.js';

interface ShellUnderTest {
  path: string;
  /** Tells apart two ways of loading in one shell. */
  label?: string;
  kind: Shell;
  /** argv before the script: no rc files, so the user's config cannot interfere. */
  args: string[];
  /** Evaluate $MFA_OUT then $MFA_UNSET (when set), each only if the previous step succeeded, then run `env -0`. */
  script: string;
}

const POSIX_SCRIPT = 'eval "$MFA_OUT" && { [ -z "$MFA_UNSET" ] || eval "$MFA_UNSET"; } && unset MFA_OUT MFA_UNSET && exec env -0';
const SHELLS: ShellUnderTest[] = [
  { path: '/usr/bin/bash', kind: 'sh', args: ['--norc', '--noprofile', '-c'], script: POSIX_SCRIPT },
  { path: '/usr/bin/zsh', kind: 'sh', args: ['-f', '-c'], script: POSIX_SCRIPT },
  { path: '/usr/bin/dash', kind: 'sh', args: ['-c'], script: POSIX_SCRIPT },
  { path: '/bin/sh', kind: 'sh', args: ['-c'], script: POSIX_SCRIPT },
  {
    path: '/usr/bin/fish',
    kind: 'fish',
    args: ['--no-config', '-c'],
    // `| source` is how fish users are told to use mfa-env; `and` checks each step exits 0.
    script:
      'printf %s "$MFA_OUT" | source; and begin; test -z "$MFA_UNSET"; or printf %s "$MFA_UNSET" | source; end; and set -e MFA_OUT MFA_UNSET; and exec env -0',
  },
  {
    path: '/usr/bin/fish',
    label: ' (eval)',
    kind: 'fish',
    args: ['--no-config', '-c'],
    // `eval (mfa-env P)`: the command substitution splits the output into lines and eval joins
    // them with spaces, so every statement must end by itself.
    script:
      'eval (printf %s "$MFA_OUT"); and begin; test -z "$MFA_UNSET"; or eval (printf %s "$MFA_UNSET"); end; and set -e MFA_OUT MFA_UNSET; and exec env -0',
  },
  {
    path: NU,
    kind: 'nu',
    // -n: no config files. `from json | load-env` is how nushell users are told to use mfa-env; a
    // failing step stops the script with a non-zero status.
    args: ['-n', '-c'],
    script: '$env.MFA_OUT | from json | load-env; if $env.MFA_UNSET != "" { $env.MFA_UNSET | from json | load-env }; hide-env MFA_OUT MFA_UNSET; exec env -0',
  },
];

const EXPIRATION = new Date('2026-11-24T14:00:00Z');
const VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
];

let home: string;
let trap: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), 'mfa-login-shells-'));
  trap = mkdtempSync(join(tmpdir(), 'mfa-login-pwned-'));
});
after(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(trap, { recursive: true, force: true });
});

/** Values that break out of a badly quoted assignment, each trying to create a file in `trap`. */
function nastyValues(): string[] {
  const touch = (n: number) => `touch ${trap}/pwned${n}`;
  return [
    "it's",
    "'",
    "''",
    '"',
    'say "hi"',
    '$HOME',
    '${HOME}',
    `$(${touch(1)})`,
    `\`${touch(2)}\``,
    `'; ${touch(3)}; '`,
    `"; ${touch(4)}; "`,
    `'$(${touch(5)})'`,
    `(${touch(6)})`, // fish command substitution
    `\\'; ${touch(7)}; echo \\'`, // breaks fish quoting if backslashes are not escaped
    `'\\''; ${touch(8)}; '\\''`,
    '\\',
    'trailing backslash\\',
    '\\\\',
    '\\n\\t\\x41',
    '; ls',
    '*',
    '~',
    '!!',
    '%s %n %%',
    'a  b\tc',
    '   ',
    '',
    '-e',
    '--erase',
    'é ☃ 𝄞 日本語 \u200b',
    '#not a comment',
    '$\'\\x41\'',
    `{${touch(9)},}`,
    '\x1b[31mred\x1b[0m',
  ];
}

function run(shell: ShellUnderTest, out: string, unset = '', inherited: Record<string, string> = {}) {
  const r = spawnSync(shell.path, [...shell.args, shell.script], {
    cwd: trap,
    encoding: 'utf8',
    timeout: 10_000,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: home,
      // fish keeps universal variables and history here: never the developer's own.
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
      LC_ALL: 'C.UTF-8',
      MFA_OUT: out,
      MFA_UNSET: unset,
      ...inherited,
    },
  });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, `${shell.path} exited ${r.status}: ${r.stderr}`);
  const env = new Map<string, string>();
  for (const entry of r.stdout.split('\0').filter(Boolean)) {
    const eq = entry.indexOf('=');
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function awsVars(env: Map<string, string>): Record<string, string> {
  return Object.fromEntries(VARS.filter((v) => env.has(v)).map((v) => [v, env.get(v)!]));
}

const STALE = {
  AWS_PROFILE: 'stale-profile',
  AWS_DEFAULT_PROFILE: 'stale-default',
  AWS_SESSION_TOKEN: 'stale-token',
  AWS_CREDENTIAL_EXPIRATION: '2000-01-01T00:00:00Z',
  AWS_REGION: 'kept-region',
};

for (const shell of SHELLS) {
  const name = shell.kind === 'nu' ? 'nu' : shell.path.replace(/^.*\//, '');
  describe(`${shell.kind === 'nu' ? 'nu (the npm package nushell)' : shell.path}${shell.label ?? ''} evaluates the exports`, needs(shell.path, `needed to test ${shell.kind} exports`), () => {
    // formatExports refuses values outside their AWS form; the quoting under it must hold anyway.
    test('nasty values come back byte for byte through the quoting, nothing is executed', () => {
      assertInstalled(shell.path);
      for (const value of nastyValues()) {
        const assignments = (['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const).map((n) => [n, value] as [string, string]);
        const env = run(shell, formatAssignments(shell.kind, [...assignments, ['AWS_CREDENTIAL_EXPIRATION', '2026-11-24T14:00:00Z']]));
        assert.deepEqual(
          awsVars(env),
          {
            AWS_ACCESS_KEY_ID: value,
            AWS_SECRET_ACCESS_KEY: value,
            AWS_SESSION_TOKEN: value,
            AWS_CREDENTIAL_EXPIRATION: '2026-11-24T14:00:00Z',
            AWS_REGION: value,
            AWS_DEFAULT_REGION: value,
          },
          `${name}, value ${JSON.stringify(value)}`,
        );
      }
      assert.deepEqual(readdirSync(trap), [], 'a value was executed');
    });

    test('without token, expiration and region: stale ones go, AWS_PROFILE goes, the region stays', () => {
      assertInstalled(shell.path);
      const env = run(shell, formatExports({ accessKeyId: 'AKIA1', secretAccessKey: 's/1+' }, { shell: shell.kind }), '', STALE);
      assert.deepEqual(awsVars(env), { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's/1+', AWS_REGION: 'kept-region' });
    });

    test('formatUnset clears everything the exports set, and exits 0', () => {
      assertInstalled(shell.path);
      const creds: Credentials = { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: EXPIRATION };
      const env = run(shell, formatExports(creds, { shell: shell.kind, region: 'eu-west-1', save: '{}' }), formatUnset(shell.kind, { MFA_LOGIN_SAVED: '{}' }), STALE);
      assert.deepEqual(awsVars(env), {});
      assert.equal(env.get('HOME'), home, 'unrelated variables stay');
    });

    test('formatUnset with nothing saved leaves the shell\'s own variables, and exits 0', () => {
      assertInstalled(shell.path);
      const env = run(shell, shell.kind === 'nu' ? '{}' : 'true', formatUnset(shell.kind, STALE), STALE);
      assert.deepEqual(awsVars(env), STALE);
    });

    test('any well-formed string without NUL or line breaks round-trips', () => {
      assertInstalled(shell.path);
      const valueArb = fc
        .string({ unit: 'binary', maxLength: 24 })
        .filter((s) => !/[\0\r\n]/.test(s) && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));
      fc.assert(
        fc.property(fc.tuple(valueArb, valueArb, valueArb), ([id, secret, token]) => {
          const env = run(shell, formatAssignments(shell.kind, [['AWS_ACCESS_KEY_ID', id], ['AWS_SECRET_ACCESS_KEY', secret], ['AWS_SESSION_TOKEN', token]]));
          assert.equal(env.get('AWS_ACCESS_KEY_ID'), id);
          assert.equal(env.get('AWS_SECRET_ACCESS_KEY'), secret);
          assert.equal(env.get('AWS_SESSION_TOKEN'), token);
        }),
        { numRuns: 25, includeErrorInReport: true },
      );
      assert.deepEqual(readdirSync(trap), []);
    });
  });
}
