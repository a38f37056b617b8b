/**
 * The completion scripts in real bash, zsh and fish, against a HOME whose ~/.aws/config holds
 * the profiles alice, prod and default, with `mfa-login` (a wrapper running bin/mfa-login.js)
 * on PATH.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { assertShell, bashOnPty, completeBash, completeFish, completeZsh, needsShell, runShell, SCRIPTS, shq, World, type ShellName } from './harness.js';

const PROFILES = ['alice', 'default', 'prod'];
const SHELLS = ['sh', 'bash', 'zsh', 'fish', 'powershell', 'pwsh', 'nu', 'nushell'];
/** What every command that obtains a role session takes to scope it. */
const SCOPE_FLAGS = ['--session-tags', '--transitive-session-tags', '--policy-arn', '--policy'];
const EXEC_FLAGS = ['--allow-nested', '--debug', '--duration', '--ensure', '--help', '--mfa-token', '--port', '--region', ...SCOPE_FLAGS, '--server', '--version', '--', '-h'];

interface Case {
  line: string;
  /** Exactly these candidates (in any order). */
  exact?: string[];
  /** At least these. */
  includes?: string[];
  /** None of these. */
  excludes?: string[];
  /** Only in these shells, when shells differ (fish shows `--shell=pwsh`). */
  only?: ShellName[];
  /**
   * Run against the real `mfa-login __profiles` (a Node start per profile lookup). The others
   * run in a world whose `mfa-login` wrapper answers `__profiles` itself, to stay fast.
   */
  real?: boolean;
}

/** Nothing more to complete: bash and fish offer nothing, zsh (as it does) offers the flags. */
function nothing(line: string, flags: string[]): Case[] {
  return [
    { line, exact: [], only: ['bash', 'fish'] },
    { line, exact: [...flags, '-h'], only: ['zsh'] },
  ];
}

const ADD_FLAGS = ['--from-env', '--import', '--mfa-serial', '--yes', '--debug', '--help', '--version'];
const LOGIN_FLAGS = ['--to', '--mfa-token', '--duration', '--region', ...SCOPE_FLAGS, '--debug', '--help', '--version'];
const ENV_FLAGS = ['--shell', '--unset', '--mfa-token', '--duration', '--region', ...SCOPE_FLAGS, '--debug', '--help', '--version'];

