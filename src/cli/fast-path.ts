/**
 * The cached path. `credential_process` runs on every AWS call and `mfa-env` in shell hooks, so a
 * cache hit is answered here with a handful of small modules and Node's fs: no argument parser, no
 * config parser, no AWS SDK, no keychain binding, no crypto; a socket only for the agent. It
 * follows the profile's route (session-store/route.ts), which the full path noted when it last
 * answered: if the config files and the STS environment are as they were then, the session in the
 * noted entry is the answer (session-store/routed-entry.ts). The entry is read through the same
 * reader as the full CLI's (session-store/entry.ts), after the same directory check
 * (session-store/private-dir.ts); where the agent keeps sessions, it matches the route and answers
 * with the session in one request on its socket (session-store/agent/ask.ts), sent before the
 * rest of the settings are derived so that the two happen at once. Anything it does not
 * handle plainly (other flags, no route or a changed one, a miss, an agent that does not answer at
 * once, a terminal to talk to) returns false, and the full command line does it properly.
 * bin/fast-path.js compiles this bundle from its readable text, with V8's code for it once
 * keepCompiledCode has kept some.
 */
import { closeSync, constants, fstatSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { defaultProfileName, sharedFilePaths } from '../config/shared-files.js';
import { MIN_VALIDITY_MS } from '../providers/validity.js';
import { cacheSettings, regionFor, settingsFrom, under, type Settings } from '../settings.js';
import { checkPrivateDir } from '../session-store/private-dir.js';
import { routedAnswer, type RoutedAnswer, type RoutedSession } from '../session-store/routed-entry.js';
import { formatCredentialProcess } from '../output/credential-process.js';
import { detectShell, formatExports, formatUnset, saving, SHELL_NAMES, type Shell } from '../output/exports.js';
import { parentProcessName } from '../terminal/parent-process.js';

/**
 * Answers the call if it can, and then runs `end` once the answer is out (told whether the agent
 * gave it): the bin scripts end the process there and then, which spares it the teardown of a Node
 * process that runs to its end. Returns whether it answered: at once, or (the agent, where the
 * event loop waits for its reply) as a promise.
 */
export function fastPath(tool: 'mfa-login' | 'mfa-env', argv: string[], end: (agent: boolean) => void = () => process.exit()): boolean | Promise<boolean> {
  const request = recognise(tool, argv);
  if (request === undefined) return false;
  const env = process.env;
  const home = env.HOME;
  if (!home) return false;
  if (request.unset) return unset(request.shell, env, home, () => end(false));
  let found: ReturnType<RoutedAnswer>;
  try {
    const uid = process.getuid?.();
    const platform = { os: process.platform, uid };
    const profile = request.profile ?? defaultProfileName(env);
    // Where the agent keeps sessions it is sent its request first, and answers while every other
    // setting is derived (a tenth of a millisecond or so it would otherwise wait for).
    const answer = routedAnswer(cacheSettings(env, home, platform), profile, sharedFilePaths(env, home), env, uid, Date.now() + MIN_VALIDITY_MS);
    let settings: Settings;
    try {
      // Every setting, as the full CLI derives them: a bad one is its to report (exit 2).
      settings = settingsFrom(env, home, platform);
    } catch {
      void answer(); // taken (within ASK_MS) and dropped: that closes the agent's connection
      return false;
    }
    found = answer();
    // A test hook set: the full CLI honours it and says so on stderr, which this path never writes to.
    if (settings.testHooks.set.length > 0) return false;
  } catch {
    return false;
  }
  const answer = (found: RoutedSession | undefined): boolean => {
    if (found === undefined) return false;
    let output: string;
    try {
      const c = found.credentials;
      output =
        tool === 'mfa-login'
          ? formatCredentialProcess(c, found.accountId)
          : formatExports(c, { shell: request.shell ?? detectShell(env, parentProcessName()), ...regionFor(env, found.region), ...saving(env) });
    } catch {
      return false;
    }
    // Past this point the answer is given: a failing write must not hand over to the full path,
    // which would print it a second time.
    write(output, () => end(found.agent === true));
    return true;
  };
  return found instanceof Promise ? found.then(answer, () => false) : answer(found);
}

/** V8's code for this bundle, kept by the user's own first answer (bin/fast-path.js reads it). */
export const COMPILED_CODE_FILE = 'fast-path.v8';

/**
 * Keeps what bin/fast-path.js hands over (the tag, the source it compiled, V8's code for it) in
 * the file mode's directory, private to the user as sessions are (checked, or made so): only code
 * the user's own Node made from the readable bundle is ever given back to V8. `text` is asked for
 * once the directory is fit (making the code costs a millisecond). Written whole under a name of
 * this process's and renamed into place, so a reader never meets half of it.
 */
export function keepCompiledCode(text: () => string): void {
  const env = process.env;
  const uid = process.getuid?.();
  if (uid === undefined || !env.HOME) return;
  const dir = settingsFrom(env, env.HOME, { os: process.platform, uid }).cache.persistentDir;
  // A relative MFA_LOGIN_CACHE_DIR would put it wherever the tool that ran us happens to be.
  if (!dir.startsWith('/')) return;
  checkPrivateDir(dir, { create: true, ram: false, uid });
  const file = under(process.platform, dir, COMPILED_CODE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = Buffer.from(text());
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * `mfa-env --unset` (`mfa-use --off`): the environment alone says what to print, through the full
 * path's own function. A bad setting is the full CLI's to report, as for every other call.
 */
function unset(shell: Shell | undefined, env: NodeJS.ProcessEnv, home: string, end: () => void): boolean {
  let output: string;
  try {
    settingsFrom(env, home, { os: process.platform, uid: process.getuid?.() });
    output = formatUnset(shell ?? detectShell(env, parentProcessName()), env);
  } catch {
    return false;
  }
  write(output, end);
  return true;
}

/**
 * The forms a tool or a shell hook uses: `credential-process P`; `mfa-env`, `mfa-env P` and
 * `mfa-env --unset`, each with `--shell S`, `--shell=S` or neither. `mfa-env [P]` on a terminal
 * goes to the full path, which explains what to do with the exports instead of leaving secrets
 * on the screen.
 */
function recognise(tool: 'mfa-login' | 'mfa-env', argv: string[]): { profile?: string; shell?: Shell; unset?: boolean } | undefined {
  const plain = (a: string | undefined): a is string => a !== undefined && a !== '' && !a.startsWith('-');
  if (tool === 'mfa-login') return argv.length === 2 && argv[0] === 'credential-process' && plain(argv[1]) ? { profile: argv[1] } : undefined;
  let profile: string | undefined;
  let shell: string | undefined;
  let unset = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--shell' && shell === undefined) shell = argv[++i] ?? '';
    else if (a.startsWith('--shell=') && shell === undefined) shell = a.slice(8);
    else if (a === '--unset' && !unset) unset = true;
    else if (plain(a) && profile === undefined) profile = a;
    else return undefined;
  }
  if (shell !== undefined && !SHELL_NAMES.has(shell)) return undefined;
  // `--unset` with a profile is the full CLI's (it ignores the profile); on a terminal it prints
  // the same as the full CLI, which adds no hint to it.
  if (unset) return profile === undefined ? { unset, ...(shell !== undefined ? { shell: SHELL_NAMES.get(shell)! } : {}) } : undefined;
  if (onTerminal()) return undefined;
  return { ...(profile !== undefined ? { profile } : {}), ...(shell !== undefined ? { shell: SHELL_NAMES.get(shell)! } : {}) };
}

/** Linux's /dev/null is character device 1:3 everywhere: no need to look. */
const LINUX_DEV_NULL = (1 << 8) | 3;

/** Whether stdout is a terminal, without loading node:tty (31 modules): a character device other than /dev/null. */
function onTerminal(): boolean {
  try {
    const out = fstatSync(1);
    return out.isCharacterDevice() && out.rdev !== (process.platform === 'linux' ? LINUX_DEV_NULL : statSync('/dev/null').rdev);
  } catch {
    return false;
  }
}

/**
 * Straight to file descriptor 1: creating process.stdout would load the stream machinery. The
 * text goes out as a string, without a Buffer made for it (the first Buffer.from of a process
 * costs it a tenth of a millisecond); only a short write needs one, for the rest. A reader
 * that stopped early is not an error (as on the full path); a write that fails otherwise is one
 * line on stderr and exit 1.
 */
function write(text: string, end: () => void): void {
  let buf: Buffer | undefined;
  let off = 0;
  try {
    off = writeSync(1, text);
    if (off < Buffer.byteLength(text)) {
      buf = Buffer.from(text);
      while (off < buf.length) off += writeSync(1, buf, off);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') {
      // A non-blocking pipe that is full: the stream waits for the reader, and ends when it is out.
      process.stdout.on('error', () => end()).write((buf ?? Buffer.from(text)).subarray(off), end);
      return;
    }
    if (code !== 'EPIPE') {
      try {
        writeSync(2, `mfa-login: cannot write to standard output (${code ?? (e as Error).message})\n`);
      } catch {
        // nowhere to say it: the exit status does
      }
      process.exitCode = 1;
    }
  }
  end();
}
