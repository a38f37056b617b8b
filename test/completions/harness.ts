/**
 * Drives the completion scripts in completions/ in real shells: bash (calling the completion
 * function with COMP_WORDS set), fish (`complete -C`) and zsh (a real interactive zsh on a
 * pseudo-terminal via zsh/zpty, pressing Tab). Each driver answers many queries with one shell
 * process, because `mfa-login __profiles` alone costs a Node start per profile query.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file runs as dist/test/completions/harness.js). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SCRIPTS = {
  bash: join(ROOT, 'completions', 'mfa-login.bash'),
  zsh: join(ROOT, 'completions', 'mfa-login.zsh'),
  fish: join(ROOT, 'completions', 'mfa-login.fish'),
} as const;
const execFileAsync = promisify(execFile);
export type ShellName = keyof typeof SCRIPTS;
export const SHELL_PATHS: Record<ShellName, string> = { bash: '/usr/bin/bash', zsh: '/usr/bin/zsh', fish: '/usr/bin/fish' };

/**
 * Test options for a test that needs a shell. Missing on a developer machine: skipped, saying
 * why. Missing in CI (`CI=true`): not skipped, so `assertShell` fails the test.
 */
export function needsShell(shell: ShellName): { skip?: string } {
  const path = SHELL_PATHS[shell];
  if (existsSync(path) || process.env.CI === 'true') return {};
  return { skip: `${path} is not installed (the ${shell} completion tests run it)` };
}

export function assertShell(shell: ShellName): void {
  assert.ok(existsSync(SHELL_PATHS[shell]), `${SHELL_PATHS[shell]} is required (CI=true) but is not installed`);
}