function cases(w: World): Case[] {
  return [
    // Profile names from the real `mfa-login __profiles`, reading HOME's ~/.aws/config.
    { line: 'mfa-login ', includes: ['login', 'add', 'exec', 'completion', ...PROFILES], excludes: ['__profiles'], real: true },
    { line: 'mfa-login login p', exact: ['prod'], real: true },
    { line: 'mfa-env ', exact: PROFILES, real: true },
    // Invoked by path, not on PATH: profiles still come from that same mfa-login, and mfa-env
    // asks the mfa-login next to it.
    { line: `${join(w.aside, 'mfa-login')} remove `, exact: PROFILES, real: true },
    { line: '~/tools/mfa-login remove ', exact: PROFILES, real: true },
    { line: `${join(w.aside, 'mfa-env')} `, exact: PROFILES, real: true },
    { line: `${join(w.aside, 'mfa-login')} rem`, exact: ['remove'] },

    // Subcommands from a prefix; the hidden __profiles is never offered.
    { line: 'mfa-login cred', exact: ['credential-process'] },
    { line: 'mfa-login logo', exact: ['logout'] },
    { line: 'mfa-login lo', exact: ['login', 'logout'] },
    { line: 'mfa-login __', exact: [] },
    // First word: a command, or a profile (`mfa-login PROFILE` logs in).
    { line: 'mfa-login a', includes: ['add', 'alice'], excludes: ['prod', 'login'] },
    { line: 'mfa-login --debug ', includes: ['login', ...PROFILES] },
    // Profiles where a command takes one.
    { line: 'mfa-login add ', exact: PROFILES },
    { line: 'mfa-login remove ', exact: PROFILES },
    { line: 'mfa-login logout ', exact: PROFILES },
    { line: 'mfa-login logout --all ', exact: PROFILES },
    { line: 'mfa-login credential-process ', exact: PROFILES },
    { line: 'mfa-login session --duration 1h ', exact: PROFILES },
    { line: 'mfa-login exec ', exact: PROFILES },
    { line: 'mfa-login setup d', exact: ['default'] },
    { line: 'mfa-login --debug login ', exact: PROFILES },
    { line: 'mfa-login --to ', exact: PROFILES },
    // No more positionals.
    ...nothing('mfa-login add alice ', [...ADD_FLAGS, '-y']),
    ...nothing('mfa-login alice ', LOGIN_FLAGS),
    ...nothing('mfa-login list ', ['--json', '--debug', '--help', '--version']),
    // Flags of each command.
    { line: 'mfa-login add alice --', exact: ADD_FLAGS },
    { line: 'mfa-login add alice --i', exact: ['--import'] },
    { line: 'mfa-login alice --', exact: LOGIN_FLAGS },
    { line: 'mfa-login logout --a', exact: ['--all'] },
    { line: 'mfa-login setup prod --n', exact: ['--name'] },
    { line: 'mfa-login list --j', exact: ['--json'] },
    // completion <shell>
    { line: 'mfa-login completion ', exact: ['bash', 'zsh', 'fish', 'nu', 'nushell'] },
    { line: 'mfa-login completion z', exact: ['zsh'] },
    // mfa-env
    { line: 'mfa-env a', exact: ['alice'] },
    { line: 'mfa-env --unset ', exact: PROFILES },
    { line: 'mfa-env --shell fish ', exact: PROFILES },
    ...nothing('mfa-env prod ', ENV_FLAGS),
    { line: 'mfa-env --shell ', exact: SHELLS },
    { line: 'mfa-env --shell p', exact: ['powershell', 'pwsh'] },
    { line: 'mfa-env --shell=p', exact: ['powershell', 'pwsh'], only: ['bash', 'zsh'] },
    { line: 'mfa-env --shell=p', exact: ['--shell=powershell', '--shell=pwsh'], only: ['fish'] },
    { line: 'mfa-env --', exact: ENV_FLAGS },
    // exec PROFILE: its flags and "--", then the command completes as it would on its own.
    { line: 'mfa-login exec prod -', exact: EXEC_FLAGS },
    // zsh offers a flag once, unless it may be given again.
    { line: 'mfa-login exec --region us-east-1 --policy-arn arn:aws:iam::aws:policy/A --', includes: ['--policy-arn'], excludes: ['--region'], only: ['zsh'] },
    // bash splits a word at ':' as at '=': an ARN is one value, not a profile and a command.
    { line: 'mfa-login session --session-tags team=blue,project=x ', exact: PROFILES },
    { line: 'mfa-env --session-tags team=blue ', exact: PROFILES },
    { line: 'mfa-login exec --policy-arn arn:aws:iam::aws:policy/A --policy-arn arn:aws:iam::aws:policy/B ', exact: PROFILES },
    { line: 'mfa-login exec --policy-arn arn:aws:iam::111111111111:policy/x prod -', exact: EXEC_FLAGS },
    { line: 'mfa-env --policy-arn arn:aws:iam::aws:policy/A ', exact: PROFILES },
    { line: 'mfa-login exec prod -- mfa-log', exact: ['mfa-login'] },
    { line: 'mfa-login exec prod -- mfa-login cred', exact: ['credential-process'] },
    { line: 'mfa-login exec --duration 1h prod -- mfa-login exec ', exact: PROFILES },
    { line: 'mfa-login exec prod -- mfa-env --shell f', exact: ['fish'] },
    { line: 'mfa-login exec prod mfa-login remove ', exact: PROFILES },
    // File names: bash leaves them to bash itself (compopt -o default), outside COMPREPLY; zsh
    // adds the last part of the path (the directory goes in as a prefix, which is not shown).
    { line: 'mfa-login exec prod -- cat .aws/con', exact: ['.aws/config'], only: ['fish'] },
    { line: 'mfa-login exec prod -- cat .aws/con', exact: ['config'], only: ['zsh'] },
  ];
}

let real: World;
let stub: World;
before(() => {
  real = new World(PROFILES);
  stub = new World(PROFILES, { stubProfiles: true });
  for (const w of [real, stub]) symlinkSync(w.aside, join(w.home, 'tools'));
});
after(() => {
  real.remove();
  stub.remove();
});

