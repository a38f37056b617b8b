/**
 * The cached path. `credential_process` runs on every AWS call and `mfa-env` in shell hooks, so a
 * cache hit is answered here with a handful of small modules and Node's fs: no argument parser, no
 * AWS SDK, no keychain binding, no crypto, no socket. It reads the entry through the same reader
 * as the full CLI (cache/entry.ts), after the same directory check (cache/private-dir.ts).
 * Anything it does not handle plainly (other flags, a miss, the agent, a warning to show, an error
 * to explain, a terminal to talk to) returns false, and the full command line does it properly.
 */
import { fstatSync, readFileSync, statSync, writeSync } from 'node:fs';
import { defaultProfileName, loadProfiles, sharedFilePaths } from '../config/profiles.js';
import { accountOf, resolveChain } from '../config/chain.js';
import { chainKeys, MIN_VALIDITY_MS } from '../providers/chain-keys.js';
import { plainConfigText } from '../files/config-text.js';
import { cacheSettings } from '../settings.js';
import { checkPrivateDir } from '../cache/private-dir.js';
import { readEntry } from '../cache/entry.js';
import { formatCredentialProcess } from '../output/credential-process.js';
import { detectShell, formatExports, SHELL_NAMES, type Shell } from '../output/exports.js';
import { parentProcessName } from '../terminal/parent-process.js';

export function fastPath(tool: 'mfa-login' | 'mfa-env', argv: string[]): boolean {
  const request = recognise(tool, argv);
  if (request === undefined) return false;
  const env = process.env;
  const home = env.HOME;
  if (!home) return false;
  let output: string;
  try {
    // Only what a cache hit needs, from the one module that derives settings.
    const uid = process.getuid?.();
    const { mode, dir } = cacheSettings(env, home, { os: process.platform, uid });
    if (mode !== 'runtime' && mode !== 'file') return false;
    // Owner, mode and links are checked as on every use. Whether the directory is on tmpfs matters
    // where sessions are written (the full path checks it); this only reads one.
    if (!checkPrivateDir(dir, { create: false, ram: false, uid })) return false;
    const paths = sharedFilePaths(env, home);
    const plan = resolveChain(loadProfiles(paths, read(paths.configFile), read(paths.credentialsFile)), request.profile ?? defaultProfileName(env));
    if (plan.warnings.length > 0) return false;
    const keys = chainKeys(plan, env);
    const key = plan.roles.length > 0 ? keys.roleKeys[keys.roleKeys.length - 1]! : keys.mfaKey;
    const session = readEntry(dir, key, Date.now() + MIN_VALIDITY_MS, uid);
    if (session === undefined) return false;
    const c = session.credentials;
    output =
      tool === 'mfa-login'
        ? formatCredentialProcess(c, accountOf(plan))
        : formatExports(c, { shell: request.shell ?? detectShell(env, parentProcessName()), ...(plan.region !== undefined ? { region: plan.region } : {}) });
  } catch {
    return false;
  }
  // Past this point the answer is given: a failing write must not hand over to the full path,
  // which would print it a second time.
  write(output);
  return true;
}

/**
 * The forms a tool or a shell hook uses: `credential-process P`; `mfa-env`, `mfa-env P`, either
 * with `--shell S` or `--shell=S`. mfa-env on a terminal goes to the full path, which explains
 * what to do with the exports instead of leaving secrets on the screen.
 */
function recognise(tool: 'mfa-login' | 'mfa-env', argv: string[]): { profile?: string; shell?: Shell } | undefined {
  const plain = (a: string | undefined): a is string => a !== undefined && a !== '' && !a.startsWith('-');
  if (tool === 'mfa-login') return argv.length === 2 && argv[0] === 'credential-process' && plain(argv[1]) ? { profile: argv[1] } : undefined;
  let profile: string | undefined;
  let shell: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--shell' && shell === undefined) shell = argv[++i] ?? '';
    else if (a.startsWith('--shell=') && shell === undefined) shell = a.slice(8);
    else if (plain(a) && profile === undefined) profile = a;
    else return undefined;
  }
  if (shell !== undefined && !SHELL_NAMES.has(shell)) return undefined;
  if (onTerminal()) return undefined;
  return { ...(profile !== undefined ? { profile } : {}), ...(shell !== undefined ? { shell: SHELL_NAMES.get(shell)! } : {}) };
}

/** Whether stdout is a terminal, without loading node:tty (31 modules): a character device other than /dev/null. */
function onTerminal(): boolean {
  try {
    const out = fstatSync(1);
    return out.isCharacterDevice() && out.rdev !== statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** A config file's text, or undefined if there is none; anything doubtful hands over to the full path. */
function read(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const plain = plainConfigText(text);
  if (plain === undefined) throw new Error(`${file}: not plain UTF-8 text`); // the full path explains
  return plain;
}

/** Straight to file descriptor 1: creating process.stdout would load the stream machinery. */
function write(text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(1, buf, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    process.stdout.write(buf.subarray(off));
  }
}