/** Runs a file in bin/ (the built CLI) and returns its stdout. */
export async function cli(tool: 'mfa-login' | 'mfa-env', args: string[]): Promise<string> {
  const kept = args.at(-1) === '--help' ? keptHelp(tool, args) : undefined;
  if (kept !== undefined && existsSync(kept)) return readFileSync(kept, 'utf8');
  try {
    const { stdout } = await execFileAsync(process.execPath, [join(ROOT, 'bin', `${tool}.js`), ...args], { encoding: 'utf8', timeout: 15_000 });
    if (kept !== undefined) {
      // Whole or not at all: another test file may read it at the same moment.
      mkdirSync(join(kept, '..'), { recursive: true });
      writeFileSync(`${kept}.${process.pid}`, stdout);
      renameSync(`${kept}.${process.pid}`, kept);
    }
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${err.message} ${err.stderr ?? ''}`);
  }
}

/**
 * Where the built CLI's answer to a `--help` line is kept, for this build only: several test files
 * read every command's --help (some 160 Node starts in all), and the text of one build's help is
 * the same each time it is asked. Kept under dist/, named by the bundle's stamp, so a new build
 * asks the CLI again.
 */
function keptHelp(tool: string, args: string[]): string {
  const bundle = statSync(join(ROOT, 'dist', 'bundle', 'mfa-login.js'));
  const line = createHash('sha256').update([tool, ...args].join('\0')).digest('hex').slice(0, 20);
  return join(ROOT, 'dist', 'test', 'kept-help', `${bundle.mtimeMs}-${bundle.size}`, line);
}

/**
 * A scratch world for the shells: `bin/` with `mfa-login` and `mfa-env` wrappers that run the
 * built CLI (put on PATH), `home/` as HOME, optionally with ~/.aws/config holding profiles, and
 * `aside/`, another pair of wrappers that is NOT on PATH.
 */
export class World {
  readonly dir = mkdtempSync(join(tmpdir(), 'mfa-login-completions-'));
  readonly bin = join(this.dir, 'bin');
  readonly aside = join(this.dir, 'aside');
  readonly home = join(this.dir, 'home');

  /**
   * `stubProfiles`: the `mfa-login` wrappers answer `__profiles` themselves with the profile
   * names given, without starting Node: for the many cases that check where the scripts offer
   * profile names, while a few cases check that the real `mfa-login __profiles` feeds them.
   */
  constructor(profiles: string[], { stubProfiles = false } = {}) {
    for (const d of [this.bin, this.aside, this.home]) mkdirSync(d);
    for (const d of [this.bin, this.aside]) {
      for (const tool of ['mfa-login', 'mfa-env']) {
        const file = join(d, tool);
        const print = profiles.length > 0 ? `printf '%s\\n' ${profiles.map(shq).join(' ')}; ` : '';
        const stub = stubProfiles && tool === 'mfa-login' ? `if [ "$1" = __profiles ]; then ${print}exit 0; fi\n` : '';
        writeFileSync(file, `#!/bin/sh\n${stub}exec ${shq(process.execPath)} ${shq(join(ROOT, 'bin', `${tool}.js`))} "$@"\n`);
        chmodSync(file, 0o755);
      }
    }
    if (profiles.length > 0) {
      mkdirSync(join(this.home, '.aws'));
      const ini = profiles.map((p) => (p === 'default' ? '[default]\nregion = eu-west-1\n' : `[profile ${p}]\nregion = eu-west-1\n`));
      writeFileSync(join(this.home, '.aws', 'config'), ini.join('\n'));
    }
  }

  /** The environment of a shell: no rc files, no inherited AWS settings, mfa-login on PATH or not. */
  env(withPath = true): NodeJS.ProcessEnv {
    const system = ['/usr/bin', '/bin'];
    const installed = system.filter((d) => existsSync(join(d, 'mfa-login')) || existsSync(join(d, 'mfa-env')));
    assert.deepEqual(installed, [], 'an installed mfa-login/mfa-env would stand in for the wrappers these tests put on PATH');
    const env: NodeJS.ProcessEnv = {
      PATH: [...(withPath ? [this.bin] : []), ...system].join(':'),
      HOME: this.home,
      XDG_CONFIG_HOME: join(this.home, '.config'),
      XDG_DATA_HOME: join(this.home, '.local', 'share'),
      XDG_CACHE_HOME: join(this.home, '.cache'),
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm',
    };
    return env;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a command line the way bash splits it into COMP_WORDS: at spaces, and a run of '=' and
 * ':' is a word of its own (they are in COMP_WORDBREAKS; `iam::aws` is `iam`, `::`, `aws`). A
 * trailing space makes an empty last word.
 */
export function bashWords(line: string): string[] {
  return line.split(' ').flatMap((w) => (w === '' ? [''] : w.split(/([=:]+)/).filter((p) => p !== '')));
}

export interface ShellResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell (asynchronously, so the shells of different tests can run at once). */
export function runShell(shell: ShellName, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(SHELL_PATHS[shell], args, { env, cwd: env.HOME, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function run(shell: ShellName, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const r = await runShell(shell, args, env, input);
  assert.equal(r.status, 0, `${shell} exited ${r.status} (signal ${r.signal}): ${r.stderr}`);
  assert.equal(r.stderr, '', `${shell} wrote to stderr`);
  return r.stdout;
}

let files = 0;
/** A fresh file name in the world's directory (drivers may run at once). */
function scratch(world: World, name: string): string {
  return join(world.dir, `${++files}-${name}`);
}

const SEP = '\u0001';

/**
 * Completes each command line in bash (COMP_WORDS as bash would set them, cursor at the end)
 * and returns COMPREPLY for each. The function is the one `complete -p` says is registered for
 * the command word, so registration is checked too. `source`: the script file (default: the shipped one).
 */
export async function completeBash(world: World, lines: string[], { withPath = true, source = SCRIPTS.bash as string } = {}): Promise<string[][]> {
  const script = [`source ${shq(source)}`];
  for (const line of lines) {
    const words = bashWords(line);
    script.push(
      `COMP_WORDS=(${words.map(shq).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE=${shq(line)}; COMP_POINT=${line.length}; COMPREPLY=()`,
      `spec=$(complete -p -- "$(basename -- "\${COMP_WORDS[0]}")") && [[ $spec =~ -F\\ ([^ ]+) ]] && "\${BASH_REMATCH[1]}" "\${COMP_WORDS[0]}" "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"`,
      `printf '%s\\n' "\${COMPREPLY[@]}"; printf '${SEP}\\n'`,
    );
  }
  return split(await run('bash', ['--norc', '--noprofile', '-s'], world.env(withPath), script.join('\n') + '\n'));
}

/** Completes each command line in fish with `complete -C`: candidates without descriptions. */
export async function completeFish(world: World, lines: string[], { withPath = true, source = true } = {}): Promise<string[][]> {
  const script = source ? [`source ${shq(SCRIPTS.fish)}`] : [];
  for (const line of lines) script.push(`complete -C ${shq(line)} | string replace -r -- '\\t.*' ''`, `printf '${SEP}\\n'`);
  return split(await run('fish', source ? ['--no-config', '-c', script.join('\n')] : ['-c', script.join('\n')], world.env(withPath)));
}

/**
 * Completes each command line in an interactive zsh on a pseudo-terminal: types the line, then
 * Tab (bound to a widget running complete-word), and records every match the completion
 * functions add (compadd is wrapped to print them). `via` is how the script is loaded: from
 * $fpath through compinit (`mfa-login completion zsh > "${fpath[1]}/_mfa-login"`), or sourced
 * after compinit.
 */
export async function completeZsh(world: World, lines: string[], { withPath = true, via = 'fpath' as 'fpath' | 'source' } = {}): Promise<string[][]> {
  const fp = scratch(world, 'zfunc');
  mkdirSync(fp, { recursive: true });
  copyFileSync(SCRIPTS.zsh, join(fp, '_mfa-login'));
  const init = scratch(world, 'init.zsh');
  writeFileSync(
    init,
    [
      'PROMPT= RPROMPT= PS2=',
      'unsetopt AUTO_LIST LIST_AMBIGUOUS BEEP AUTO_MENU',
      via === 'fpath' ? `fpath=(${shq(fp)} $fpath)` : '',
      'autoload -U compinit && compinit -u -D',
      via === 'source' ? `source ${shq(SCRIPTS.zsh)}` : '',
      // Tab: complete, then mark the end of this completion's output.
      `__t_complete() { zle complete-word; print -r -- $'\\n${SEP}END'; }`,
      'zle -N __t_complete',
      "bindkey '^I' __t_complete",
      "bindkey '^U' kill-whole-line",
      // Print each match a completion function adds; -O/-A/-D calls only collect, so pass them on.
      'compadd() {',
      '  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi',
      '  local -a __hits; builtin compadd -A __hits "$@"',
      `  local h; for h in $__hits; do print -r -- $'\\n${SEP}MATCH:'$h; done`,
      '  builtin compadd "$@"',
      '}',
      `print -r -- $'${SEP}READY'`,
    ].join('\n') + '\n',
  );
  const driver = [
    'zmodload zsh/zpty zsh/datetime zsh/zselect',
    'zpty z zsh -f -i',
    `zpty -w z ${shq(`source ${shq(init)}`)}`,
    'local line',
    // Reads pty output into $line until a line starts with $1, giving up after 10 s.
    'readto() { local deadline=$(( EPOCHREALTIME + 10 )); while (( EPOCHREALTIME < deadline )); do',
    '  if zpty -r -t z line; then line=${line//$\'\\r\'/}; [[ $line == $1* ]] && return 0; [[ $line == *MATCH:* ]] && print -r -- ${line#*MATCH:}',
    '  else zselect -t 1; fi; done; print -r -- "TIMEOUT waiting for $1" >&2; return 1 }',
    `readto $'${SEP}READY' >/dev/null || exit 1`,
    'for q in "$@"; do',
    "  zpty -w -n z \"$q\"$'\\t'",
    `  readto $'${SEP}END' || exit 1`,
    `  print -r -- $'${SEP}'`,
    "  zpty -w -n z $'\\C-u'",
    'done',
    'zpty -d z',
  ].join('\n');
  const file = scratch(world, 'drive.zsh');
  writeFileSync(file, driver + '\n');
  return split(await run('zsh', ['-f', file, ...lines], world.env(withPath)));
}

/**
 * Types each line plus one Tab into an interactive bash on a pseudo-terminal (zsh's zpty drives
 * it, so this needs zsh too), and returns the command line as readline left it: what bash
 * itself did with the replies, file names included.
 */
export async function bashOnPty(world: World, lines: string[]): Promise<string[]> {
  const setup = [
    'PS1=',
    "bind 'set bell-style none'",
    `source ${shq(SCRIPTS.bash)}`,
    // Ctrl-T prints the line being edited.
    `bind -x '"\\C-t": printf "\\n\\001LINE:%s\\n" "$READLINE_LINE"'`,
    "echo $'\\001'READY",
  ].join('; ');
  const driver = [
    'zmodload zsh/zpty zsh/datetime zsh/zselect',
    'zpty b bash --norc --noprofile -i',
    `zpty -w b ${shq(setup)}`,
    'local line',
    'readto() { local deadline=$(( EPOCHREALTIME + 10 )); while (( EPOCHREALTIME < deadline )); do',
    '  if zpty -r -t b line; then line=${line//$\'\\r\'/}; line=${line%$\'\\n\'}; [[ $line == $1* ]] && return 0',
    '  else zselect -t 1; fi; done; print -r -- "TIMEOUT waiting for $1" >&2; return 1 }',
    `readto $'${SEP}READY' || exit 1`,
    'for q in "$@"; do',
    "  zpty -w -n b \"$q\"$'\\t\\C-t'",
    `  readto $'${SEP}LINE:' || exit 1`,
    `  print -r -- "\${line#$'${SEP}LINE:'}"`,
    "  zpty -w -n b $'\\C-a\\C-k'",
    'done',
    'zpty -d b',
  ].join('\n');
  const file = scratch(world, 'drive-bash.zsh');
  writeFileSync(file, driver + '\n');
  return (await run('zsh', ['-f', file, ...lines], world.env())).split('\n').slice(0, -1);
}

function split(out: string): string[][] {
  const parts = out.split(`${SEP}\n`);
  parts.pop(); // after the last separator
  return parts.map((p) => p.split('\n').filter((w) => w !== ''));
}

/** Ensures a fish completions directory under HOME holds the script, as installed (for autoloading). */
export function installFish(world: World): void {
  const dir = join(world.home, '.config', 'fish', 'completions');
  mkdirSync(dir, { recursive: true });
  copyFileSync(SCRIPTS.fish, join(dir, 'mfa-login.fish'));
  symlinkSync('mfa-login.fish', join(dir, 'mfa-env.fish'));
}