function check(shell: ShellName, all: Case[], got: string[][]): string[] {
  const failures: string[] = [];
  assert.equal(got.length, all.length, `${shell} answered ${got.length} of ${all.length} lines`);
  all.forEach((c, i) => {
    const g = [...new Set(got[i])].sort();
    const say = (what: string) => failures.push(`${JSON.stringify(c.line)}: ${what}; got ${JSON.stringify(g)}`);
    if (c.exact && JSON.stringify(g) !== JSON.stringify([...c.exact].sort())) say(`expected exactly ${JSON.stringify([...c.exact].sort())}`);
    for (const w of c.includes ?? []) if (!g.includes(w)) say(`expected ${w}`);
    for (const w of c.excludes ?? []) if (g.includes(w)) say(`did not expect ${w}`);
  });
  return failures;
}

/**
 * Runs the cases in as few shell processes as it can: real or stub world, and with the
 * wrappers on PATH or not (a case invoking a path outside PATH runs without them, so the
 * path really is what makes it work).
 */
async function runAll(shell: ShellName, drive: (w: World, lines: string[], o: { withPath: boolean }) => Promise<string[][]>): Promise<void> {
  assertShell(shell);
  const runs: Promise<string[]>[] = [];
  for (const world of [real, stub]) {
    const all = cases(world).filter((c) => (!c.only || c.only.includes(shell)) && (c.real === true) === (world === real));
    const offPath = (c: Case) => c.line.startsWith(world.aside) || c.line.startsWith('~/');
    for (const withPath of [true, false]) {
      const group = all.filter((c) => offPath(c) !== withPath);
      if (group.length > 0) runs.push(drive(world, group.map((c) => c.line), { withPath }).then((got) => check(shell, group, got)));
    }
  }
  const failures = (await Promise.all(runs)).flat();
  assert.deepEqual(failures, [], `${shell}:\n${failures.join('\n')}`);
}

// The shells wait on Node starts more than they compute: let them overlap.
describe('completion in real shells', { concurrency: true }, () => {
  describe('bash', { concurrency: true }, () => {
    test('completes commands, flags, profiles, values and exec\'s command', needsShell('bash'), () => runAll('bash', completeBash));

    test('on a terminal, readline applies the replies (and bash completes file names after exec --)', { ...needsShell('bash'), ...needsShell('zsh') }, async () => {
      assertShell('bash');
      assertShell('zsh'); // drives bash on a pty
      const lines = ['mfa-login cred', 'mfa-login logout --a', 'mfa-env --shell=pw', 'mfa-login exec prod -- mfa-login rem', 'mfa-login exec prod -- cat .aws/con'];
      assert.deepEqual(await bashOnPty(stub, lines), [
        'mfa-login credential-process ',
        'mfa-login logout --all ',
        'mfa-env --shell=pwsh ',
        'mfa-login exec prod -- mfa-login remove ',
        'mfa-login exec prod -- cat .aws/config ',
      ]);
    });

    test('`source <(mfa-login completion bash)` registers both commands', needsShell('bash'), async () => {
      assertShell('bash');
      const r = await runShell('bash', ['--norc', '--noprofile', '-c', 'source <(mfa-login completion bash) && complete -p mfa-login mfa-env'], real.env());
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'complete -F _mfa_login mfa-login\ncomplete -F _mfa_env mfa-env\n');
    });

    test('works under `set -u` and does not leak variables', needsShell('bash'), async () => {
      assertShell('bash');
      const script = [
        'set -u',
        `source ${shq(SCRIPTS.bash)}`,
        'before=$(declare -p | grep -v -e "^declare -a COMPREPLY" -e "^declare -[-a-zA-Z]* \\(BASH_\\|COMP_\\|FUNCNAME\\|_=\\|PIPESTATUS\\|SECONDS\\|RANDOM\\|SRANDOM\\|EPOCH\\|LINENO\\|BASHPID\\|line=\\)")',
        'for line in "mfa-login " "mfa-login add alice --" "mfa-login exec prod -- mfa-login cred" "mfa-env --shell = p" "mfa-login --to "; do',
        '  read -ra COMP_WORDS <<< "$line"; [[ $line == *" " ]] && COMP_WORDS+=("")',
        '  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$line; COMP_POINT=${#line}',
        '  if [[ ${COMP_WORDS[0]} == mfa-env ]]; then _mfa_env; else _mfa_login; fi',
        '  echo "${#COMPREPLY[@]}"',
        'done',
        'after=$(declare -p | grep -v -e "^declare -a COMPREPLY" -e "^declare -[-a-zA-Z]* \\(BASH_\\|COMP_\\|FUNCNAME\\|_=\\|PIPESTATUS\\|SECONDS\\|RANDOM\\|SRANDOM\\|EPOCH\\|LINENO\\|BASHPID\\|line=\\|before=\\)")',
        'diff <(echo "$before") <(echo "$after") && echo same',
      ].join('\n');
      const r = await runShell('bash', ['--norc', '--noprofile', '-c', script], stub.env());
      assert.equal(r.stderr, '');
      const out = r.stdout.trim().split('\n');
      assert.equal(out.pop(), 'same', 'the completion functions leave no variables behind');
      assert.equal(out.length, 5);
      for (const n of out) assert.ok(Number(n) > 0, `every line completes something: ${r.stdout}`);
    });
  });

  describe('fish', { concurrency: true }, () => {
    test('completes commands, flags, profiles, values and exec\'s command', needsShell('fish'), () => runAll('fish', completeFish));

    test('installed with `mfa-login completion fish > ~/.config/fish/completions/mfa-login.fish`, it loads itself', needsShell('fish'), async () => {
      assertShell('fish');
      // A fish with its normal start-up (no --no-config), reading HOME's config directory.
      const home = new World(PROFILES);
      try {
        const install = [
          'mkdir -p ~/.config/fish/completions',
          'mfa-login completion fish > ~/.config/fish/completions/mfa-login.fish',
          'ln -s mfa-login.fish ~/.config/fish/completions/mfa-env.fish',
        ].join('; and ');
        const r1 = await runShell('fish', ['--no-config', '-c', install], home.env());
        assert.equal(r1.status, 0, r1.stderr);
        const got = await completeFish(home, ['mfa-login cred', 'mfa-env --shell z', 'mfa-login remove '], { source: false });
        assert.deepEqual(got, [['credential-process'], ['zsh'], PROFILES]);
      } finally {
        home.remove();
      }
    });
  });

  describe('zsh', { concurrency: true }, () => {
    test('completes commands, flags, profiles, values and exec\'s command (installed in $fpath, driven on a pty)', needsShell('zsh'), () => runAll('zsh', completeZsh));

    test('sourced after compinit, it completes too', needsShell('zsh'), async () => {
      assertShell('zsh');
      const got = await completeZsh(real, ['mfa-login cred', 'mfa-env --shell z', 'mfa-login remove '], { withPath: true, via: 'source' });
      assert.deepEqual(got, [['credential-process'], ['zsh'], PROFILES]);
    });

    for (const via of ['fpath', 'source'] as const) {
      test(`parses and registers both commands with compinit in zsh -f (${via})`, needsShell('zsh'), async () => {
        assertShell('zsh');
        const dir = join(real.dir, `zreg-${via}`);
        mkdirSync(dir, { recursive: true });
        const script = [
          `zsh -n ${shq(SCRIPTS.zsh)} || exit 3`,
          via === 'fpath' ? `mfa-login completion zsh > ${shq(join(dir, '_mfa-login'))} && fpath=(${shq(dir)} $fpath)` : '',
          'autoload -U compinit && compinit -u -D',
          via === 'source' ? 'source <(mfa-login completion zsh)' : '',
          '(( $+_comps[mfa-login] && $+_comps[mfa-env] )) || exit 4',
          'print -r -- $_comps[mfa-login] $_comps[mfa-env]',
        ].join('\n');
        const r = await runShell('zsh', ['-f', '-c', script], real.env());
        assert.equal(r.stderr, '');
        assert.equal(r.status, 0);
        assert.equal(r.stdout, '_mfa-login _mfa-login\n');
      });
    }
  });
});
